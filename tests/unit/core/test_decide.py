"""Examples of ``decide`` (SPEC §4): one behaviour per test."""

from __future__ import annotations

import copy
import uuid
from dataclasses import replace
from datetime import datetime

import pytest

from faust_badges.core.badges import app_namespace, badge_uuid
from faust_badges.core.decide import Decision, Outcome, decide
from faust_badges.core.event_types import CCX_COURSE_PASSING_STATUS
from faust_badges.core.index import ConfigIndex
from faust_badges.core.learner import LearnerEvent
from faust_badges.core.progress import RECENT_EVENTS_KEPT, BadgeStatus, LearnerProgress
from tests.unit.core.builders import (
    APP_ID,
    NAMESPACE,
    NOW,
    apply,
    course,
    fold,
    make_event,
    make_index,
    minutes,
    penalty,
    requirement,
    template,
)

ALICE = "alice"


def progress_of(decision: Decision) -> LearnerProgress:
    assert decision.progress is not None
    return decision.progress


def fulfilled(progress: LearnerProgress | None, template_id: str) -> set[str]:
    if progress is None or template_id not in progress.templates:
        return set()
    return set(progress.templates[template_id].fulfilled)


def statuses(decisions: list[Decision]) -> list[tuple[BadgeStatus, str]]:
    """Every transition of a run, as (status, template id)."""
    return [(t.status, t.badge.template_id) for d in decisions for t in d.transitions]


# -- awarding -------------------------------------------------------------------------------------

SINGLE = make_index(template("intro", [requirement("pass-a", course("a"))]))


def test_single_requirement_awards_on_first_fulfilment() -> None:
    decision = apply(None, make_event(ALICE, course("a")), SINGLE)

    assert decision.outcome is Outcome.APPLIED
    assert statuses([decision]) == [(BadgeStatus.AWARDED, "intro")]
    assert progress_of(decision).badges["intro"].status is BadgeStatus.AWARDED


def test_single_requirement_awards_only_once() -> None:
    events = [make_event(ALICE, course("a"), event_time=minutes(i)) for i in range(3)]

    progress, decisions = fold(events, SINGLE)

    assert statuses(decisions) == [(BadgeStatus.AWARDED, "intro")]
    assert progress is not None
    assert progress.badges["intro"].awarded_by_event == events[0].event_id


def test_event_not_matching_any_rule_changes_nothing() -> None:
    start = progress_of(apply(None, make_event(ALICE, course("a")), SINGLE))

    failing = apply(start, make_event(ALICE, course("a"), is_passing=False), SINGLE)
    other_course = apply(start, make_event(ALICE, course("zzz")), SINGLE)

    for decision in (failing, other_course):
        assert decision.outcome is Outcome.NO_MATCH
        assert decision.progress is start
        assert decision.transitions == ()


# (A|B) & (C|D): two groups of alternatives.
GROUPS = make_index(
    template(
        "combo",
        [
            requirement("a", course("a"), group="first"),
            requirement("b", course("b"), group="first"),
            requirement("c", course("c"), group="second"),
            requirement("d", course("d"), group="second"),
        ],
    )
)


@pytest.mark.parametrize(
    ("courses", "awarded_at_step"),
    [
        (["a", "c"], 1),
        (["d", "b"], 1),
        (["a", "b", "c"], 2),
        (["c", "d", "a", "b"], 2),
        (["b", "a", "b", "d", "c"], 3),
        (["a", "b"], None),
        (["c", "d", "c"], None),
    ],
)
def test_groups_of_alternatives_award_only_when_every_group_is_fulfilled(
    courses: list[str], awarded_at_step: int | None
) -> None:
    events = [
        make_event(ALICE, course(name), event_time=minutes(i)) for i, name in enumerate(courses)
    ]

    _, decisions = fold(events, GROUPS)

    award_steps = [i for i, d in enumerate(decisions) if d.transitions]
    assert award_steps == ([] if awarded_at_step is None else [awarded_at_step])
    assert statuses(decisions) == (
        [] if awarded_at_step is None else [(BadgeStatus.AWARDED, "combo")]
    )


def test_requirement_without_rules_matches_every_event_of_its_type() -> None:
    index = make_index(template("anything", [requirement("any", None, is_passing=None)]))

    decision = apply(None, make_event(ALICE, course("whatever"), is_passing=False), index)

    assert fulfilled(decision.progress, "anything") == {"any"}
    assert statuses([decision]) == [(BadgeStatus.AWARDED, "anything")]


