"""``RuleIndex``: the items an event matches, found without testing each one.

Whatever the filing, the answer must be what testing every item gives, in the same order; the
property test compares the two on random items and events, the examples pin down the cases the
filing treats specially (strings, other values, missing paths, unfiled items, order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from faust_badges.core.config import Requirement, Rule
from faust_badges.core.config_checks import parse_config
from faust_badges.core.event_types import CCX_COURSE_PASSING_STATUS, COURSE_PASSING_STATUS
from faust_badges.core.index import CompiledPenalty, CompiledRequirement, CompiledRule, ConfigIndex
from faust_badges.core.matching import RuleIndex
from faust_badges.core.operators import Operator, as_bool, as_number, as_text
from tests.unit.core.builders import course

COURSE_A, COURSE_B, COURSE_C = (course(name) for name in ("a", "b", "c"))
PATHS = ("course.course_key", "is_passing", "grade", "a.b")


def make_rule(path: str, op: str, value: Any) -> Rule:
    return Rule(path=path, op=Operator(op), value=value)


def item(requirement_id: str, *rules: Rule) -> CompiledRequirement:
    """A compiled requirement as ``ConfigIndex`` builds it (the id tells items apart)."""
    requirement = Requirement(id=requirement_id, event_type=COURSE_PASSING_STATUS, rules=rules)
    return CompiledRequirement("tpl", requirement, tuple(CompiledRule.build(r) for r in rules))


def on_course(requirement_id: str, course_key: Any, *rules: Rule) -> CompiledRequirement:
    """An item filed under ``course.course_key`` (its first ``eq`` rule)."""
    return item(requirement_id, make_rule("course.course_key", "eq", course_key), *rules)


def ids(items: Sequence[CompiledRequirement]) -> list[str]:
    return [i.requirement.id for i in items]


def brute_force(
    items: Sequence[CompiledRequirement], data: Mapping[str, Any]
) -> list[CompiledRequirement]:
    """The reference: test every item."""
    return [i for i in items if i.matches(data)]


class Counted:
    """An item that records whether ``RuleIndex`` tested it."""

    def __init__(self, inner: CompiledRequirement, tested: list[str]) -> None:
        self.inner = inner
        self.tested = tested

    @property
    def rules(self) -> tuple[CompiledRule, ...]:
        return self.inner.rules

    def matches(self, data: Mapping[str, Any]) -> bool:
        self.tested.append(self.inner.requirement.id)
        return self.inner.matches(data)


def counted(items: Sequence[CompiledRequirement]) -> tuple[RuleIndex[Counted], list[str]]:
    """An index over ``items`` and the list of ids it tests, in the order it tests them."""
    tested: list[str] = []
    return RuleIndex([Counted(i, tested) for i in items]), tested


# --- property: the index agrees with testing every item ---------------------------------------

# Texts that read as booleans, numbers, dates, or as their canonical forms ("3" vs "3.0").
TEXTS = (COURSE_A, COURSE_B, "true", "TRUE", "yes", "false", "no", "3", "3.0", "2.5", "")
TEXTS_WITH_DATE = (*TEXTS, "2024-03-01")
SCALARS = st.one_of(
    st.sampled_from(TEXTS_WITH_DATE),
    st.sampled_from([0, 2, 3, -1]),
    st.sampled_from([2.5, 3.0, 0.0]),
    st.booleans(),
)
RULE_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "eq": st.one_of(SCALARS, st.just(date(2024, 3, 1))),
    "ne": SCALARS,
    "in": st.lists(SCALARS, min_size=1, max_size=3),
    "exists": st.sampled_from([True, False, "true", "no"]),
    "gt": st.sampled_from([0, 2, 2.5, "3", "2024-01-01"]),
}
# ``eq`` twice: it decides the filing, so most items should have one.
OPS = ("eq", "eq", "ne", "in", "exists", "gt")


def _valid_or_none(path: str, op: str, value: Any) -> Rule | None:
    try:
        return make_rule(path, op, value)
    except ValidationError:
        return None


rules_st = (
    st.tuples(st.sampled_from(PATHS), st.sampled_from(OPS))
    .flatmap(lambda po: st.tuples(st.just(po[0]), st.just(po[1]), RULE_VALUES[po[1]]))
    .map(lambda pov: _valid_or_none(*pov))
    .filter(lambda rule: rule is not None)
)
# Few values, so that items share them; some are equal as numbers or booleans but are filed
# under different texts ("3", "3.0"; "true", "yes", "TRUE").
CATALOGUE_VALUES = (COURSE_A, COURSE_B, "3", "3.0", 3, 3.0, "2.5", 2.5, True, "true", "yes", "TRUE")
course_eq_st = st.sampled_from(CATALOGUE_VALUES).map(
    lambda value: make_rule("course.course_key", "eq", value)
)
# Either any rules, or a catalogue where every item names a course first (one filing path).
any_items = st.lists(st.lists(rules_st, max_size=3), max_size=8)
course_items = st.lists(
    st.tuples(course_eq_st, st.lists(rules_st, max_size=1)).map(lambda t: [t[0], *t[1]]),
    min_size=2,
    max_size=8,
)

ANY_EVENT_VALUE = st.one_of(
    st.sampled_from(TEXTS_WITH_DATE),
    st.sampled_from([0, 2, 3, -1, 10**20]),
    st.sampled_from([2.5, 3.0, 0.0, -0.0, float("nan")]),
    st.booleans(),
    st.none(),
    st.just({"course_key": COURSE_A}),
    st.just([COURSE_A]),
)


def readings(rule: Rule) -> list[Any]:
    """Event values a rule may match: its value(s) as given, as text, number and boolean (``eq
    "3.0"`` matches ``"3.0"`` and ``3``, not ``"3"``), and above a ``gt`` bound."""
    values = rule.value if isinstance(rule.value, list | tuple) else [rule.value]
    found: list[Any] = []
    for value in values:
        found += [value, as_text(value), as_number(value), as_bool(value)]
    bound = as_number(rule.value)
    if rule.op is Operator.GT and bound is not None:
        found += [bound + 1, as_text(bound + 1)]
    return [value for value in found if value is not None]


def values_at(path: str, items: Sequence[CompiledRequirement]) -> st.SearchStrategy[Any]:
    """Values for the event at ``path``: mostly ones the items' rules on that path may match."""
    named = [
        value for i in items for r in i.rules if r.rule.path == path for value in readings(r.rule)
    ]
    if not named:
        return ANY_EVENT_VALUE
    return st.one_of(st.sampled_from(named), st.sampled_from(named), ANY_EVENT_VALUE)


