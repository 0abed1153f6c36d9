"""Reproducible event streams and configs for the reliability tests."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.samples import KafkaMessage, passing_event

PASS = COURSE_PASSING_STATUS
COURSES = [f"course-v1:Rel+{name}+2026" for name in "ABCDEF"]  # F is in no template


def _passing(rid: str, course: str, group: str | None = None) -> dict[str, Any]:
    rules = [
        {"path": "course.course_key", "op": "eq", "value": course},
        {"path": "is_passing", "op": "eq", "value": True},
    ]
    return {"id": rid, "event_type": PASS, "rules": rules, **({"group": group} if group else {})}


def _failing(pid: str, course: str, resets: list[str]) -> dict[str, Any]:
    rules = [
        {"path": "course.course_key", "op": "eq", "value": course},
        {"path": "is_passing", "op": "eq", "value": False},
    ]
    return {"id": pid, "event_type": PASS, "requirements": resets, "rules": rules}


A, B, C, D, E, F = COURSES

RELIABILITY_CONFIG: dict[str, Any] = {
    "templates": [
        {
            "id": "track",
            "name": "Track",
            "requirements": [
                _passing("a", A, "ab"),
                _passing("b", B, "ab"),
                _passing("c", C),
                _passing("d", D, "de"),
                _passing("e", E, "de"),
            ],
            "penalties": [_failing("a-failed", A, ["a", "c"])],
        },
        {
            "id": "c-and-d",
            "name": "C and D",
            "requirements": [_passing("c", C), _passing("d", D)],
            "penalties": [_failing("d-failed", D, ["d"])],
        },
        {
            "id": "first-pass",
            "name": "First Pass",
            "requirements": [
                {
                    "id": "any",
                    "event_type": PASS,
                    "rules": [
                        {"path": "is_passing", "op": "eq", "value": True},
                    ],
                },
            ],
        },
    ]
}


def learner_stories(
    events: int, learners: int, *, seed: int, fail_rate: float = 0.15, resend_rate: float = 0.05
) -> list[KafkaMessage]:
    """Random passing/failing events of a pool of learners, some re-sent as exact duplicates."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    messages: list[KafkaMessage] = []
    for step in range(events):
        if messages and rng.random() < resend_rate:
            messages.append(rng.choice(messages))  # the same event again: same ce_id
            continue
        learner = rng.randrange(learners)
        course = rng.choice(COURSES)
        messages.append(
            passing_event(
                10_000 + learner,
                f"learner-{learner:05d}",
                course,
                rng.random() >= fail_rate,
                event_id=f"{seed:04d}-{step:07d}",
                time=start + timedelta(seconds=step),
            )
        )
    return messages
