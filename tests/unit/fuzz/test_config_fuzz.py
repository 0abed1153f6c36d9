"""Fuzzing the config loader (issue 10): whatever a config file holds, loading it gives the config
or a ``ConfigFileError`` listing every error, each with its line when it is at a place in the
file; never another exception, never a traceback for ``faust-badges config validate`` to print.

The inputs are mutations of the example config (lines deleted, repeated, swapped, re-indented,
values of another type, random characters), in YAML and in JSON, plus random text and bytes.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from faust_badges.config_file import ConfigFileError, load_config_file
from faust_badges.core.config_checks import ConfigError
from faust_badges.core.event_types import COURSE_PASSING_STATUS
from tests.unit.test_config_file import EXAMPLE_FILE

EXAMPLE_YAML = EXAMPLE_FILE.read_text(encoding="utf-8")
EXAMPLE_DOCUMENT: dict[str, Any] = yaml.safe_load(EXAMPLE_YAML)
EXAMPLE_JSON = json.dumps(EXAMPLE_DOCUMENT, indent=2)


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Module-scoped: hypothesis runs every example of a test in one call of it.
    return tmp_path_factory.mktemp("fuzzed-config")


def load(directory: Path, name: str, raw: bytes) -> ConfigFileError | None:
    """Load ``raw`` as the file ``name``; check and return the error it gives, if any."""
    path = directory / name
    path.write_bytes(raw)
    try:
        load_config_file(path)
    except ConfigFileError as error:
        check_error(error, raw, yaml_file=not name.endswith(".json"))
        return error
    return None


def check_error(error: ConfigFileError, raw: bytes, *, yaml_file: bool) -> None:
    """Every error listed, each one line, in line order, at a line of the file or of none."""
    assert error.errors
    text = raw.decode("utf-8", "replace")
    last_line = len(text.splitlines()) + 1  # a mark may point past the last line break
    for line, config_error in error.errors:
        assert isinstance(config_error, ConfigError), config_error
        assert config_error.message, config_error
        assert line is None or 1 <= line <= last_line, (line, config_error)
        if yaml_file and line is None:
            assert about_the_whole_file(config_error, raw), config_error
    numbers = [line or 0 for line, _ in error.errors]
    assert numbers == sorted(numbers)
    # As `config validate` prints them: one line each, nothing else.
    assert str(error).splitlines() == list(error.lines())
    assert len(list(error.lines())) == len(error.errors)


def about_the_whole_file(config_error: ConfigError, raw: bytes) -> bool:
    """A YAML error with no line: the file cannot be read, or holds no document at all."""
    if config_error.message.startswith("cannot read the file"):
        return True
    return config_error.location == () and yaml.compose(raw.decode()) is None


# --- mutations of the example file ------------------------------------------------------------

# Values of every YAML type, some of them hard to read: the replacement for a line's value.
ODD_VALUES = [
    "",
    "null",
    "~",
    "true",
    "no",
    "0",
    "-1.5e300",
    ".nan",
    "0x" + "f" * 40,
    "9" * 5000,  # more digits than Python reads into an int
    "2026-02-30",  # a date pattern, no such day
    "2026-01-01 25:61:61",
    "!!timestamp x",
    "!!int x",
    "!!float x",
    "!!binary '@@'",
    "!!python/object:os.system x",
    "[]",
    "{}",
    "[1, [2, [3]]]",
    "{a: 1, a: 2}",
    "&loop [*loop]",
    "*undefined",
    "[" * 1000,
    "|",
    "'unterminated",
    '"\\x"',
    "a: b: c",
    "- item",
    "'text'",
    "{path: is_passing, op: regex, value: 'a{4294967296}'}",
    "{path: is_passing, op: regex, value: '" + "(" * 500 + ")" * 500 + "'}",
]
# Characters YAML treats specially: tab, BOM, line breaks JSON does not know, one it forbids.
SPECIAL_CHARACTERS = st.sampled_from(["\t", "\r", "\x7f", "\x85", "\ufeff", "\u2028"])
UNICODE = st.text(min_size=1, max_size=8) | SPECIAL_CHARACTERS


def split_value(line: str) -> tuple[str, str] | None:
    """``(head, value)`` of a ``key: value`` line, or None."""
    head, sep, value = line.partition(": ")
    return (head, value) if sep and value.strip() else None


@st.composite
def line_mutation(draw: st.DrawFn, lines: list[str]) -> list[str]:
    """One change to a file's lines."""
    lines = list(lines)
    if not lines:
        return [draw(UNICODE)]
    at = draw(st.integers(0, len(lines) - 1))
    kind = draw(
        st.sampled_from(
            ["delete", "repeat", "swap", "indent", "value", "insert", "characters", "truncate"]
        )
    )
    if kind == "delete":
        del lines[at]
    elif kind == "repeat":
        lines.insert(at, lines[at])
    elif kind == "swap":
        other = draw(st.integers(0, len(lines) - 1))
        lines[at], lines[other] = lines[other], lines[at]
    elif kind == "indent":
        stripped = lines[at].lstrip(" ")
        indent = draw(st.sampled_from(["", " ", "   ", "\t", "  \t", " " * 40]))
        lines[at] = indent + stripped
    elif kind == "value":
        split = split_value(lines[at].rstrip("\n"))
        if split is not None:
            value = draw(st.sampled_from(ODD_VALUES) | UNICODE)
            lines[at] = f"{split[0]}: {value}\n"
    elif kind == "insert":
        lines.insert(at, draw(UNICODE) + "\n")
    elif kind == "characters":
        column = draw(st.integers(0, len(lines[at])))
        lines[at] = lines[at][:column] + draw(UNICODE) + lines[at][column:]
    else:
        column = draw(st.integers(0, len(lines[at])))
        lines = [*lines[:at], lines[at][:column]]
    return lines


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` after one to four line mutations."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        lines = draw(line_mutation(lines))
    return "".join(lines)


@settings(max_examples=700, deadline=None)
@given(text=mutated(EXAMPLE_YAML))
def test_a_mutated_yaml_config_gives_located_errors(config_dir: Path, text: str) -> None:
    load(config_dir, "badges.yaml", text.encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(text=mutated(EXAMPLE_JSON))
def test_a_mutated_json_config_gives_located_errors(config_dir: Path, text: str) -> None:
    load(config_dir, "badges.json", text.encode("utf-8", "surrogatepass"))


# --- values of another type, anywhere in the document -----------------------------------------


def node_paths(node: Any, here: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every path in a document, the document's own (``()``) first."""
    yield here
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in children:
        yield from node_paths(child, (*here, key))


EXAMPLE_PATHS = list(node_paths(EXAMPLE_DOCUMENT))
YAML_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.dates()
    | st.datetimes(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def with_node(document: Any, path: tuple[str | int, ...], value: Any) -> Any:
    if not path:
        return value
    changed = copy.deepcopy(document)
    target = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return changed


@settings(max_examples=400, deadline=None)
@given(
    changes=st.lists(
        st.tuples(st.sampled_from(EXAMPLE_PATHS), YAML_VALUES), min_size=1, max_size=3
    ),
    as_json=st.booleans(),
)
def test_values_of_another_type_are_errors_at_their_line(
    config_dir: Path, changes: list[tuple[tuple[str | int, ...], Any]], as_json: bool
) -> None:
    document: Any = EXAMPLE_DOCUMENT
    for path, value in changes:
        try:
            document = with_node(document, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the place
    if as_json:
        raw = json.dumps(document, indent=2, default=str).encode()
        error = load(config_dir, "badges.json", raw)
    else:
        raw = yaml.safe_dump(document, sort_keys=False).encode()
        error = load(config_dir, "badges.yaml", raw)
    if error is not None and isinstance(document, dict):
        # A document that is a mapping has a line for every error: its own at worst.
        assert all(line is not None for line, _ in error.errors), error


# --- random text and bytes --------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200), name=st.sampled_from(["badges.yaml", "badges.json"]))
def test_random_text_gives_located_errors(config_dir: Path, text: str, name: str) -> None:
    load(config_dir, name, text.encode())


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=200), name=st.sampled_from(["badges.yaml", "badges.json"]))
def test_random_bytes_give_errors(config_dir: Path, raw: bytes, name: str) -> None:
    load(config_dir, name, raw)


# --- found by fuzzing: each raised an exception or lost its line ------------------------------

RULE_FILE = f"""\
templates:
  - id: python
    name: Python
    requirements:
      - id: py101
        event_type: {COURSE_PASSING_STATUS}
        rules:
          - {{path: course.course_key, op: regex, value: '{{pattern}}'}}
"""


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("templates: []\nstarts: 2026-02-30\n", 2),
        ("templates: []\nlimit: " + "9" * 5000 + "\n", 2),
        ("templates: []\nwhen: !!timestamp x\n", 2),
        ("templates: []\nname: \x7f\n", 2),
        ("templates:\n  - " + "[" * 1000 + "\n", 2),
        ("templates: &loop [*loop]\n", 1),
        (RULE_FILE.replace("{pattern}", "a{4294967296}"), 8),
        (RULE_FILE.replace("{pattern}", "(" * 500 + ")" * 500), 8),
    ],
    ids=[
        "no-such-day",
        "int-too-long",
        "bad-timestamp",
        "forbidden-character",
        "deep-nesting",
        "self-alias",
        "regex-repeat-overflow",
        "regex-deep-groups",
    ],
)
def test_a_yaml_file_that_raised_gives_an_error_at_its_line(
    tmp_path: Path, text: str, line: int
) -> None:
    error = load(tmp_path, "badges.yaml", text.encode())
    assert error is not None
    assert [number for number, _ in error.errors][:1] == [line]


ISSUER_FILE = f"""\
templates:
  - id: python
    name: Python
    issuer: {{provider: {{provider}}}}
    requirements:
      - {{id: py101, event_type: {COURSE_PASSING_STATUS}}}
"""


@pytest.mark.parametrize(
    ("provider", "message"),
    [
        ("[credly]", "unknown provider \"['credly']\""),
        ("{a: 1}", "unknown provider \"{'a': 1}\""),
        ('"\\x1e"', "unknown provider '\\x1e'"),  # a line break, to str.splitlines
    ],
    ids=["list", "mapping", "line-break"],
)
def test_a_provider_that_is_no_name_is_one_error_on_one_line(
    tmp_path: Path, provider: str, message: str
) -> None:
    error = load(tmp_path, "badges.yaml", ISSUER_FILE.replace("{provider}", provider).encode())
    assert error is not None
    assert [(line, e.where) for line, e in error.errors] == [(4, "templates[0].issuer")]
    assert error.errors[0][1].message.startswith(message)


def test_a_key_holding_a_line_break_is_quoted_in_its_location(tmp_path: Path) -> None:
    error = load(tmp_path, "badges.yaml", b'templates: []\n"a\\rb": 1\n')
    assert error is not None
    assert [(line, e.where) for line, e in error.errors] == [(2, "['a\\rb']")]


@pytest.mark.parametrize(
    "text",
    ['{"templates": ' + "9" * 5000 + "}", '{"templates": ' + "[" * 5000 + "}"],
    ids=["int-too-long", "deep-nesting"],
)
def test_a_json_file_that_raised_gives_an_error(tmp_path: Path, text: str) -> None:
    assert load(tmp_path, "badges.json", text.encode()) is not None


def test_json_with_a_character_yaml_forbids_keeps_its_lines(tmp_path: Path) -> None:
    text = '{\n  "templates": [],\n  "note": "\x7f"\n}\n'
    error = load(tmp_path, "badges.json", text.encode())
    assert error is not None
    assert [(line, e.where) for line, e in error.errors] == [(3, "note")]


def test_json_that_yaml_cannot_read_still_lists_its_errors(tmp_path: Path) -> None:
    # YAML limits an implicit key to 1024 characters; JSON does not.
    text = json.dumps({"templates": [], "k" * 2000: 1})
    error = load(tmp_path, "badges.json", text.encode())
    assert error is not None
    assert [e.where for _, e in error.errors] == ["k" * 2000]
