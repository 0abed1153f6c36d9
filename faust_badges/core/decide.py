"""The decision: given a learner's progress, one event and the config, the new progress and the
badge transitions to emit (SPEC §4). Pure: no I/O, the input state is never changed.

Order within one event: requirements are fulfilled first, then penalties reset; a template's
badge is judged on the state after both. A penalty is the stronger signal when one event
matches both.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from faust_badges.core.badges import badge_uuid
from faust_badges.core.index import CompiledPenalty, CompiledRequirement, ConfigIndex
from faust_badges.core.learner import LearnerEvent
from faust_badges.core.progress import (
    RECENT_EVENTS_KEPT,
    Badge,
    BadgeStatus,
    Fulfilment,
    LearnerProgress,
    Reset,
    TemplateProgress,
)


class Outcome(StrEnum):
    """What an event did to a learner's badge state (counted in metrics)."""

    APPLIED = "applied"  # matched a requirement or penalty
    NO_MATCH = "no_match"  # configured type, but no rule set matched
    DUPLICATE = "duplicate"  # this event id was already applied for the learner


@dataclass(frozen=True, slots=True)
class BadgeTransition:
    """A badge was awarded or revoked: one output event."""

    status: BadgeStatus
    badge: Badge


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    progress: LearnerProgress | None  # the input object itself when nothing changed
    transitions: tuple[BadgeTransition, ...] = ()


def decide(
    progress: LearnerProgress | None,
    event: LearnerEvent,
    index: ConfigIndex,
    *,
    namespace: uuid.UUID,
    now: datetime,
) -> Decision:
    """Apply one event to one learner's progress."""
    requirements = index.requirements_met(event.event_type, event.data)
    penalties = index.penalties_met(event.event_type, event.data)
    if not requirements and not penalties:
        return Decision(Outcome.NO_MATCH, progress)
    done = progress.applied_to(event.event_id) if progress is not None else frozenset()
    if done:  # a redelivery: only templates it was not applied to yet (a replay after a config
        # change) still take it
        requirements = [r for r in requirements if r.template_id not in done]
        penalties = [p for p in penalties if p.template_id not in done]
        if not requirements and not penalties:
            return Decision(Outcome.DUPLICATE, progress)

    before = progress or LearnerProgress(username=event.username)
    templates = dict(before.templates)
    for requirement in requirements:
        _fulfil(templates, requirement, event, now)
    penalised: set[str] = set()
    for penalty in penalties:
        if _reset(templates, penalty, event, now):
            penalised.add(penalty.template_id)

    badges = dict(before.badges)
    transitions: list[BadgeTransition] = []
    touched = {r.template_id for r in requirements} | {p.template_id for p in penalties}
    for template_id in sorted(touched):
        transition = _judge_badge(
            template_id,
            templates.get(template_id),
            badges.get(template_id),
            penalised=template_id in penalised,
            index=index,
            event=event,
            namespace=namespace,
        )
        if transition is not None:
            badges[template_id] = transition.badge
            transitions.append(transition)

    recent = dict(before.recent_events)
    recent.pop(event.event_id, None)  # re-applied (a replay): it moves to the newest end
    recent[event.event_id] = tuple(sorted(done | touched))
    while len(recent) > RECENT_EVENTS_KEPT:
        del recent[next(iter(recent))]  # the oldest
    after = LearnerProgress(before.username, templates, badges, recent, before.learner)
    return Decision(Outcome.APPLIED, after, tuple(transitions))


def _fulfil(
    templates: dict[str, TemplateProgress],
    requirement: CompiledRequirement,
    event: LearnerEvent,
    now: datetime,
) -> None:
    """Mark the requirement fulfilled; the first fulfilment is kept until a penalty resets it.

    An event at or before the requirement's last reset does not count (a replay of history).
    """
    current = templates.get(requirement.template_id)
    requirement_id = requirement.requirement.id
    if current is None:
        current = TemplateProgress()
    elif requirement_id in current.fulfilled or not current.counts_for(
        requirement_id, event.event_time
    ):
        return
    fulfilled = {
        **current.fulfilled,
        requirement_id: Fulfilment(event.event_id, event.event_time, now),
    }
    templates[requirement.template_id] = replace(current, fulfilled=fulfilled)


def _reset(
    templates: dict[str, TemplateProgress],
    penalty: CompiledPenalty,
    event: LearnerEvent,
    now: datetime,
) -> bool:
    """Reset the penalty's requirements; True when it took away something the learner had.

    No progress record is created for a learner without one. The reset is recorded (for
    ``explain``) even when it removed nothing.
    """
    current = templates.get(penalty.template_id)
    if current is None:
        return False
    targets = penalty.penalty.requirements
    fulfilled = {rid: f for rid, f in current.fulfilled.items() if rid not in targets}
    reset = Reset(penalty.penalty.id, tuple(targets), event.event_id, event.event_time, now)
    reset_at = dict(current.reset_at)
    for rid in targets:  # the latest penalty in event time wins, whatever the arrival order
        reset_at[rid] = max(reset_at.get(rid, event.event_time), event.event_time)
    templates[penalty.template_id] = TemplateProgress(fulfilled, reset, reset_at)
    return len(fulfilled) < len(current.fulfilled)


def _judge_badge(
    template_id: str,
    template_progress: TemplateProgress | None,
    badge: Badge | None,
    *,
    penalised: bool,
    index: ConfigIndex,
    event: LearnerEvent,
    namespace: uuid.UUID,
) -> BadgeTransition | None:
    """Award once on completion; revoke once when a penalty leaves an awarded badge incomplete."""
    plan = index.templates[template_id]
    complete = plan.is_complete(template_progress)
    if badge is None:
        if not complete:
            return None
        awarded = Badge(
            uuid=badge_uuid(namespace, event.username, template_id),
            template_id=template_id,
            status=BadgeStatus.AWARDED,
            awarded_at=event.event_time,
            awarded_by_event=event.event_id,
        )
        return BadgeTransition(BadgeStatus.AWARDED, awarded)
    # Only a penalty revokes: a config change that adds a requirement must not take badges away.
    if badge.status is BadgeStatus.AWARDED and penalised and not complete:
        revoked = replace(
            badge,
            status=BadgeStatus.REVOKED,
            revoked_at=event.event_time,
            revoked_by_event=event.event_id,
        )
        return BadgeTransition(BadgeStatus.REVOKED, revoked)
    return None  # revoked is final: progress may move, the badge never comes back
