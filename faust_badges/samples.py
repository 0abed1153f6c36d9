"""Example Open edX events in the JSON wire format, for ``produce-sample``, demos and benchmarks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.events.cloudevents import CONTENT_TYPE_JSON, SPEC_VERSION
from faust_badges.events.json_format import encode_json_body

KafkaMessage = tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]


def user_data(user_id: int, username: str) -> dict[str, Any]:
    """An Open edX ``UserData`` with made-up personal data."""
    return {
        "id": user_id,
        "is_active": True,
        "pii": {
            "username": username,
            "email": f"{username}@example.org",
            "name": username.replace("-", " ").title(),
        },
    }


def passing_status_data(
    user_id: int, username: str, course_key: str, is_passing: bool
) -> dict[str, Any]:
    """A ``CoursePassingStatusData`` object."""
    return {
        "is_passing": is_passing,
        "course": {
            "course_key": course_key,
            "display_name": course_key,
            "start": None,
            "end": None,
        },
        "user": user_data(user_id, username),
    }


def json_event(
    event_type: str,
    data_key: str,
    data: dict[str, Any],
    *,
    key: str,
    event_id: str | None = None,
    time: datetime | None = None,
) -> KafkaMessage:
    """An input message as the Open edX event bus writes it, with a JSON value."""
    headers = [
        ("ce_type", event_type),
        ("ce_id", event_id or str(uuid.uuid4())),
        ("ce_source", "openedx/lms/web"),
        ("ce_specversion", SPEC_VERSION),
        ("ce_time", (time or datetime.now(UTC)).isoformat()),
        ("ce_minorversion", "0"),
        ("sourcehost", "lms.example.org"),
        # The Open edX consumer parses sourcelib as dotted integers (the openedx-events version).
        ("sourcelib", "10.5.0"),
        ("content-type", CONTENT_TYPE_JSON),
    ]
    return (
        key.encode(),
        encode_json_body({data_key: data}),
        [(name, value.encode()) for name, value in headers],
    )


def passing_event(
    user_id: int,
    username: str,
    course_key: str,
    is_passing: bool = True,
    *,
    event_id: str | None = None,
    time: datetime | None = None,
) -> KafkaMessage:
    """A course passing-status event, keyed by course like the LMS keys it."""
    return json_event(
        COURSE_PASSING_STATUS,
        "course_passing_status",
        passing_status_data(user_id, username, course_key, is_passing),
        key=course_key,
        event_id=event_id,
        time=time,
    )


#: The course keys used by ``examples/badges.yaml``.
EXAMPLE_COURSES = (
    "course-v1:edX+Py101+2026",
    "course-v1:edX+Py201+2026",
    "course-v1:edX+PyTest+2026",
    "course-v1:edX+Stats+2026",
    "course-v1:edX+MLIntro+2026",
)


def demo_events(learners: int = 5, start: datetime | None = None) -> Iterator[KafkaMessage]:
    """A small story for the example config: learners pass courses, one fails Py101 afterwards.

    Learner i passes the first i+1 example courses, so the later ones earn more badges.
    """
    moment = start or datetime.now(UTC)
    for i in range(learners):
        username = f"demo-learner-{i + 1}"
        for course in EXAMPLE_COURSES[: i + 1]:
            moment += timedelta(seconds=1)
            yield passing_event(1000 + i, username, course, True, time=moment)
    if learners >= 3:
        moment += timedelta(seconds=1)
        yield passing_event(1002, "demo-learner-3", EXAMPLE_COURSES[0], False, time=moment)
