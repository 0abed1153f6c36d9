"""JSON shapes of the ops views, built from the core's state types (no Faust here)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from faust_badges.core.index import ConfigIndex, TemplatePlan
from faust_badges.core.issuing import IssuedBadge
from faust_badges.core.learner import LearnerRecord
from faust_badges.core.progress import LearnerProgress
from faust_badges.core.template_status import RequirementStatus, TemplateStatus, template_status


def not_a_uuid(value: str) -> bool:
    """Whether a path's badge uuid is malformed (a 400, not a lookup that finds nothing)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return True
    return False


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def error(message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": message, **({"field": field} if field else {})}


def template_json(plan: TemplatePlan) -> dict[str, Any]:
    """A configured template with its groups, requirements and penalties (no learner data)."""
    template = plan.template
    return {
        **template.model_dump(mode="json", exclude={"requirements", "penalties"}),
        "groups": [list(group) for group in plan.groups],
        "requirements": [r.model_dump(mode="json") for r in template.requirements],
        "penalties": [p.model_dump(mode="json") for p in template.penalties],
    }


def issuing_json(record: IssuedBadge | None, *, with_user: bool = False) -> dict[str, Any] | None:
    """Where a badge stands at its provider; never the recipient's email or name."""
    if record is None:
        return None
    return {
        "badge_uuid": record.badge_uuid,
        "template_id": record.template_id,
        "provider": record.provider,
        "state": str(record.state),
        "external_id": record.external_id,
        "attempts": record.attempts,
        "last_error": record.last_error,
        "updated_at": iso(record.updated_at),
        **({"user_id": record.recipient.user_id} if with_user else {}),
    }


def learner_json(
    learner: LearnerRecord | None,
    progress: LearnerProgress | None,
    index: ConfigIndex,
    issuing: dict[str, dict[str, Any] | None],
) -> dict[str, Any]:
    """The learner view: who, and per template the progress, the requirements and the badge."""
    templates = progress.templates if progress else {}
    badges = progress.badges if progress else {}
    shown = [
        plan
        for tid, plan in index.templates.items()
        if plan.template.active or tid in templates or tid in badges
    ]
    return {
        "learner": None
        if learner is None
        else {
            "username": learner.username,
            "user_id": learner.user_id,
            "email": learner.email,
            "name": learner.name,
            "is_active": learner.is_active,
            "seen_at": iso(learner.seen_at),
        },
        "templates": [_status_json(template_status(plan, progress), issuing) for plan in shown],
    }


def _status_json(
    status: TemplateStatus, issuing: dict[str, dict[str, Any] | None]
) -> dict[str, Any]:
    template, reset, badge = status.template, status.last_reset, status.badge
    return {
        "id": template.id,
        "name": template.name,
        "active": template.active,
        "ratio": status.ratio,
        "groups_total": len(status.groups),
        "groups_fulfilled": status.fulfilled_groups,
        "requirements": [_requirement_json(r) for r in status.requirements],
        "last_reset": None
        if reset is None
        else {
            "penalty_id": reset.penalty_id,
            "requirement_ids": list(reset.requirement_ids),
            "event_id": reset.event_id,
            "event_time": iso(reset.event_time),
        },
        "badge": None
        if badge is None
        else {
            "uuid": badge.uuid,
            "status": str(badge.status),
            "awarded_at": iso(badge.awarded_at),
            "revoked_at": iso(badge.revoked_at),
            "issuing": issuing.get(badge.uuid),
        },
    }


def _requirement_json(status: RequirementStatus) -> dict[str, Any]:
    requirement, fulfilment = status.requirement, status.fulfilment
    return {
        "id": requirement.id,
        "group": requirement.group,
        "description": requirement.description,
        "fulfilled": fulfilment is not None,
        "event_id": fulfilment.event_id if fulfilment else None,
        "event_time": iso(fulfilment.event_time) if fulfilment else None,
        "processed_at": iso(fulfilment.processed_at) if fulfilment else None,
    }