def event_data(items: Sequence[CompiledRequirement]) -> st.SearchStrategy[dict[str, Any]]:
    """Event data with values for the items' rules at the paths, or a null, another shape, or
    nothing there."""

    def nested(key: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.fixed_dictionaries({key: values}),
            st.fixed_dictionaries({key: values}),
            st.fixed_dictionaries({}, optional={key: values}),
            values,
        )

    full = st.fixed_dictionaries(
        {
            "course": nested("course_key", values_at("course.course_key", items)),
            "is_passing": values_at("is_passing", items),
            "grade": values_at("grade", items),
            "a": nested("b", values_at("a.b", items)),
        }
    )
    left_out = st.sets(st.sampled_from(["course", "is_passing", "grade", "a"]), max_size=2)
    return st.tuples(full, left_out).map(
        lambda drop: {key: value for key, value in drop[0].items() if key not in drop[1]}
    )


def events_for(items: Sequence[CompiledRequirement]) -> st.SearchStrategy[dict[str, Any]]:
    """Events with values for any of the items, or aimed at one item (so that it, and the items
    wanting the same values, match)."""
    if not items:
        return event_data(items)
    return st.one_of(
        event_data(items), st.sampled_from(items).flatmap(lambda one: event_data([one]))
    )


@settings(max_examples=300, deadline=None)
@given(rule_lists=st.one_of(any_items, course_items), draw=st.data())
def test_the_index_finds_what_testing_every_item_finds_in_the_same_order(
    rule_lists: list[list[Rule]], draw: st.DataObject
) -> None:
    items = [item(f"r{n}", *rules) for n, rules in enumerate(rule_lists)]
    index = RuleIndex(items)
    for data in draw.draw(st.lists(events_for(items), min_size=1, max_size=5)):
        assert ids(index.matching(data)) == ids(brute_force(items, data)), data


# --- examples ---------------------------------------------------------------------------------


def test_a_course_key_reaches_only_the_requirements_filed_under_that_course() -> None:
    items = [on_course("ra", COURSE_A), on_course("rb", COURSE_B), on_course("rc", COURSE_C)]
    index, tested = counted(items)

    found = index.matching({"course": {"course_key": COURSE_B}})

    assert [f.inner.requirement.id for f in found] == ["rb"]
    assert tested == ["rb"]


