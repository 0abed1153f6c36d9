"""Find the requirements (or penalties) an event matches without testing every one of them.

A config names one course in most requirements (``course.course_key eq …``): testing each
requirement of an event type against each event costs a rule evaluation per requirement, which
grows with the catalogue. So each requirement with an ``eq`` rule is filed under that rule's
path and the text of its value; an event whose value at that path is a string then reaches only
the requirements filed under that string. The result is exactly what testing every requirement
gives, in the same order (the unit tests compare both on random configs):

- for a string in the event, ``eq`` is a comparison of texts (``_Typed.equals``), so a
  requirement filed under another text cannot match;
- any other value (a number, a boolean, a missing path) is tested against every requirement of
  the path, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from faust_badges.core.operators import MISSING, Operator, as_text, resolve_path


class _Matchable(Protocol):
    @property
    def rules(self) -> tuple[Any, ...]: ...  # CompiledRule (core/index.py), which imports this

    def matches(self, data: Mapping[str, Any]) -> bool: ...


Item = TypeVar("Item", bound=_Matchable)


@dataclass(frozen=True, slots=True)
class _PathIndex(Generic[Item]):
    """The items whose ``eq`` rule reads ``parts``, by the text they want there."""

    parts: tuple[str, ...]
    by_text: Mapping[str, tuple[tuple[int, Item], ...]]
    every: tuple[tuple[int, Item], ...]  # for a value that is not a string

    def candidates(self, data: Mapping[str, Any]) -> tuple[tuple[int, Item], ...]:
        actual = resolve_path(data, self.parts)
        if actual is MISSING:
            return ()  # an ``eq`` rule never matches a missing value
        if isinstance(actual, str):
            return self.by_text.get(actual, ())
        return self.every


class RuleIndex(Generic[Item]):
    """The items of one event type, filed for ``matching``."""

    def __init__(self, items: Sequence[Item]) -> None:
        unfiled: list[tuple[int, Item]] = []
        filed: dict[tuple[str, ...], dict[str, list[tuple[int, Item]]]] = {}
        for position, item in enumerate(items):
            key = _filing_key(item)
            if key is None:
                unfiled.append((position, item))
            else:
                parts, text = key
                filed.setdefault(parts, {}).setdefault(text, []).append((position, item))
        self._unfiled = tuple(unfiled)
        self._paths = tuple(
            _PathIndex(
                parts,
                {text: tuple(entries) for text, entries in by_text.items()},
                tuple(sorted((e for entries in by_text.values() for e in entries), key=_position)),
            )
            for parts, by_text in filed.items()
        )
        self._single_path = len(self._paths) == 1 and not self._unfiled

    def matching(self, data: Mapping[str, Any]) -> list[Item]:
        """The items whose rules all match ``data``, in the order they were given."""
        if self._single_path:  # the common case: every item names a course
            return [item for _, item in self._paths[0].candidates(data) if item.matches(data)]
        found = [entry for entry in self._unfiled if entry[1].matches(data)]
        for path in self._paths:
            found.extend(entry for entry in path.candidates(data) if entry[1].matches(data))
        if len(self._paths) + bool(self._unfiled) > 1:
            found.sort(key=_position)
        return [item for _, item in found]


def _position(entry: tuple[int, Any]) -> int:
    return int(entry[0])


def _filing_key(item: _Matchable) -> tuple[tuple[str, ...], str] | None:
    """The path and wanted text of the item's ``eq`` rule that tells items apart best: one
    wanting a string (a course key) before one wanting a boolean or number (``is_passing``,
    whose events carry a boolean: those go to every item of the path)."""
    equalities = [rule for rule in item.rules if rule.rule.op is Operator.EQ]
    if not equalities:
        return None
    textual = [rule for rule in equalities if isinstance(rule.rule.value, str)]
    chosen = (textual or equalities)[0]
    return chosen.parts, as_text(chosen.rule.value)
