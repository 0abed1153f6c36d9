"""Builders for decision-core tests: configs of course-passing rules, events, a decide fold."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from faust_badges.core.badges import app_namespace
from faust_badges.core.config import BadgeConfig, Penalty, Requirement, Rule, Template
from faust_badges.core.decide import Decision, decide
from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.core.index import ConfigIndex
from faust_badges.core.learner import LearnerEvent, UserData
from faust_badges.core.operators import Operator
from faust_badges.core.progress import LearnerProgress

APP_ID = "faust-badges-tests"
NAMESPACE = app_namespace(APP_ID)
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2030, 1, 1, tzinfo=UTC)  # far from every event time, so the two are never confused


def course(name: str) -> str:
    """A course key: ``course("a")`` is ``course-v1:Org+a+Run``."""
    return f"course-v1:Org+{name}+Run"


def passing_rules(course_key: str | None, is_passing: bool | None) -> tuple[Rule, ...]:
    """``course.course_key eq course_key`` and ``is_passing eq is_passing``; None leaves one out."""
    rules: list[Rule] = []
    if course_key is not None:
        rules.append(Rule(path="course.course_key", op=Operator.EQ, value=course_key))
    if is_passing is not None:
        rules.append(Rule(path="is_passing", op=Operator.EQ, value=is_passing))
    return tuple(rules)


def requirement(
    requirement_id: str,
    course_key: str | None = None,
    *,
    is_passing: bool | None = True,
    group: str | None = None,
    event_type: str = COURSE_PASSING_STATUS,
) -> Requirement:
    """A requirement on passing (by default) a course; no course and no status means no rules."""
    return Requirement(
        id=requirement_id,
        event_type=event_type,
        group=group,
        rules=passing_rules(course_key, is_passing),
    )


def penalty(
    penalty_id: str,
    resets: Iterable[str],
    course_key: str | None = None,
    *,
    is_passing: bool | None = False,
    event_type: str = COURSE_PASSING_STATUS,
) -> Penalty:
    """A penalty on failing (by default) a course, resetting the named requirements."""
    return Penalty(
        id=penalty_id,
        event_type=event_type,
        requirements=tuple(resets),
        rules=passing_rules(course_key, is_passing),
    )


def template(
    template_id: str,
    requirements: Iterable[Requirement],
    penalties: Iterable[Penalty] = (),
    *,
    active: bool = True,
) -> Template:
    return Template(
        id=template_id,
        name=f"Badge {template_id}",
        active=active,
        requirements=tuple(requirements),
        penalties=tuple(penalties),
    )


def make_config(*templates: Template) -> BadgeConfig:
    return BadgeConfig(templates=templates)


def make_index(*templates: Template) -> ConfigIndex:
    return ConfigIndex.build(make_config(*templates))


def make_user(username: str, user_id: int = 1) -> UserData:
    return UserData(
        id=user_id,
        username=username,
        email=f"{username}@example.org",
        name=username.title(),
        is_active=True,
    )


def passing_status(user: UserData, course_key: str, is_passing: bool) -> dict[str, Any]:
    """The ``course_passing_status`` data object of an event."""
    return {
        "is_passing": is_passing,
        "course": {"course_key": course_key, "display_name": course_key},
        "user": {
            "id": user.id,
            "is_active": user.is_active,
            "pii": {"username": user.username, "email": user.email, "name": user.name},
        },
    }


def make_event(
    username: str,
    course_key: str,
    is_passing: bool = True,
    *,
    event_id: str | None = None,
    event_time: datetime = T0,
    event_type: str = COURSE_PASSING_STATUS,
) -> LearnerEvent:
    """A course passing status event about ``username`` (a fresh event id unless one is given)."""
    user = make_user(username)
    return LearnerEvent(
        event_type=event_type,
        event_id=event_id if event_id is not None else f"evt-{uuid.uuid4()}",
        event_time=event_time,
        data=passing_status(user, course_key, is_passing),
        user=user,
    )


def minutes(n: int) -> datetime:
    """An event time ``n`` minutes after T0."""
    return T0 + timedelta(minutes=n)


def apply(
    progress: LearnerProgress | None,
    event: LearnerEvent,
    index: ConfigIndex,
    *,
    now: datetime = NOW,
) -> Decision:
    """``decide`` with the test app's namespace."""
    return decide(progress, event, index, namespace=NAMESPACE, now=now)


def fold(
    events: Iterable[LearnerEvent],
    index: ConfigIndex,
    progress: LearnerProgress | None = None,
) -> tuple[LearnerProgress | None, list[Decision]]:
    """Apply events one after the other to one learner; the final progress and every decision."""
    decisions: list[Decision] = []
    for event in events:
        decision = apply(progress, event, index)
        decisions.append(decision)
        progress = decision.progress
    return progress, decisions
