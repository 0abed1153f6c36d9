"""Who an event is about: the learner's ``UserData`` and the record the job keeps of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class UserData:
    """The Open edX ``UserData`` carried by an event (``pii`` flattened)."""

    id: int
    username: str
    email: str
    name: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class LearnerEvent:
    """One input event, decoded and validated, as the decision core sees it."""

    event_type: str
    event_id: str
    event_time: datetime
    data: Mapping[str, Any]  # the object under the event's data key, e.g. course_passing_status
    user: UserData

    @property
    def username(self) -> str:
        return self.user.username


@dataclass(frozen=True, slots=True)
class LearnerRecord:
    """The learner as last seen in events; ``seen_at`` is the time of the event it came from."""

    username: str
    user_id: int
    email: str
    name: str
    is_active: bool
    seen_at: datetime


def merge_learner(
    record: LearnerRecord | None, user: UserData, event_time: datetime
) -> LearnerRecord:
    """Create the learner, or update it from an event newer than the data it holds.

    Newer-wins by event time keeps the result independent of redelivery and arrival order, so
    a newer event moves ``seen_at`` even when the values are the same. Returns ``record`` itself
    when nothing changes (an older or redelivered event), so callers can skip the write.
    """
    if record is None:
        return LearnerRecord(
            username=user.username,
            user_id=user.id,
            email=user.email,
            name=user.name,
            is_active=user.is_active,
            seen_at=event_time,
        )
    if event_time < record.seen_at:
        return record
    updated = replace(
        record,
        user_id=user.id,
        email=user.email,
        name=user.name,
        is_active=user.is_active,
        seen_at=event_time,
    )
    return record if updated == record else updated