def test_requirement_without_rules_ignores_events_of_other_types() -> None:
    index = make_index(template("anything", [requirement("any", None, is_passing=None)]))
    ccx_event = make_event(ALICE, course("a"), event_type=CCX_COURSE_PASSING_STATUS)

    decision = apply(None, ccx_event, index)

    assert decision.outcome is Outcome.NO_MATCH
    assert decision.progress is None


def test_one_event_completing_two_templates_awards_both_in_template_order() -> None:
    index = make_index(
        template("zeta", [requirement("pass-a", course("a"))]),
        template("alpha", [requirement("pass-a", course("a"))]),
    )

    decision = apply(None, make_event(ALICE, course("a")), index)

    assert statuses([decision]) == [(BadgeStatus.AWARDED, "alpha"), (BadgeStatus.AWARDED, "zeta")]


# -- progress records -----------------------------------------------------------------------------

WITH_PENALTY = make_index(
    template(
        "intro",
        [requirement("pass-a", course("a")), requirement("pass-b", course("b"))],
        [penalty("fail-a", ["pass-a"], course("a"))],
    )
)


def test_penalty_for_learner_without_progress_creates_no_template_progress() -> None:
    decision = apply(None, make_event(ALICE, course("a"), is_passing=False), WITH_PENALTY)

    assert decision.transitions == ()
    assert decision.progress is None or decision.progress.templates == {}
    assert decision.progress is None or decision.progress.badges == {}


def test_penalty_creates_no_progress_for_a_template_the_learner_has_not_started() -> None:
    index = make_index(
        template("other", [requirement("pass-z", course("z"))]),
        template(
            "intro",
            [requirement("pass-a", course("a"))],
            [penalty("fail-a", ["pass-a"], course("a"))],
        ),
    )
    start = progress_of(apply(None, make_event(ALICE, course("z")), index))

    decision = apply(start, make_event(ALICE, course("a"), is_passing=False), index)

    assert set(progress_of(decision).templates) == {"other"}


def test_fulfilment_records_event_id_event_time_and_processing_time() -> None:
    event = make_event(ALICE, course("a"), event_id="evt-1", event_time=minutes(5))
    processed = NOW

    decision = apply(None, event, WITH_PENALTY, now=processed)

    record = progress_of(decision).templates["intro"].fulfilled["pass-a"]
    assert (record.event_id, record.event_time, record.processed_at) == (
        "evt-1",
        minutes(5),
        processed,
    )


def test_first_fulfilment_is_kept_when_the_requirement_matches_again() -> None:
    first = make_event(ALICE, course("a"), event_id="evt-1", event_time=minutes(1))
    again = make_event(ALICE, course("a"), event_id="evt-2", event_time=minutes(2))

    progress, _ = fold([first, again], WITH_PENALTY)

    assert progress is not None
    assert progress.templates["intro"].fulfilled["pass-a"].event_id == "evt-1"


def test_penalty_removes_fulfilment_and_records_the_reset() -> None:
    start = progress_of(apply(None, make_event(ALICE, course("a")), WITH_PENALTY))
    failing = make_event(
        ALICE, course("a"), is_passing=False, event_id="evt-fail", event_time=minutes(9)
    )

    decision = apply(start, failing, WITH_PENALTY)

    progress = progress_of(decision)
    assert fulfilled(progress, "intro") == set()
    reset = progress.templates["intro"].last_reset
    assert reset is not None
    assert (reset.penalty_id, reset.requirement_ids, reset.event_id) == (
        "fail-a",
        ("pass-a",),
        "evt-fail",
    )
    assert (reset.event_time, reset.processed_at) == (minutes(9), NOW)


def test_refulfilment_after_a_penalty_keeps_the_record_of_the_reset() -> None:
    fail = make_event(
        ALICE, course("a"), is_passing=False, event_id="evt-fail", event_time=minutes(5)
    )
    progress, _ = fold(
        [
            make_event(ALICE, course("a")),
            fail,
            make_event(ALICE, course("a"), event_time=minutes(6)),
        ],
        WITH_PENALTY,
    )

    assert fulfilled(progress, "intro") == {"pass-a"}
    assert progress is not None
    reset = progress.templates["intro"].last_reset
    assert reset is not None and reset.event_id == "evt-fail"


