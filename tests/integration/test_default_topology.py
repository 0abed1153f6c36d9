"""The default layout: one lifecycle topic carries both the Open edX input and our badge events,
named with the event bus prefix. The job skips its own badge events unless a requirement names
them, in which case one badge can require another."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from faust_badges.core.event_types import BADGE_AWARDED, COURSE_PASSING_STATUS
from faust_badges.samples import passing_event
from tests.integration.harness import Deployment, WorkerProcess, wait_until

pytestmark = pytest.mark.integration

COURSE = "course-v1:Topo+Intro+2026"


def config(with_meta_badge: bool) -> dict[str, Any]:
    intro = {
        "id": "intro",
        "name": "Intro",
        "requirements": [
            {
                "id": "pass-intro",
                "event_type": COURSE_PASSING_STATUS,
                "rules": [
                    {"path": "course.course_key", "op": "eq", "value": COURSE},
                    {"path": "is_passing", "op": "eq", "value": True},
                ],
            }
        ],
    }
    meta = {
        "id": "collector",
        "name": "Badge Collector",
        "requirements": [
            {
                "id": "has-intro",
                "event_type": BADGE_AWARDED,
                "rules": [{"path": "template.name", "op": "eq", "value": "Intro"}],
            }
        ],
    }
    return {"templates": [intro, meta] if with_meta_badge else [intro]}


@pytest.fixture
def deployment(kafka: str, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    prefix = f"topo{uuid.uuid4().hex[:6]}"
    topic = f"{prefix}-learning-badges-lifecycle"
    deployment = Deployment(
        kafka,
        f"{prefix}-app",
        tmp_path_factory.mktemp("topo"),
        input_topic=topic,
        output_topic=topic,
        # Only the prefix is set: the topic names come from the defaults.
        extra_env={"BADGES_TOPIC_PREFIX": prefix},
    )
    deployment.create_topics()
    return deployment


def test_own_badge_events_are_skipped_by_default(deployment: Deployment) -> None:
    deployment.apply_config(config(with_meta_badge=False))
    worker = start_with_default_topics(deployment)
    try:
        deployment.send([passing_event(7, "topo-learner", COURSE)])
        # Input: the passing event, then our own badge.awarded read back and skipped.
        wait_until(lambda: worker.counter("badges_events_total") >= 2, 60, "2 inputs handled")
        assert worker.counter('badges_events_total{outcome="skipped"') == 1
        assert [e.template_name for e in deployment.badge_events()] == ["Intro"]
        assert deployment.dead_letters() == []
    finally:
        worker.stop()


def test_a_badge_can_require_another_badge(deployment: Deployment) -> None:
    deployment.apply_config(config(with_meta_badge=True))
    worker = start_with_default_topics(deployment)
    try:
        deployment.send([passing_event(8, "topo-collector", COURSE)])
        wait_until(lambda: len(deployment.badge_events()) >= 2, 60, "two badges")
        events = deployment.badge_events()
        assert [e.template_name for e in events] == ["Intro", "Badge Collector"]
        assert {e.username for e in events} == {"topo-collector"}
    finally:
        worker.stop()


def start_with_default_topics(deployment: Deployment) -> WorkerProcess:
    """A worker configured by BADGES_TOPIC_PREFIX alone, like an operator following the docs."""
    worker = deployment.start_worker(BADGES_EVENT_TOPICS="", BADGES_OUTPUT_TOPIC="")
    worker.wait_ready()
    return worker


def test_several_input_topics_with_the_event_bus_prefix(
    kafka: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    prefix = f"multi{uuid.uuid4().hex[:6]}"
    deployment = Deployment(
        kafka,
        f"{prefix}-app",
        tmp_path_factory.mktemp("multi"),
        input_topic=f"{prefix}-learning-badges-lifecycle",
        output_topic=f"{prefix}-badges-out",
        extra_env={"BADGES_TOPIC_PREFIX": prefix},
    )
    deployment.create_topics()
    deployment.apply_config(config(with_meta_badge=False))
    other = f"{prefix}-learning-ccx-lifecycle"
    worker = deployment.start_worker(
        BADGES_EVENT_TOPICS="learning-badges-lifecycle, learning-ccx-lifecycle",
        BADGES_OUTPUT_TOPIC="badges-out",
    )
    worker.wait_ready()
    try:
        deployment.send([passing_event(1, "first-topic", COURSE)])
        deployment.input_topic = other  # the same Deployment now produces to the second topic
        deployment.send([passing_event(2, "second-topic", COURSE)])
        wait_until(lambda: len(deployment.badge_events()) >= 2, 60, "a badge from each topic")
        assert {e.username for e in deployment.badge_events()} == {"first-topic", "second-topic"}
    finally:
        worker.stop()
