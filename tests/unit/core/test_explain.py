"""``explain``: each template's groups, requirements and rules against a learner's progress."""

from __future__ import annotations

import json

import pytest

from faust_badges.core.config import Requirement, Rule
from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.core.explain import (
    NOTE_BEFORE_RESET,
    NOTE_INACTIVE,
    NOTE_REVOKED,
    NOTE_UNAPPLIED,
    Explanation,
    TemplateExplanation,
    UnknownTemplate,
    explain,
)
from faust_badges.core.index import ConfigIndex
from faust_badges.core.learner import LearnerEvent
from faust_badges.core.operators import Operator
from faust_badges.core.progress import LearnerProgress
from tests.unit.core.builders import (
    course,
    fold,
    make_event,
    make_index,
    minutes,
    penalty,
    requirement,
    template,
)

USER = "ada"

# (A | B) & C, and a penalty on failing A that resets a.
CORE = template(
    "core",
    [
        requirement("a", course("A"), group="AB"),
        requirement("b", course("B"), group="AB"),
        requirement("c", course("C"), group="C"),
    ],
    [penalty("a-failed", ["a"], course("A"))],
)
INDEX = make_index(CORE, template("dormant", [requirement("d", course("D"))], active=False))


def run(events: list[LearnerEvent], index: ConfigIndex = INDEX) -> LearnerProgress | None:
    return fold(events, index)[0]


def only(explanation: Explanation) -> TemplateExplanation:
    (template_explanation,) = explanation.templates
    return template_explanation


def test_a_partly_complete_learner_names_the_missing_group_and_the_failing_rule() -> None:
    events = [
        make_event(USER, course("A"), event_id="e-a", event_time=minutes(1)),
        make_event(USER, course("X"), event_id="e-x", event_time=minutes(2)),
    ]
    core = only(explain(INDEX, USER, run(events), events))

    assert core.badge.status == "none"
    assert (core.fulfilled_groups, len(core.groups), core.ratio) == (1, 2, 0.5)
    assert [g.label for g in core.missing_groups] == ["group C"]
    ab, c = core.groups
    a, b = ab.requirements
    assert ab.fulfilled and a.fulfilled_by is not None
    assert (a.fulfilled_by.event_id, a.fulfilled_by.event_time) == ("e-a", minutes(1))
    assert b.fulfilled_by is None

    (c_requirement,) = c.requirements
    assert c_requirement.fulfilled_by is None
    assert c_requirement.events_of_type == 2
    closest = c_requirement.closest
    assert closest is not None
    # Both events match one rule of two (is_passing): the latest wins.
    assert (closest.event.event_id, closest.matched_rules) == ("e-x", 1)
    course_rule, passing_rule = closest.rules
    assert (course_rule.path, course_rule.op, course_rule.matched) == (
        "course.course_key",
        "eq",
        False,
    )
    assert (course_rule.expected, course_rule.actual) == (course("C"), course("X"))
    assert passing_rule.matched and passing_rule.actual is True
    assert c_requirement.note is None
    assert core.notes == ()


def test_the_closest_event_is_the_one_matching_most_rules_not_the_latest() -> None:
    events = [
        make_event(USER, course("C"), is_passing=False, event_id="e-c-fail", event_time=minutes(1)),
        make_event(USER, course("X"), is_passing=False, event_id="e-x-fail", event_time=minutes(2)),
    ]
    core = only(explain(INDEX, USER, run(events), events))
    closest = core.groups[1].requirements[0].closest
    assert closest is not None
    assert (closest.event.event_id, closest.matched_rules) == ("e-c-fail", 1)
    assert [(r.matched, r.actual) for r in closest.rules] == [(True, course("C")), (False, False)]


def test_an_awarded_badge_shows_when_and_by_which_event() -> None:
    events = [
        make_event(USER, course("B"), event_id="e-b", event_time=minutes(1)),
        make_event(USER, course("C"), event_id="e-c", event_time=minutes(2)),
    ]
    progress = run(events)
    core = only(explain(INDEX, USER, progress, events))

    assert progress is not None
    assert core.complete and core.missing_groups == ()
    assert core.badge.status == "awarded"
    assert core.badge.uuid == progress.badges["core"].uuid
    assert core.badge.awarded is not None and core.badge.awarded.event_id == "e-c"
    assert core.badge.revoked is None
    assert core.notes == ()