def test_events_at_or_before_a_reset_no_longer_fulfil_the_requirement() -> None:
    passed = make_event(ALICE, course("a"), event_id="evt-pass", event_time=minutes(1))
    fail = make_event(
        ALICE, course("a"), is_passing=False, event_id="evt-fail", event_time=minutes(5)
    )
    after_penalty, _ = fold([passed, fail], WITH_PENALTY)
    assert after_penalty is not None
    assert after_penalty.templates["intro"].reset_at == {"pass-a": minutes(5)}
    # The pass replayed once the dedupe window has forgotten its id (a replay of old history).
    forgotten = replace(after_penalty, recent_events={})

    for stale in (passed, make_event(ALICE, course("a"), event_time=minutes(5))):
        decision = apply(forgotten, stale, WITH_PENALTY)
        assert fulfilled(progress_of(decision), "intro") == set()
        assert decision.transitions == ()

    later = apply(forgotten, make_event(ALICE, course("a"), event_time=minutes(6)), WITH_PENALTY)
    assert fulfilled(progress_of(later), "intro") == {"pass-a"}


def test_an_older_penalty_arriving_late_keeps_the_latest_reset_time() -> None:
    def fail(event_id: str, at: datetime) -> LearnerEvent:
        return make_event(ALICE, course("a"), is_passing=False, event_id=event_id, event_time=at)

    progress, _ = fold(
        [make_event(ALICE, course("a")), fail("late", minutes(9)), fail("early", minutes(4))],
        WITH_PENALTY,
    )

    assert progress is not None
    assert progress.templates["intro"].reset_at == {"pass-a": minutes(9)}


# -- penalties and revoking -----------------------------------------------------------------------


def test_penalty_resetting_several_requirements_revokes_once() -> None:
    index = make_index(
        template(
            "pair",
            [requirement("pass-a", course("a")), requirement("pass-b", course("b"))],
            [penalty("fail-any", ["pass-a", "pass-b"], None, is_passing=False)],
        )
    )
    awarded, _ = fold([make_event(ALICE, course("a")), make_event(ALICE, course("b"))], index)
    failing = make_event(
        ALICE, course("a"), is_passing=False, event_id="evt-fail", event_time=minutes(7)
    )

    decision = apply(awarded, failing, index)

    assert statuses([decision]) == [(BadgeStatus.REVOKED, "pair")]
    badge = progress_of(decision).badges["pair"]
    assert (badge.status, badge.revoked_by_event, badge.revoked_at) == (
        BadgeStatus.REVOKED,
        "evt-fail",
        minutes(7),
    )
    assert fulfilled(decision.progress, "pair") == set()


def test_two_penalties_matching_one_event_revoke_once() -> None:
    index = make_index(
        template(
            "pair",
            [requirement("pass-a", course("a")), requirement("pass-b", course("b"))],
            [
                penalty("fail-resets-a", ["pass-a"], None, is_passing=False),
                penalty("fail-resets-b", ["pass-b"], None, is_passing=False),
            ],
        )
    )
    awarded, _ = fold([make_event(ALICE, course("a")), make_event(ALICE, course("b"))], index)

    decision = apply(awarded, make_event(ALICE, course("c"), is_passing=False), index)

    assert statuses([decision]) == [(BadgeStatus.REVOKED, "pair")]


def test_revoked_badge_keeps_its_uuid_and_award_data() -> None:
    awarded = progress_of(apply(None, make_event(ALICE, course("a")), WITH_PENALTY))
    awarded = progress_of(apply(awarded, make_event(ALICE, course("b")), WITH_PENALTY))

    decision = apply(awarded, make_event(ALICE, course("a"), is_passing=False), WITH_PENALTY)

    before, after = awarded.badges["intro"], progress_of(decision).badges["intro"]
    assert (after.uuid, after.awarded_at, after.awarded_by_event) == (
        before.uuid,
        before.awarded_at,
        before.awarded_by_event,
    )
    assert decision.transitions[0].badge == after


def test_penalty_leaving_template_complete_does_not_revoke() -> None:
    index = make_index(
        template(
            "either",
            [requirement("a", course("a"), group="g"), requirement("b", course("b"), group="g")],
            [penalty("fail-a", ["a"], course("a"))],
        )
    )
    awarded, _ = fold([make_event(ALICE, course("a")), make_event(ALICE, course("b"))], index)

    decision = apply(awarded, make_event(ALICE, course("a"), is_passing=False), index)

    assert decision.outcome is Outcome.APPLIED
    assert decision.transitions == ()
    assert fulfilled(decision.progress, "either") == {"b"}
    assert progress_of(decision).badges["either"].status is BadgeStatus.AWARDED


