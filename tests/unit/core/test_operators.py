"""Rule operators and typed comparison (SPEC §4)."""

from __future__ import annotations

from typing import Any

import pytest

from faust_badges.core.operators import (
    MISSING,
    Operator,
    check_rule_value,
    compile_predicate,
    resolve_path,
)


def matches(op: str, config_value: Any, event_value: Any) -> bool:
    """Whether a rule ``op config_value`` matches the value found at the rule's path."""
    return compile_predicate(Operator(op), config_value)(event_value)


def matches_at(path: str, op: str, config_value: Any, data: dict[str, Any]) -> bool:
    """Whether a rule on ``path`` matches the event data object (path resolution included)."""
    return matches(op, config_value, resolve_path(data, tuple(path.split("."))))


# --- booleans -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config_value", "event_value", "expected"),
    [
        (True, True, True),
        (False, False, True),
        (True, False, False),
        ("true", True, True),
        ("TRUE", True, True),
        ("yes", True, True),
        ("Yes", True, True),
        ("false", False, True),
        ("no", False, True),
        ("no", True, False),
        ("yes", False, False),
    ],
)
def test_eq_compares_a_boolean_event_value_as_a_boolean(
    config_value: Any, event_value: bool, expected: bool
) -> None:
    assert matches("eq", config_value, event_value) is expected


@pytest.mark.parametrize("config_value", [1, 0, "1", "0", "on", "maybe"])
def test_eq_never_matches_a_boolean_event_value_with_a_non_boolean_config_value(
    config_value: Any,
) -> None:
    assert matches("eq", config_value, True) is False
    assert matches("eq", config_value, False) is False


def test_config_yes_compared_with_an_event_string_yes_is_a_string_comparison() -> None:
    assert matches("eq", "yes", "yes") is True


def test_config_yes_does_not_match_an_event_string_true() -> None:
    # "yes" means True only when the event value is a boolean.
    assert matches("eq", "yes", "true") is False


def test_config_boolean_true_matches_the_event_string_true_as_text() -> None:
    assert matches("eq", True, "true") is True


def test_config_boolean_true_does_not_match_the_event_string_yes() -> None:
    assert matches("eq", True, "yes") is False


def test_event_number_one_is_not_the_boolean_true() -> None:
    assert matches("eq", True, 1) is False


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize("config_value", [3, 3.0, "3", "3.0", " 3 "])
def test_eq_compares_a_numeric_event_value_as_a_number(config_value: Any) -> None:
    assert matches("eq", config_value, 3) is True


@pytest.mark.parametrize("config_value", [4, "4", "three", True])
def test_eq_does_not_match_a_numeric_event_value_with_a_different_or_non_numeric_value(
    config_value: Any,
) -> None:
    assert matches("eq", config_value, 3) is False


def test_eq_compares_a_float_event_value_as_a_number() -> None:
    assert matches("eq", "2.5", 2.5) is True


def test_string_event_value_against_numeric_config_is_a_string_comparison() -> None:
    assert matches("eq", 3, "3") is True


def test_string_event_value_3_0_is_not_equal_to_config_3_as_strings() -> None:
    # The event's value is a string, so it compares as a string: "3.0" != "3".
    assert matches("eq", 3, "3.0") is False


def test_config_float_with_integral_value_compares_to_an_event_string_as_its_integer_text() -> None:
    assert matches("eq", 3.0, "3") is True


# --- strings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config_value", "event_value", "expected"),
    [
        ("course-v1:edX+Py101+2026", "course-v1:edX+Py101+2026", True),
        ("course-v1:edX+Py101+2026", "course-v1:edX+Py201+2026", False),
        ("Python", "python", False),
    ],
)
def test_eq_compares_strings_exactly(config_value: str, event_value: str, expected: bool) -> None:
    assert matches("eq", config_value, event_value) is expected


# --- ne -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config_value", "event_value", "expected"),
    [
        ("course-v1:A", "course-v1:B", True),
        ("course-v1:A", "course-v1:A", False),
        (True, False, True),
        ("yes", True, False),
        (3, 3.0, False),
        ("3", 4, True),
    ],
)
def test_ne_is_the_typed_negation_of_eq(
    config_value: Any, event_value: Any, expected: bool
) -> None:
    assert matches("ne", config_value, event_value) is expected


# --- in / not_in ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "event_value", "expected"),
    [
        (["course-v1:A", "course-v1:B"], "course-v1:B", True),
        (["course-v1:A", "course-v1:B"], "course-v1:C", False),
        ([1, 2, 3], 2, True),
        (["1", "2"], 2, True),
        ([1, 2], 2.5, False),
        (["yes"], True, True),
        ([False], True, False),
    ],
)
def test_in_matches_when_any_option_equals_the_event_value(
    options: list[Any], event_value: Any, expected: bool
) -> None:
    assert matches("in", options, event_value) is expected


