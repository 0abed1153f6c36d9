"""Rule operators and typed comparison (SPEC §4).

The event's value decides how a rule compares: a boolean compares as a boolean, a number as a
number, anything else as a string. Ordering operators compare numbers, or ISO dates. A missing
path (or a null value) makes every operator false except ``exists: false``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any


class Operator(StrEnum):
    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    EXISTS = "exists"
    REGEX = "regex"


ORDERING = frozenset({Operator.GT, Operator.GTE, Operator.LT, Operator.LTE})
_TRUE_WORDS = frozenset({"true", "yes"})
_FALSE_WORDS = frozenset({"false", "no"})


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def as_bool(value: Any) -> bool | None:
    """The config value as a boolean (true/false/yes/no accepted), or None if it is not one."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def as_number(value: Any) -> float | int | None:
    """The value as a finite number, or None. Booleans are not numbers here."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def as_datetime(value: Any) -> datetime | None:
    """The value as an aware datetime (naive means UTC), or None if it is not an ISO date."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):  # an unquoted YAML date
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and len(value) >= 10 and value[:4].isdigit():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_text(value: Any) -> str:
    """The canonical string form used for string comparison (``true``, ``3``, ``2.5``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def check_rule_value(op: Operator, value: Any) -> None:
    """Raise ValueError when ``value`` cannot be used with ``op`` (checked once, at config time)."""
    if op in (Operator.EQ, Operator.NE):
        if not _is_scalar(value):
            raise ValueError(f"'{op}' needs a string, number or boolean value, got {value!r}")
    elif op in (Operator.IN, Operator.NOT_IN):
        if not isinstance(value, list | tuple) or not value:
            raise ValueError(f"'{op}' needs a non-empty list of values, got {value!r}")
        bad = [item for item in value if not _is_scalar(item)]
        if bad:
            raise ValueError(f"'{op}' list items must be strings, numbers or booleans: {bad!r}")
    elif op in ORDERING:
        if as_number(value) is None and as_datetime(value) is None:
            raise ValueError(f"'{op}' needs a number or an ISO date, got {value!r}")
    elif op is Operator.EXISTS:
        if as_bool(value) is None:
            raise ValueError(f"'exists' needs true or false, got {value!r}")
    elif op is Operator.REGEX:
        if not isinstance(value, str):
            raise ValueError(f"'regex' needs a pattern string, got {value!r}")
        try:
            re.compile(value)
        # Not only re.error: a repeat count past the engine's limit (a{4294967296}) overflows,
        # and a few hundred nested groups exhaust the parser's recursion.
        except (re.error, OverflowError, RecursionError) as exc:
            raise ValueError(f"'regex' pattern {value!r} does not compile: {exc}") from None


def _is_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str | bool | int | date)


# A compiled predicate takes the event's value at the rule's path (or MISSING).
Predicate = Callable[[Any], bool]


def compile_predicate(op: Operator, value: Any) -> Predicate:
    """Turn ``op value`` into a predicate on the event's value; the config value is parsed once."""
    if op is Operator.EXISTS:
        wanted = as_bool(value)
        return lambda actual: (actual is not MISSING) is wanted
    if op is Operator.EQ:
        expected = _Typed(value)
        return lambda actual: actual is not MISSING and expected.equals(actual)
    if op is Operator.NE:
        expected = _Typed(value)
        return lambda actual: actual is not MISSING and not expected.equals(actual)
    if op is Operator.IN:
        options = [_Typed(item) for item in value]
        return lambda actual: actual is not MISSING and any(o.equals(actual) for o in options)
    if op is Operator.NOT_IN:
        options = [_Typed(item) for item in value]
        return lambda actual: actual is not MISSING and not any(o.equals(actual) for o in options)
    if op is Operator.REGEX:
        pattern = re.compile(value)
        return lambda actual: actual is not MISSING and bool(pattern.fullmatch(as_text(actual)))
    return _ordering(op, value)


class _Typed:
    """A config value with its boolean, numeric and text readings worked out in advance."""

    __slots__ = ("boolean", "number", "text")

    def __init__(self, value: Any) -> None:
        self.boolean = as_bool(value)
        self.number = as_number(value)
        self.text = as_text(value)

    def equals(self, actual: Any) -> bool:
        if isinstance(actual, bool):
            return self.boolean is not None and self.boolean == actual
        if isinstance(actual, int | float):
            return self.number is not None and self.number == actual
        return self.text == as_text(actual)


_ORDER_TESTS: dict[Operator, Callable[[int], bool]] = {
    Operator.GT: lambda sign: sign > 0,
    Operator.GTE: lambda sign: sign >= 0,
    Operator.LT: lambda sign: sign < 0,
    Operator.LTE: lambda sign: sign <= 0,
}


def _ordering(op: Operator, value: Any) -> Predicate:
    bound_number = as_number(value)
    bound_moment = as_datetime(value) if bound_number is None else None
    test = _ORDER_TESTS[op]

    def predicate(actual: Any) -> bool:
        if actual is MISSING or isinstance(actual, bool):
            return False
        if bound_number is not None:
            number = as_number(actual)
            if number is None:
                return False
            return test((number > bound_number) - (number < bound_number))
        moment = as_datetime(actual)
        if moment is None or bound_moment is None:
            return False
        return test((moment > bound_moment) - (moment < bound_moment))

    return predicate


def resolve_path(data: Any, parts: tuple[str, ...]) -> Any:
    """The value at a dot path in the event data, or MISSING (a null counts as missing)."""
    current = data
    for part in parts:
        if isinstance(current, dict):
            if part not in current:
                return MISSING
            current = current[part]
        else:
            return MISSING
        if current is None:
            return MISSING
    return current
