"""A learner's badge progress: what each template's requirements have seen, and the badges."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from faust_badges.core.learner import LearnerRecord

#: How many applied events a learner keeps to recognise a redelivered one. Only events that
#: matched a requirement or a penalty are kept, so this covers far more than a learner's history.
RECENT_EVENTS_KEPT = 256


@dataclass(frozen=True, slots=True)
class Fulfilment:
    """The event that fulfilled a requirement: kept for audit and for ``explain``."""

    event_id: str
    event_time: datetime
    processed_at: datetime


@dataclass(frozen=True, slots=True)
class Reset:
    """The last penalty that reset requirements of a template."""

    penalty_id: str
    requirement_ids: tuple[str, ...]
    event_id: str
    event_time: datetime
    processed_at: datetime


@dataclass(frozen=True, slots=True)
class TemplateProgress:
    """Progress towards one template; created when a requirement is first fulfilled.

    ``reset_at`` holds, per requirement, the event time of the latest penalty that reset it. An
    event at or before that time no longer fulfils the requirement: the dedupe window forgets
    old event ids, and a replay of history must not undo a penalty that came after it.
    """

    fulfilled: dict[str, Fulfilment] = field(default_factory=dict)
    last_reset: Reset | None = None
    reset_at: dict[str, datetime] = field(default_factory=dict)

    def counts_for(self, requirement_id: str, event_time: datetime) -> bool:
        """Whether an event of this time may still fulfil the requirement."""
        reset_at = self.reset_at.get(requirement_id)
        return reset_at is None or event_time > reset_at


class BadgeStatus(StrEnum):
    AWARDED = "awarded"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class Badge:
    """The one badge a learner can ever get for a template; revoked is final."""

    uuid: str
    template_id: str
    status: BadgeStatus
    awarded_at: datetime
    awarded_by_event: str
    revoked_at: datetime | None = None
    revoked_by_event: str | None = None


@dataclass(frozen=True, slots=True)
class LearnerProgress:
    """Everything the job keeps for one learner (the ``progress`` table's value).

    Values are treated as immutable: the core builds new ones instead of changing them.
    """

    username: str
    templates: dict[str, TemplateProgress] = field(default_factory=dict)
    badges: dict[str, Badge] = field(default_factory=dict)
    #: Events already applied, oldest first: event id -> the templates each was applied to.
    #: Per template, so that replaying history after a template is added applies old events
    #: to the new template only, while a redelivery changes nothing anywhere. A mapping (not a
    #: list of records) because it is read on every event and decoded with every load.
    recent_events: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The learner as last seen in events (for the ops view), kept in the same record so that
    #: an event costs one state read and one state write. ``decide`` carries it over unchanged.
    learner: LearnerRecord | None = None

    def applied_to(self, event_id: str) -> frozenset[str]:
        """The templates this event was already applied to (none if it is new)."""
        return frozenset(self.recent_events.get(event_id, ()))