@pytest.mark.parametrize(
    ("options", "event_value", "expected"),
    [
        (["course-v1:A", "course-v1:B"], "course-v1:C", True),
        (["course-v1:A", "course-v1:B"], "course-v1:A", False),
        ([1, 2], 3, True),
        ([1, 2], 2.0, False),
    ],
)
def test_not_in_matches_when_no_option_equals_the_event_value(
    options: list[Any], event_value: Any, expected: bool
) -> None:
    assert matches("not_in", options, event_value) is expected


# --- ordering: numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "bound", "event_value", "expected"),
    [
        ("gt", 5, 6, True),
        ("gt", 5, 5, False),
        ("gte", 5, 5, True),
        ("gte", 5, 4.99, False),
        ("lt", 5, 4, True),
        ("lt", 5, 5, False),
        ("lte", 5, 5, True),
        ("lte", 5, 5.01, False),
        ("gte", "0.8", 0.85, True),
        ("lt", -1, -2, True),
    ],
)
def test_ordering_operators_compare_numbers(
    op: str, bound: Any, event_value: Any, expected: bool
) -> None:
    assert matches(op, bound, event_value) is expected


@pytest.mark.parametrize(
    ("op", "bound", "event_value", "expected"),
    [
        ("gte", 0.8, "0.85", True),
        ("gte", 0.8, "0.75", False),
        ("gt", 10, "9", False),  # as numbers 9 < 10, although "9" > "10" as strings
        ("lt", 10, "9", True),
    ],
)
def test_ordering_operators_read_numeric_event_strings_as_numbers(
    op: str, bound: Any, event_value: str, expected: bool
) -> None:
    assert matches(op, bound, event_value) is expected


@pytest.mark.parametrize("event_value", ["high", "", True, False, {"grade": 1}, [1]])
def test_ordering_against_a_number_is_false_for_a_non_numeric_event_value(
    event_value: Any,
) -> None:
    for op in ("gt", "gte", "lt", "lte"):
        assert matches(op, 0, event_value) is False


# --- ordering: ISO dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "bound", "event_value", "expected"),
    [
        ("gte", "2026-01-01", "2026-01-01", True),
        ("gt", "2026-01-01", "2026-01-02", True),
        ("gt", "2026-01-01", "2025-12-31", False),
        ("lt", "2026-01-01", "2025-12-31T23:59:59", True),
        ("gte", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00+00:00", True),
        ("gt", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", True),
        ("lte", "2026-06-01T12:00:00+02:00", "2026-06-01T10:00:00Z", True),
        ("lt", "2026-06-01T12:00:00+02:00", "2026-06-01T10:00:00Z", False),
        ("gt", "2026-06-01T12:00:00+02:00", "2026-06-01T10:00:01Z", True),
    ],
)
def test_ordering_operators_compare_iso_dates(
    op: str, bound: str, event_value: str, expected: bool
) -> None:
    assert matches(op, bound, event_value) is expected


def test_a_date_without_timezone_is_read_as_utc() -> None:
    assert matches("gte", "2026-01-01T10:00:00+00:00", "2026-01-01T10:00:00") is True
    assert matches("lt", "2026-01-01T10:00:00+00:00", "2026-01-01T10:00:00") is False


def test_a_date_only_value_is_midnight_utc() -> None:
    assert matches("lt", "2026-01-01T00:00:01Z", "2026-01-01") is True
    assert matches("gte", "2026-01-01T00:00:00Z", "2026-01-01") is True


@pytest.mark.parametrize("event_value", ["not a date", "2026-13-45", 20260101, True])
def test_ordering_against_a_date_is_false_for_a_value_that_is_not_an_iso_date(
    event_value: Any,
) -> None:
    assert matches("gte", "2026-01-01", event_value) is False
    assert matches("lte", "2026-01-01", event_value) is False


# --- exists ---------------------------------------------------------------------------------


@pytest.mark.parametrize("event_value", ["x", "", 0, False, {"a": 1}])
def test_exists_true_matches_any_present_value_even_falsy_ones(event_value: Any) -> None:
    assert matches("exists", True, event_value) is True
    assert matches("exists", False, event_value) is False


def test_exists_true_is_false_for_a_missing_value() -> None:
    assert matches("exists", True, MISSING) is False


def test_exists_false_matches_a_missing_value() -> None:
    assert matches("exists", False, MISSING) is True


@pytest.mark.parametrize(("word", "wanted"), [("yes", True), ("no", False), ("true", True)])
def test_exists_accepts_yes_no_words(word: str, wanted: bool) -> None:
    assert matches("exists", word, "present") is wanted


# --- regex ----------------------------------------------------------------------------------


def test_regex_matches_the_whole_value() -> None:
    assert matches("regex", r"course-v1:edX\+MLIntro\+20\d\d", "course-v1:edX+MLIntro+2026")


def test_regex_is_a_full_match_not_a_search() -> None:
    assert matches("regex", r"MLIntro", "course-v1:edX+MLIntro+2026") is False


def test_regex_does_not_match_a_prefix_only() -> None:
    assert matches("regex", r"course-v1:edX\+Py\d+", "course-v1:edX+Py101+2026") is False


def test_regex_matches_against_the_text_form_of_a_number() -> None:
    assert matches("regex", r"\d{3}", 101) is True


def test_regex_matches_against_the_text_form_of_a_boolean() -> None:
    assert matches("regex", r"true|false", True) is True


# --- missing path and null ------------------------------------------------------------------

EVENT_DATA: dict[str, Any] = {
    "is_passing": True,
    "course": {"course_key": "course-v1:edX+Py101+2026", "start": None},
    "user": {"id": 7, "pii": {"username": "ada", "email": "ada@example.org"}},
}

# Every operator with a config value that would match *some* present value.
ALL_BUT_EXISTS: list[tuple[str, Any]] = [
    ("eq", "x"),
    ("ne", "x"),
    ("in", ["x"]),
    ("not_in", ["x"]),
    ("gt", 0),
    ("gte", 0),
    ("lt", 0),
    ("lte", 0),
    ("gt", "2026-01-01"),
    ("lt", "2026-01-01"),
    ("regex", ".*"),
    ("exists", True),
]


@pytest.mark.parametrize(("op", "config_value"), ALL_BUT_EXISTS)
def test_every_operator_but_exists_false_is_false_on_a_missing_path(
    op: str, config_value: Any
) -> None:
    assert matches_at("course.course_kye", op, config_value, EVENT_DATA) is False


@pytest.mark.parametrize(("op", "config_value"), ALL_BUT_EXISTS)
def test_every_operator_but_exists_false_is_false_on_a_null_value(
    op: str, config_value: Any
) -> None:
    assert matches_at("course.start", op, config_value, EVENT_DATA) is False


def test_ne_on_a_misspelt_path_is_false() -> None:
    # The reference compared the string "None" and so let `ne` match a misspelt path.
    assert matches_at("is_pasing", "ne", False, EVENT_DATA) is False


def test_a_null_value_is_not_the_text_none() -> None:
    assert matches_at("course.start", "eq", "None", EVENT_DATA) is False
    assert matches_at("course.start", "ne", "None", EVENT_DATA) is False


def test_exists_false_matches_a_misspelt_path() -> None:
    assert matches_at("course.course_kye", "exists", False, EVENT_DATA) is True


def test_exists_false_matches_a_null_value() -> None:
    assert matches_at("course.start", "exists", False, EVENT_DATA) is True


# --- resolve_path ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("is_passing", True),
        ("course.course_key", "course-v1:edX+Py101+2026"),
        ("user.pii.email", "ada@example.org"),
        ("user.id", 7),
        ("course", EVENT_DATA["course"]),
    ],
)
def test_resolve_path_follows_nested_mappings(path: str, expected: Any) -> None:
    assert resolve_path(EVENT_DATA, tuple(path.split("."))) == expected