def test_revoked_is_final() -> None:
    events = [
        make_event(ALICE, course("a"), event_time=minutes(1)),
        make_event(ALICE, course("b"), event_time=minutes(2)),  # awarded
        make_event(ALICE, course("a"), is_passing=False, event_time=minutes(3)),  # revoked
        make_event(ALICE, course("a"), event_time=minutes(4)),  # complete again
        make_event(ALICE, course("a"), is_passing=False, event_time=minutes(5)),  # penalty again
        make_event(ALICE, course("a"), event_time=minutes(6)),  # complete again
    ]

    progress, decisions = fold(events, WITH_PENALTY)

    assert statuses(decisions) == [(BadgeStatus.AWARDED, "intro"), (BadgeStatus.REVOKED, "intro")]
    assert [d.outcome for d in decisions] == [Outcome.APPLIED] * len(events)
    assert fulfilled(progress, "intro") == {"pass-a", "pass-b"}  # progress still moves
    assert progress is not None
    assert progress.badges["intro"].status is BadgeStatus.REVOKED


def test_requirement_and_penalty_matching_one_event_end_reset() -> None:
    # Penalties apply after requirements: the penalty is the stronger signal.
    index = make_index(
        template(
            "strict",
            [requirement("took-a", course("a"), is_passing=None)],
            [penalty("fail-a", ["took-a"], course("a"), is_passing=False)],
        )
    )

    decision = apply(None, make_event(ALICE, course("a"), is_passing=False), index)

    assert fulfilled(decision.progress, "strict") == set()
    assert progress_of(decision).templates["strict"].last_reset is not None
    assert decision.transitions == ()


def test_requirement_and_penalty_matching_one_event_revoke_an_awarded_badge() -> None:
    index = make_index(
        template(
            "strict",
            [requirement("took-a", course("a"), is_passing=None)],
            [penalty("fail-a", ["took-a"], course("a"), is_passing=False)],
        )
    )
    awarded = progress_of(apply(None, make_event(ALICE, course("a")), index))

    decision = apply(awarded, make_event(ALICE, course("a"), is_passing=False), index)

    assert statuses([decision]) == [(BadgeStatus.REVOKED, "strict")]


# -- duplicates -----------------------------------------------------------------------------------


def test_duplicate_event_id_is_ignored() -> None:
    event = make_event(ALICE, course("a"))
    first = apply(None, event, WITH_PENALTY)

    again = apply(first.progress, event, WITH_PENALTY)

    assert again.outcome is Outcome.DUPLICATE
    assert again.progress is first.progress
    assert again.transitions == ()


def test_duplicate_of_awarding_event_emits_nothing() -> None:
    event = make_event(ALICE, course("a"))
    first = apply(None, event, SINGLE)

    again = apply(first.progress, event, SINGLE)

    assert first.transitions and not again.transitions
    assert again.outcome is Outcome.DUPLICATE


def test_duplicate_after_a_penalty_reset_does_not_fulfil_again() -> None:
    fulfil = make_event(ALICE, course("a"), event_time=minutes(1))
    fail = make_event(ALICE, course("a"), is_passing=False, event_time=minutes(2))
    progress, _ = fold([fulfil, fail], WITH_PENALTY)

    decision = apply(progress, fulfil, WITH_PENALTY)

    assert decision.outcome is Outcome.DUPLICATE
    assert decision.progress is progress
    assert fulfilled(decision.progress, "intro") == set()


def test_redelivered_penalty_after_refulfilment_does_not_reset_again() -> None:
    fail = make_event(ALICE, course("a"), is_passing=False, event_time=minutes(2))
    progress, _ = fold(
        [
            make_event(ALICE, course("a")),
            fail,
            make_event(ALICE, course("a"), event_time=minutes(3)),
        ],
        WITH_PENALTY,
    )

    decision = apply(progress, fail, WITH_PENALTY)

    assert decision.outcome is Outcome.DUPLICATE
    assert fulfilled(decision.progress, "intro") == {"pass-a"}


def test_same_event_id_for_another_learner_is_not_a_duplicate() -> None:
    alice = progress_of(apply(None, make_event(ALICE, course("a"), event_id="evt-1"), SINGLE))

    bob = apply(None, make_event("bob", course("a"), event_id="evt-1"), SINGLE)

    assert alice.badges and bob.outcome is Outcome.APPLIED
    assert statuses([bob]) == [(BadgeStatus.AWARDED, "intro")]