def test_an_item_is_filed_under_its_string_eq_rule_before_a_boolean_one() -> None:
    passing = make_rule("is_passing", "eq", True)
    items = [
        item("ra", passing, make_rule("course.course_key", "eq", COURSE_A)),
        item("rb", passing, make_rule("course.course_key", "eq", COURSE_B)),
    ]
    index, tested = counted(items)

    found = index.matching({"course": {"course_key": COURSE_B}, "is_passing": True})

    assert [f.inner.requirement.id for f in found] == ["rb"]
    assert tested == ["rb"]  # filed under is_passing, both would have been tested


def test_a_string_reaches_the_items_filed_under_its_canonical_text() -> None:
    # eq 3.0 and eq true are filed as "3" and "true", the texts a string is compared with.
    items = [on_course("r-num", 3.0), on_course("r-bool", True), on_course("r-text", "3.0")]
    index = RuleIndex(items)

    for data, expected in [
        ({"course": {"course_key": "3"}}, ["r-num"]),
        ({"course": {"course_key": "true"}}, ["r-bool"]),
        ({"course": {"course_key": "3.0"}}, ["r-text"]),
        ({"course": {"course_key": "True"}}, []),
    ]:
        assert ids(index.matching(data)) == ids(brute_force(items, data)) == expected, data


def test_a_value_that_is_not_a_string_is_tested_against_every_item_of_its_path() -> None:
    # A number or boolean compares as such: eq "3.0" and eq "yes" match although their texts
    # ("3.0", "yes") differ from the value's ("3", "true").
    items = [
        on_course("r-3", "3"),
        on_course("r-3.0", "3.0"),
        on_course("r-yes", "yes"),
        on_course("r-true", "true"),
        on_course("r-2.5", "2.5"),
        on_course("r-a", COURSE_A),
    ]
    index = RuleIndex(items)

    for value, expected in [
        (3, ["r-3", "r-3.0"]),
        (3.0, ["r-3", "r-3.0"]),
        (2.5, ["r-2.5"]),
        (True, ["r-yes", "r-true"]),
        ({"key": COURSE_A}, []),
    ]:
        data = {"course": {"course_key": value}}
        assert ids(index.matching(data)) == ids(brute_force(items, data)) == expected, value


def test_a_missing_path_matches_no_item_filed_under_it() -> None:
    # ``exists: false`` matches a missing grade, but the missing course rules the items out.
    items = [
        on_course("ra", COURSE_A, make_rule("grade", "exists", False)),
        on_course("rb", COURSE_B),
    ]
    index, tested = counted(items)

    events: list[dict[str, Any]] = [{}, {"course": None}, {"course": {}}, {"course": COURSE_A}]
    for data in events:
        assert index.matching(data) == [], data
        assert brute_force(items, data) == [], data
    assert tested == []


def test_items_without_an_eq_rule_are_always_tested() -> None:
    items = [
        on_course("ra", COURSE_A),
        item("any-event"),  # no rules: matches every event of its type
        item("not-a", make_rule("course.course_key", "ne", COURSE_A)),
        item("a-or-b", make_rule("course.course_key", "in", [COURSE_A, COURSE_B])),
        item("graded", make_rule("grade", "exists", True)),
        item("high", make_rule("grade", "gt", 2)),
    ]
    index, tested = counted(items)

    found = [f.inner for f in index.matching({"course": {"course_key": COURSE_B}, "grade": 3})]

    assert ids(found) == ["any-event", "not-a", "a-or-b", "graded", "high"]
    assert sorted(tested) == sorted(["any-event", "not-a", "a-or-b", "graded", "high"])


def test_items_filed_under_different_paths_come_back_in_the_given_order() -> None:
    items = [
        item("r0", make_rule("grade", "eq", 3)),
        on_course("r1", COURSE_A),
        item("r2"),
        item("r3", make_rule("is_passing", "eq", True)),
        on_course("r4", COURSE_A, make_rule("a.b", "eq", "x")),
        item("r5", make_rule("a.b", "eq", "x")),
        item("r6", make_rule("grade", "gte", 3)),
    ]
    data = {"course": {"course_key": COURSE_A}, "grade": 3, "is_passing": True, "a": {"b": "x"}}

    assert ids(RuleIndex(items).matching(data)) == [f"r{n}" for n in range(7)]