@pytest.mark.parametrize(
    "path",
    [
        "missing",
        "course.missing",
        "user.pii.email.domain",  # a string is not a mapping
        "is_passing.value",  # a boolean is not a mapping
        "course.start.year",  # through a null
        "course.start",  # a null itself
    ],
)
def test_resolve_path_is_missing_when_the_path_does_not_lead_to_a_value(path: str) -> None:
    assert resolve_path(EVENT_DATA, tuple(path.split("."))) is MISSING


def test_resolve_path_does_not_index_into_lists() -> None:
    assert resolve_path({"items": [{"id": 1}]}, ("items", "0", "id")) is MISSING


def test_resolve_path_on_non_mapping_data_is_missing() -> None:
    assert resolve_path(["not", "a", "mapping"], ("a",)) is MISSING


# --- check_rule_value -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value"),
    [
        ("eq", ["a", "b"]),
        ("eq", None),
        ("eq", {"a": 1}),
        ("ne", ["a"]),
        ("eq", float("nan")),
        ("in", []),
        ("in", "course-v1:A"),
        ("not_in", []),
        ("in", [["nested"]]),
        ("in", [None]),
        ("gt", "abc"),
        ("gte", None),
        ("lt", True),
        ("lte", [1]),
        ("exists", "maybe"),
        ("exists", None),
        ("exists", 1),
        ("regex", "course-v1:(unclosed"),
        ("regex", 42),
    ],
)
def test_check_rule_value_rejects_a_value_that_does_not_fit_the_operator(
    op: str, value: Any
) -> None:
    with pytest.raises(ValueError, match=op):
        check_rule_value(Operator(op), value)


@pytest.mark.parametrize(
    ("op", "value"),
    [
        ("eq", "course-v1:A"),
        ("eq", True),
        ("eq", 3),
        ("eq", 2.5),
        ("ne", "yes"),
        ("in", ["a", 1, True]),
        ("not_in", ["a"]),
        ("gt", 5),
        ("gte", "0.8"),
        ("lt", "2026-01-01"),
        ("lte", "2026-01-01T00:00:00Z"),
        ("exists", True),
        ("exists", "no"),
        ("regex", r"course-v1:edX\+.*"),
    ],
)
def test_check_rule_value_accepts_a_value_that_fits_the_operator(op: str, value: Any) -> None:
    check_rule_value(Operator(op), value)


def test_check_rule_value_names_the_bad_regex() -> None:
    with pytest.raises(ValueError, match="does not compile"):
        check_rule_value(Operator.REGEX, "(")