def test_recent_events_are_bounded() -> None:
    events = [
        make_event(ALICE, course("a"), event_id=f"evt-{i}", event_time=minutes(i))
        for i in range(RECENT_EVENTS_KEPT + 10)
    ]

    progress, _ = fold(events, SINGLE)

    assert progress is not None
    kept = tuple(progress.recent_events)
    assert kept == tuple(e.event_id for e in events[-RECENT_EVENTS_KEPT:])


def test_a_replayed_event_is_applied_to_a_template_added_since_and_to_no_other() -> None:
    """What `faust-badges replay` relies on after a config change."""
    event = make_event(ALICE, course("a"), event_id="evt-1")
    before, decisions = fold([event], SINGLE)
    assert [t.status for t in decisions[0].transitions] == [BadgeStatus.AWARDED]

    # A second template that the same event fulfils is added, and the event is replayed.
    widened = make_index(
        template("intro", [requirement("pass-a", course("a"))]),
        template("also", [requirement("also-a", course("a"))]),
    )
    again = apply(before, event, widened)

    assert again.outcome is Outcome.APPLIED
    assert [(t.status, t.badge.template_id) for t in again.transitions] == [
        (BadgeStatus.AWARDED, "also")
    ]
    assert apply(again.progress, event, widened).outcome is Outcome.DUPLICATE


# -- inactive templates ---------------------------------------------------------------------------


def with_intro_active(active: bool) -> ConfigIndex:
    return make_index(
        template(
            "intro",
            [requirement("pass-a", course("a")), requirement("pass-b", course("b"))],
            [penalty("fail-a", ["pass-a"], course("a"))],
            active=active,
        )
    )


def test_inactive_template_ignores_requirements() -> None:
    decision = apply(None, make_event(ALICE, course("a")), with_intro_active(False))

    assert decision.outcome is Outcome.NO_MATCH
    assert decision.progress is None


def test_inactive_template_ignores_penalties_and_keeps_progress() -> None:
    awarded, _ = fold(
        [make_event(ALICE, course("a")), make_event(ALICE, course("b"))], with_intro_active(True)
    )

    decision = apply(
        awarded, make_event(ALICE, course("a"), is_passing=False), with_intro_active(False)
    )

    assert decision.outcome is Outcome.NO_MATCH
    assert decision.progress is awarded
    assert fulfilled(decision.progress, "intro") == {"pass-a", "pass-b"}
    assert progress_of(decision).badges["intro"].status is BadgeStatus.AWARDED


def test_reactivated_template_continues_from_kept_progress() -> None:
    started = progress_of(apply(None, make_event(ALICE, course("a")), with_intro_active(True)))
    kept, _ = fold([make_event(ALICE, course("b"))], with_intro_active(False), started)
    assert kept is started

    decision = apply(kept, make_event(ALICE, course("b")), with_intro_active(True))

    assert statuses([decision]) == [(BadgeStatus.AWARDED, "intro")]


def test_inactive_template_keeps_progress_when_another_template_moves() -> None:
    intro = template(
        "intro", [requirement("pass-a", course("a")), requirement("pass-b", course("b"))]
    )
    other = template("other", [requirement("pass-a", course("a"))])
    started = progress_of(apply(None, make_event(ALICE, course("b")), make_index(intro, other)))
    intro_off = make_index(intro.model_copy(update={"active": False}), other)

    decision = apply(started, make_event(ALICE, course("a")), intro_off)

    assert statuses([decision]) == [(BadgeStatus.AWARDED, "other")]
    assert progress_of(decision).templates["intro"] == started.templates["intro"]
    assert "intro" not in progress_of(decision).badges


# -- badge identity -------------------------------------------------------------------------------


def awarded_uuid(event: LearnerEvent, namespace: uuid.UUID = NAMESPACE) -> str:
    """The uuid of the badge ``event`` awards to a learner without progress."""
    (transition,) = decide(None, event, SINGLE, namespace=namespace, now=NOW).transitions
    return transition.badge.uuid


TWO_TEMPLATES = make_index(
    template("intro", [requirement("pass-a", course("a"))]),
    template("other", [requirement("pass-a", course("a"))]),
)


def test_badge_uuid_is_the_same_for_every_retry() -> None:
    first = awarded_uuid(make_event(ALICE, course("a"), event_time=minutes(1)))
    retried = awarded_uuid(make_event(ALICE, course("a"), event_time=minutes(99)))

    assert first == retried == badge_uuid(app_namespace(APP_ID), ALICE, "intro")


