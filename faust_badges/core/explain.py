"""Why a learner has, or has not, a badge: each template's groups, requirements and rules, set
against the learner's progress and the events seen for them (``faust-badges explain``).

Pure: the caller reads the progress and the events; this only compares them with the config.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from faust_badges.core.config import Rule
from faust_badges.core.errors import BadgesError
from faust_badges.core.index import CompiledRule, ConfigIndex, TemplatePlan
from faust_badges.core.learner import LearnerEvent
from faust_badges.core.operators import MISSING, resolve_path
from faust_badges.core.progress import (
    Badge,
    BadgeStatus,
    LearnerProgress,
    Reset,
    TemplateProgress,
)
from faust_badges.core.template_status import RequirementStatus, template_status

NOTE_INACTIVE = "inactive: its requirements and penalties are ignored (the learner's data is kept)"
NOTE_REVOKED = "revoked is final: this badge is never awarded again, though progress may move"
NOTE_KEPT = (
    "awarded while complete: a config change that adds a requirement never revokes a badge, "
    "only a penalty does"
)
NOTE_UNJUDGED = (
    "complete under the current config but not awarded: a badge is judged when an event "
    "matches one of the template's requirements or penalties"
)
NOTE_UNAPPLIED = (
    "an event matches every rule, yet the requirement is not fulfilled: the event was processed "
    "before the config had this requirement (or is not processed yet); `faust-badges replay` "
    "re-runs it against the current config (an event is applied to each template once)"
)
NOTE_BEFORE_RESET = (
    "an event matches every rule, yet the requirement is not fulfilled: a penalty reset it later "
    "in event time, and events at or before a reset no longer count"
)


class UnknownTemplate(BadgesError, LookupError):
    """The template asked for is not in the config."""


@dataclass(frozen=True, slots=True)
class EventRef:
    event_id: str
    event_time: datetime


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One rule against one event: ``actual`` is the value at ``path`` (None when not found)."""

    path: str
    op: str
    expected: Any
    matched: bool
    found: bool
    actual: Any


@dataclass(frozen=True, slots=True)
class ClosestEvent:
    """The learner's event of the requirement's type that matched the most of its rules."""

    event: EventRef
    rules: tuple[RuleCheck, ...]
    matched_rules: int


@dataclass(frozen=True, slots=True)
class ResetRef:
    penalty_id: str
    requirement_ids: tuple[str, ...]
    event: EventRef


@dataclass(frozen=True, slots=True)
class RequirementExplanation:
    id: str
    event_type: str
    description: str
    fulfilled_by: EventRef | None
    events_of_type: int  # the learner's events of this type that were read
    closest: ClosestEvent | None  # only for a requirement that is not fulfilled
    reset_by: ResetRef | None  # the last reset, when it cleared this unfulfilled requirement
    note: str | None = None


@dataclass(frozen=True, slots=True)
class GroupExplanation:
    name: str | None  # None: a requirement without a group is a group of its own
    fulfilled: bool
    requirements: tuple[RequirementExplanation, ...]

    @property
    def label(self) -> str:
        if self.name is not None:
            return f"group {self.name}"
        return f"requirement {self.requirements[0].id}"


@dataclass(frozen=True, slots=True)
class BadgeExplanation:
    status: str  # awarded | revoked | none
    uuid: str | None = None
    awarded: EventRef | None = None
    revoked: EventRef | None = None


@dataclass(frozen=True, slots=True)
class TemplateExplanation:
    id: str
    name: str
    active: bool
    badge: BadgeExplanation
    complete: bool
    fulfilled_groups: int
    groups: tuple[GroupExplanation, ...]
    last_reset: ResetRef | None
    notes: tuple[str, ...]

    @property
    def ratio(self) -> float:
        return self.fulfilled_groups / len(self.groups) if self.groups else 0.0

    @property
    def missing_groups(self) -> tuple[GroupExplanation, ...]:
        return tuple(group for group in self.groups if not group.fulfilled)


@dataclass(frozen=True, slots=True)
class Explanation:
    username: str
    config_revision: str
    has_progress: bool
    events_read: int
    templates: tuple[TemplateExplanation, ...]

    def as_json(self) -> dict[str, Any]:
        """The structured form (``explain --json``): plain JSON types, times in ISO 8601."""
        document: dict[str, Any] = _jsonable(asdict(self))
        for template, source in zip(document["templates"], self.templates, strict=True):
            template["ratio"] = source.ratio
            template["missing_groups"] = [group.label for group in source.missing_groups]
        return document


