"""Two workers sharing a 4-partition input give the same badges and progress as one worker.

The second worker joins mid-stream, so partitions (and their RocksDB tables) move between
workers while events flow. The events only ever pass courses, so the final state does not depend
on the order in which a learner's events (spread over partitions by course) are handled.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from faust_badges.core.progress import LearnerProgress
from tests.integration.datasets import RELIABILITY_CONFIG, learner_stories
from tests.integration.harness import (
    BadgeEvent,
    Deployment,
    badge_uuids_by_learner_template,
    oracle,
    wait_for_group_caught_up,
    wait_until,
)

pytestmark = pytest.mark.integration

EVENTS = 3000
LEARNERS = 250


def final_state(progress: dict[str, LearnerProgress]) -> dict[str, Any]:
    """What must not depend on order: fulfilled requirements and badge status per template."""
    return {
        username: {
            "fulfilled": {t: sorted(p.fulfilled) for t, p in learner.templates.items()},
            "badges": {t: (b.uuid, str(b.status)) for t, b in learner.badges.items()},
        }
        for username, learner in progress.items()
    }


def awarded(events: list[BadgeEvent]) -> set[tuple[str, str, str]]:
    return {(e.status, e.username, e.template_name) for e in events}


def test_two_workers_give_the_same_result_as_one(
    kafka: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    messages = learner_stories(EVENTS, LEARNERS, seed=11, fail_rate=0.0)
    first_half, second_half = messages[: EVENTS // 2], messages[EVENTS // 2 :]
    tag = uuid.uuid4().hex[:6]
    one = Deployment(kafka, f"one-{tag}", tmp_path_factory.mktemp("one"), partitions=4)
    two = Deployment(kafka, f"two-{tag}", tmp_path_factory.mktemp("two"), partitions=4)
    for deployment in (one, two):
        deployment.create_topics()
        deployment.apply_config(RELIABILITY_CONFIG)

    single = one.start_worker("solo")
    first = two.start_worker("first")
    single.wait_ready()
    first.wait_ready()
    one.send(first_half)
    two.send(first_half)
    # The second worker joins while the first is busy: a rebalance in the middle of the stream.
    wait_until(lambda: first.counter("badges_decisions_total") > 0, 60, "first decisions")
    second = two.start_worker("second")
    second.wait_ready()
    one.send(second_half)
    two.send(second_half)
    try:
        wait_for_group_caught_up(one)
        wait_for_group_caught_up(two)
    finally:
        for worker in (single, first, second):
            worker.stop()

    handled_some = [w.name for w in (first, second) if "partition_resumed" in w.log_tail(10_000)]
    assert handled_some == ["first", "second"], "one worker did all the work: not a scale-out"

    expected = oracle(messages, RELIABILITY_CONFIG, one.app_id)
    assert final_state(one.stored_progress()) == final_state(expected.progress)
    # The same verdicts; badge uuids differ between the two deployments by design (app id).
    assert _badge_status(two.stored_progress()) == _badge_status(one.stored_progress())
    assert awarded(two.badge_events()) == awarded(one.badge_events())
    for uuids in badge_uuids_by_learner_template(two.badge_events()).values():
        assert len(uuids) == 1


def _badge_status(progress: dict[str, LearnerProgress]) -> set[tuple[str, str]]:
    return {
        (f"{username}/{template}", str(badge.status))
        for username, learner in progress.items()
        for template, badge in learner.badges.items()
    }