def test_badge_uuid_differs_across_app_ids() -> None:
    event = make_event(ALICE, course("a"))
    one, two = app_namespace("app-one"), app_namespace("app-two")

    assert awarded_uuid(event, one) != awarded_uuid(event, two)
    assert awarded_uuid(event, one) == awarded_uuid(event, app_namespace("app-one"))


def test_badge_uuid_differs_across_usernames() -> None:
    assert awarded_uuid(make_event(ALICE, course("a"))) != awarded_uuid(
        make_event("bob", course("a"))
    )


def test_badge_uuid_differs_across_templates() -> None:
    decision = apply(None, make_event(ALICE, course("a")), TWO_TEMPLATES)

    uuids = {t.badge.template_id: t.badge.uuid for t in decision.transitions}
    assert set(uuids) == {"intro", "other"}
    assert uuids["intro"] != uuids["other"]


def test_awarded_at_is_the_event_time_not_the_processing_time() -> None:
    event = make_event(ALICE, course("a"), event_time=minutes(42))

    decision = apply(None, event, SINGLE, now=NOW)

    badge = progress_of(decision).badges["intro"]
    assert (badge.awarded_at, badge.awarded_by_event) == (minutes(42), event.event_id)


# -- purity ---------------------------------------------------------------------------------------


def test_input_progress_is_never_mutated() -> None:
    events = [
        make_event(ALICE, course("a"), event_time=minutes(1)),
        make_event(ALICE, course("b"), event_time=minutes(2)),  # award
        make_event(ALICE, course("a"), is_passing=False, event_time=minutes(3)),  # revoke
        make_event(ALICE, course("a"), event_time=minutes(4)),
    ]
    events.append(events[1])  # a duplicate
    progress: LearnerProgress | None = None
    for event in events:
        snapshot = copy.deepcopy(progress)
        snapshot_repr = repr(progress)

        decision = apply(progress, event, WITH_PENALTY)

        assert progress == snapshot
        assert repr(progress) == snapshot_repr
        progress = decision.progress
    assert progress is not None and progress.badges["intro"].status is BadgeStatus.REVOKED


# -- config changes -------------------------------------------------------------------------------

ONE_REQUIREMENT = make_index(template("intro", [requirement("pass-a", course("a"))]))
TWO_REQUIREMENTS = make_index(
    template(
        "intro",
        [requirement("pass-a", course("a")), requirement("pass-b", course("b"))],
        [penalty("fail-a", ["pass-a"], course("a")), penalty("fail-b", ["pass-b"], course("b"))],
    )
)


def test_config_change_adding_a_requirement_does_not_revoke_an_awarded_badge() -> None:
    awarded = progress_of(apply(None, make_event(ALICE, course("a")), ONE_REQUIREMENT))

    # Under the new config the learner is incomplete; an event of the template must not revoke.
    decision = apply(
        awarded, make_event(ALICE, course("a"), event_time=minutes(5)), TWO_REQUIREMENTS
    )

    assert decision.outcome is Outcome.APPLIED
    assert decision.transitions == ()
    assert progress_of(decision).badges["intro"].status is BadgeStatus.AWARDED


def test_completing_an_added_requirement_does_not_award_again() -> None:
    awarded = progress_of(apply(None, make_event(ALICE, course("a")), ONE_REQUIREMENT))

    decision = apply(
        awarded, make_event(ALICE, course("b"), event_time=minutes(5)), TWO_REQUIREMENTS
    )

    assert decision.transitions == ()
    assert fulfilled(decision.progress, "intro") == {"pass-a", "pass-b"}


def test_penalty_resetting_a_fulfilled_requirement_revokes_after_a_requirement_was_added() -> None:
    awarded = progress_of(apply(None, make_event(ALICE, course("a")), ONE_REQUIREMENT))

    decision = apply(awarded, make_event(ALICE, course("a"), is_passing=False), TWO_REQUIREMENTS)

    assert statuses([decision]) == [(BadgeStatus.REVOKED, "intro")]


def test_no_op_penalty_after_an_added_requirement_does_not_revoke() -> None:
    awarded = progress_of(apply(None, make_event(ALICE, course("a")), ONE_REQUIREMENT))

    # fail-b resets pass-b, which this learner never had: the penalty leaves nothing incomplete.
    decision = apply(awarded, make_event(ALICE, course("b"), is_passing=False), TWO_REQUIREMENTS)

    assert decision.transitions == ()
    assert progress_of(decision).badges["intro"].status is BadgeStatus.AWARDED
