"""Read a badge config file (YAML or JSON) and report errors with file line numbers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from faust_badges.core.config import BadgeConfig
from faust_badges.core.config_checks import ConfigError, InvalidConfig, Location, parse_config
from faust_badges.core.errors import BadgesError


@dataclass
class ConfigFileError(BadgesError, ValueError):
    """A config file was rejected: every error, each with its line when known."""

    path: Path
    errors: list[tuple[int | None, ConfigError]] = field(default_factory=list)

    def lines(self) -> Iterator[str]:
        for line, error in self.errors:
            where = f"{self.path}:{line}" if line else str(self.path)
            yield f"{where}: {error}"

    def __str__(self) -> str:
        return "\n".join(self.lines())


def load_config_file(path: Path) -> BadgeConfig:
    """Parse and validate the file; raise ConfigFileError listing every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _file_error(path, None, f"cannot read the file: {exc}") from None
    document = (
        _parse_json(path, text) if path.suffix.lower() == ".json" else _parse_yaml(path, text)
    )
    try:
        return parse_config(document)
    except InvalidConfig as exc:
        lines = _document_lines(text)
        located = [(_line_of(lines, error.location), error) for error in exc.errors]
        located.sort(key=lambda pair: pair[0] or 0)
        raise ConfigFileError(path, located) from None


class _Loader(yaml.SafeLoader):
    """The safe loader, with a line for the values it cannot build."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, AttributeError) as exc:
            # PyYAML lets Python's own error out, without a line, for a scalar that matches a
            # tag's pattern but is no value of it: 2026-02-30, 5000 digits, `!!timestamp x`.
            problem = f"not a valid {node.tag.rsplit(':', 1)[-1]}"
            if isinstance(exc, ValueError):  # the others say nothing a reader could act on
                problem += f": {exc}"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None


def _parse_yaml(path: Path, text: str) -> Any:
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        # A character YAML forbids, found before parsing: a position in the text, no mark.
        message = f"not valid YAML: character #x{exc.character:04x} is not allowed"
        raise _file_error(path, text.count("\n", 0, exc.position) + 1, message) from None
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise _file_error(path, line, f"not valid YAML: {problem}") from None
    except RecursionError:
        # The composer recurses once per nesting level. It stopped before the first token the
        # scanner read ahead, or where the reader is when none is pending.
        mark = loader.tokens[0].start_mark if loader.tokens else loader.get_mark()
        raise _file_error(path, mark.line + 1, "not valid YAML: nested too deeply") from None
    finally:
        loader.dispose()


def _parse_json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _file_error(path, exc.lineno, f"not valid JSON: {exc.msg}") from None
    # Neither of these comes with a position.
    except ValueError:  # int() refuses more than 4300 digits
        raise _file_error(path, None, "not valid JSON: a number has too many digits") from None
    except RecursionError:
        raise _file_error(path, None, "not valid JSON: nested too deeply") from None


def _file_error(path: Path, line: int | None, message: str) -> ConfigFileError:
    return ConfigFileError(path, [(line, ConfigError((), message))])


def _document_lines(text: str) -> dict[Location, int]:
    """The line of each location, from the YAML node tree; none when YAML cannot read the text.

    JSON is YAML once its tabs (legal only between tokens) are spaces and the characters YAML
    forbids (legal in JSON strings) are too: one node tree gives line numbers for both. Valid
    JSON YAML still cannot read (a key over 1024 characters) gets no line numbers.
    """
    readable = yaml.reader.Reader.NON_PRINTABLE.sub(" ", text.replace("\t", " "))
    try:
        return _line_numbers(yaml.compose(readable, Loader=yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError):
        return {}


def _line_numbers(node: yaml.Node | None) -> dict[Location, int]:
    """Map each location in the document to the 1-based line where it starts."""
    lines: dict[Location, int] = {}
    walked: set[int] = set()

    def walk(current: yaml.Node, location: Location) -> None:
        # An alias is its anchor's node: walking it again could loop (`&a [*a]`) or take
        # exponential time (aliases of aliases). What lies under it gets the line of its use.
        if id(current) in walked:
            return
        walked.add(id(current))
        lines[location] = current.start_mark.line + 1
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                key = key_node.value
                lines[(*location, key)] = key_node.start_mark.line + 1
                walk(value_node, (*location, key))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                walk(item, (*location, index))

    if node is not None:
        walk(node, ())
    return lines


def _line_of(lines: dict[Location, int], location: Location) -> int | None:
    # The nearest enclosing location that exists in the file (a missing key has no line).
    for end in range(len(location), -1, -1):
        line = lines.get(location[:end])
        if line is not None:
            return line
    return None


def dump_config_yaml(config: BadgeConfig | dict[str, Any]) -> str:
    """A config as YAML, for ``config show``."""
    document = config.model_dump(mode="json") if isinstance(config, BadgeConfig) else config
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