def explain(
    index: ConfigIndex,
    username: str,
    progress: LearnerProgress | None,
    events: Iterable[LearnerEvent],
    template_id: str | None = None,
) -> Explanation:
    """Explain every active template (or the one asked, active or not) for one learner."""
    templates = {t.id: t for t in index.config.templates}
    if template_id is not None:
        if template_id not in templates:
            raise UnknownTemplate(f"no template {template_id!r} in the config")
        chosen = [templates[template_id]]
    else:
        chosen = [t for t in index.config.templates if t.active]
    unique = {event.event_id: event for event in events}  # a redelivered event counts once
    history = sorted(unique.values(), key=lambda event: event.event_time)
    return Explanation(
        username=username,
        config_revision=index.revision,
        # A record that only knows who the learner is holds no progress.
        has_progress=progress is not None and bool(progress.templates or progress.badges),
        events_read=len(history),
        templates=tuple(
            _explain_template(index.templates[t.id], progress, history) for t in chosen
        ),
    )


def _explain_template(
    plan: TemplatePlan, progress: LearnerProgress | None, history: list[LearnerEvent]
) -> TemplateExplanation:
    status = template_status(plan, progress)
    template = status.template
    last_reset = _reset_ref(status.last_reset)
    groups = tuple(
        GroupExplanation(
            name=group.name,
            fulfilled=group.fulfilled,
            requirements=tuple(
                _explain_requirement(requirement, status.progress, last_reset, history)
                for requirement in group.requirements
            ),
        )
        for group in status.groups
    )
    badge = _badge(status.badge)
    complete = status.complete
    notes: list[str] = []
    if not template.active:
        notes.append(NOTE_INACTIVE)
    if badge.status == BadgeStatus.REVOKED:
        notes.append(NOTE_REVOKED)
    elif badge.status == BadgeStatus.AWARDED and not complete:
        notes.append(NOTE_KEPT)
    elif badge.status == "none" and complete and template.active:
        notes.append(NOTE_UNJUDGED)
    return TemplateExplanation(
        id=template.id,
        name=template.name,
        active=template.active,
        badge=badge,
        complete=complete,
        fulfilled_groups=status.fulfilled_groups,
        groups=groups,
        last_reset=last_reset,
        notes=tuple(notes),
    )


def _explain_requirement(
    status: RequirementStatus,
    template_progress: TemplateProgress | None,
    last_reset: ResetRef | None,
    history: list[LearnerEvent],
) -> RequirementExplanation:
    requirement, fulfilment = status.requirement, status.fulfilment
    of_type = [event for event in history if event.event_type == requirement.event_type]
    closest: ClosestEvent | None = None
    reset_by: ResetRef | None = None
    note: str | None = None
    if fulfilment is None:
        closest = _closest_event(requirement.rules, of_type)
        matches = closest is not None and closest.matched_rules == len(closest.rules)
        if last_reset is not None and requirement.id in last_reset.requirement_ids:
            reset_by = last_reset
        elif matches and _reset_after(template_progress, requirement.id, closest):
            note = NOTE_BEFORE_RESET
        elif matches:
            note = NOTE_UNAPPLIED
    return RequirementExplanation(
        id=requirement.id,
        event_type=requirement.event_type,
        description=requirement.description,
        fulfilled_by=EventRef(fulfilment.event_id, fulfilment.event_time) if fulfilment else None,
        events_of_type=len(of_type),
        closest=closest,
        reset_by=reset_by,
        note=note,
    )


def _reset_after(
    template_progress: TemplateProgress | None, requirement_id: str, closest: ClosestEvent | None
) -> bool:
    """Whether the requirement was reset at or after the closest event's time."""
    if template_progress is None or closest is None:
        return False
    return not template_progress.counts_for(requirement_id, closest.event.event_time)


def _closest_event(rules: tuple[Rule, ...], events: list[LearnerEvent]) -> ClosestEvent | None:
    """The event matching the most rules; the latest among equals (``events`` is time-ordered)."""
    compiled = [CompiledRule.build(rule) for rule in rules]
    best: ClosestEvent | None = None
    for event in events:
        checks = tuple(_check(rule, event) for rule in compiled)
        matched = sum(1 for check in checks if check.matched)
        if best is None or matched >= best.matched_rules:
            best = ClosestEvent(EventRef(event.event_id, event.event_time), checks, matched)
    return best


def _check(rule: CompiledRule, event: LearnerEvent) -> RuleCheck:
    actual = resolve_path(event.data, rule.parts)
    found = actual is not MISSING
    return RuleCheck(
        path=rule.rule.path,
        op=str(rule.rule.op),
        expected=rule.rule.value,
        matched=rule.predicate(actual),
        found=found,
        actual=actual if found else None,
    )


def _reset_ref(reset: Reset | None) -> ResetRef | None:
    if reset is None:
        return None
    return ResetRef(
        reset.penalty_id, reset.requirement_ids, EventRef(reset.event_id, reset.event_time)
    )


def _badge(badge: Badge | None) -> BadgeExplanation:
    if badge is None:
        return BadgeExplanation("none")
    revoked = (
        EventRef(badge.revoked_by_event, badge.revoked_at)
        if badge.revoked_by_event is not None and badge.revoked_at is not None
        else None
    )
    return BadgeExplanation(
        status=str(badge.status),
        uuid=badge.uuid,
        awarded=EventRef(badge.awarded_by_event, badge.awarded_at),
        revoked=revoked,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # e.g. a date an Avro payload decoded