def test_items_filed_under_one_path_come_back_in_the_given_order() -> None:
    # Filed under "3", "3.0", "3": a number reaches all three, in the order given.
    items = [on_course("r0", "3"), on_course("r1", "3.0"), on_course("r2", 3)]

    assert ids(RuleIndex(items).matching({"course": {"course_key": 3}})) == ["r0", "r1", "r2"]


# --- through the config index -----------------------------------------------------------------


def conditions(*rules: tuple[str, str, Any]) -> list[dict[str, Any]]:
    return [{"path": path, "op": op, "value": value} for path, op, value in rules]


def requirement_doc(
    requirement_id: str, *rules: tuple[str, str, Any], event_type: str = COURSE_PASSING_STATUS
) -> dict[str, Any]:
    return {"id": requirement_id, "event_type": event_type, "rules": conditions(*rules)}


def penalty_doc(penalty_id: str, resets: list[str], *rules: tuple[str, str, Any]) -> dict[str, Any]:
    return {
        "id": penalty_id,
        "event_type": COURSE_PASSING_STATUS,
        "requirements": resets,
        "rules": conditions(*rules),
    }


COURSE_KEY = "course.course_key"
CONFIG = parse_config(
    {
        "templates": [
            {
                "id": "track",
                "name": "Track",
                "requirements": [
                    requirement_doc(
                        "pass-a", (COURSE_KEY, "eq", COURSE_A), ("is_passing", "eq", True)
                    ),
                    requirement_doc(
                        "pass-b", ("is_passing", "eq", "yes"), (COURSE_KEY, "eq", COURSE_B)
                    ),
                    requirement_doc("any-high-grade", ("grade", "gte", 0.8)),
                    requirement_doc(
                        "ccx-a", (COURSE_KEY, "eq", COURSE_A), event_type=CCX_COURSE_PASSING_STATUS
                    ),
                ],
                "penalties": [
                    penalty_doc(
                        "fail-a",
                        ["pass-a"],
                        (COURSE_KEY, "eq", COURSE_A),
                        ("is_passing", "eq", False),
                    ),
                    penalty_doc("any-fail", ["pass-a", "pass-b"], ("is_passing", "eq", "false")),
                ],
            },
            {
                "id": "any-course",
                "name": "Any course",
                "requirements": [
                    requirement_doc("anything"),
                    requirement_doc("pass-c", (COURSE_KEY, "eq", COURSE_C)),
                    requirement_doc("pass-a-again", (COURSE_KEY, "in", [COURSE_A])),
                ],
            },
            {
                "id": "retired",
                "name": "Retired",
                "active": False,
                "requirements": [requirement_doc("pass-a", (COURSE_KEY, "eq", COURSE_A))],
            },
        ]
    }
)


def keys(items: Iterable[CompiledRequirement | CompiledPenalty]) -> list[tuple[str, str]]:
    """Template and requirement (or penalty) ids: compiled rules hold lambdas, so never equal."""
    return [
        (i.template_id, i.requirement.id if isinstance(i, CompiledRequirement) else i.penalty.id)
        for i in items
    ]


def test_the_config_index_finds_what_testing_every_requirement_and_penalty_finds() -> None:
    index = ConfigIndex.build(CONFIG)
    active = [t for t in CONFIG.templates if t.active]

    def compiled(rules: Sequence[Rule]) -> tuple[CompiledRule, ...]:
        return tuple(CompiledRule.build(rule) for rule in rules)

    every_requirement = [
        CompiledRequirement(t.id, r, compiled(r.rules)) for t in active for r in t.requirements
    ]
    every_penalty = [
        CompiledPenalty(t.id, p, compiled(p.rules)) for t in active for p in t.penalties
    ]
    events = [
        {"course": {"course_key": key}, "is_passing": passing, "grade": grade}
        for key in (COURSE_A, COURSE_B, COURSE_C, 3)
        for passing in (True, False, "true", None)
        for grade in (0.9, 0.1)
    ]
    seen_matches = 0
    for event_type in (COURSE_PASSING_STATUS, CCX_COURSE_PASSING_STATUS):
        for data in events:
            requirements = [r for r in every_requirement if r.requirement.event_type == event_type]
            penalties = [p for p in every_penalty if p.penalty.event_type == event_type]
            met = keys(index.requirements_met(event_type, data))
            assert met == keys(r for r in requirements if r.matches(data)), (event_type, data)
            assert keys(index.penalties_met(event_type, data)) == keys(
                p for p in penalties if p.matches(data)
            ), (event_type, data)
            seen_matches += len(met)
    assert seen_matches > len(events)  # the comparison is not between empty lists