def test_a_revoked_badge_shows_the_penalty_and_that_it_is_final() -> None:
    events = [
        make_event(USER, course("A"), event_id="e-a", event_time=minutes(1)),
        make_event(USER, course("C"), event_id="e-c", event_time=minutes(2)),
        make_event(USER, course("A"), False, event_id="e-a-fail", event_time=minutes(3)),
    ]
    core = only(explain(INDEX, USER, run(events), events))

    assert core.badge.status == "revoked"
    assert core.badge.awarded is not None and core.badge.awarded.event_id == "e-c"
    assert core.badge.revoked is not None
    assert (core.badge.revoked.event_id, core.badge.revoked.event_time) == ("e-a-fail", minutes(3))
    assert core.last_reset is not None
    assert (core.last_reset.penalty_id, core.last_reset.requirement_ids) == ("a-failed", ("a",))
    a = core.groups[0].requirements[0]
    assert a.fulfilled_by is None
    assert a.reset_by == core.last_reset
    assert a.note is None  # an earlier matching event is explained by the reset, not unapplied
    assert core.notes == (NOTE_REVOKED,)

    # Passing A again completes the template, but a revoked badge never comes back.
    again = [*events, make_event(USER, course("A"), event_id="e-a2", event_time=minutes(4))]
    core = only(explain(INDEX, USER, run(again), again))
    assert core.complete and core.badge.status == "revoked"
    assert core.notes == (NOTE_REVOKED,)


def test_a_learner_without_events_has_nothing_fulfilled_and_nothing_seen() -> None:
    explanation = explain(INDEX, USER, None, [])
    core = only(explanation)  # the inactive template is left out

    assert not explanation.has_progress and explanation.events_read == 0
    assert core.badge.status == "none" and core.fulfilled_groups == 0
    assert [g.label for g in core.missing_groups] == ["group AB", "group C"]
    for group in core.groups:
        for req in group.requirements:
            assert req.fulfilled_by is None and req.closest is None and req.events_of_type == 0


def test_a_missing_path_is_reported_as_missing() -> None:
    rules = (
        Rule(path="course.org", op=Operator.EQ, value="Org"),
        Rule(path="course.org", op=Operator.EXISTS, value=False),
        Rule(path="is_passing", op=Operator.EQ, value=True),
    )
    org = template(
        "org",
        [Requirement(id="org", event_type=COURSE_PASSING_STATUS, rules=rules)],
    )
    index = make_index(org)
    events = [make_event(USER, course("A"), event_id="e-1")]
    (group,) = only(explain(index, USER, run(events, index), events)).groups

    assert group.name is None and group.label == "requirement org"
    closest = group.requirements[0].closest
    assert closest is not None and closest.matched_rules == 2
    eq_rule, exists_rule, _ = closest.rules
    assert (eq_rule.found, eq_rule.matched, eq_rule.actual) == (False, False, None)
    assert (exists_rule.found, exists_rule.matched) == (False, True)


def test_an_event_matching_every_rule_without_fulfilment_says_it_predates_the_config() -> None:
    # Processed while the config had no such requirement: progress has nothing, the event matches.
    events = [make_event(USER, course("C"), event_id="e-c")]
    core = only(explain(INDEX, USER, None, events))
    c = core.groups[1].requirements[0]
    assert c.fulfilled_by is None and c.closest is not None
    assert c.closest.matched_rules == len(c.closest.rules)
    assert c.note == NOTE_UNAPPLIED


def test_a_requirement_reset_by_an_earlier_penalty_says_its_events_are_before_the_reset() -> None:
    two_penalties = template(
        "two",
        [requirement("a", course("A")), requirement("b", course("B"))],
        [penalty("a-failed", ["a"], course("A")), penalty("b-failed", ["b"], course("B"))],
    )
    index = make_index(two_penalties)
    events = [
        make_event(USER, course("A"), event_id="e-a", event_time=minutes(1)),
        make_event(USER, course("A"), False, event_id="e-a-fail", event_time=minutes(2)),
        make_event(USER, course("B"), event_id="e-b", event_time=minutes(3)),
        make_event(USER, course("B"), False, event_id="e-b-fail", event_time=minutes(4)),
    ]
    explained = only(explain(index, USER, run(events, index), events))

    a, b = (group.requirements[0] for group in explained.groups)
    # b's reset is the template's last one; a's is older, but its pass still predates it.
    assert b.reset_by is not None and b.reset_by.penalty_id == "b-failed"
    assert a.reset_by is None and a.note == NOTE_BEFORE_RESET


def test_one_template_may_be_asked_for_even_inactive() -> None:
    dormant = only(explain(INDEX, USER, None, [], "dormant"))
    assert dormant.id == "dormant" and not dormant.active
    assert dormant.notes == (NOTE_INACTIVE,)


def test_an_unknown_template_is_an_error() -> None:
    with pytest.raises(UnknownTemplate, match="nope"):
        explain(INDEX, USER, None, [], "nope")


def test_a_redelivered_event_is_read_once() -> None:
    event = make_event(USER, course("A"), event_id="e-a")
    assert explain(INDEX, USER, run([event]), [event, event]).events_read == 1


def test_the_json_form_is_plain_json_with_ratio_and_missing_groups() -> None:
    events = [make_event(USER, course("A"), event_id="e-a", event_time=minutes(1))]
    document = explain(INDEX, USER, run(events), events).as_json()
    (core,) = json.loads(json.dumps(document))["templates"]
    assert core["ratio"] == 0.5 and core["missing_groups"] == ["group C"]
    fulfilled_by = core["groups"][0]["requirements"][0]["fulfilled_by"]
    assert fulfilled_by == {"event_id": "e-a", "event_time": minutes(1).isoformat()}
