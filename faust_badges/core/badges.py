"""Badge identity and the ``BadgeData`` payload of badge.awarded / badge.revoked events."""

from __future__ import annotations

import json
import uuid
from typing import Any

from faust_badges.core.config import AccredibleIssuer, CredlyIssuer, OpenBadgesIssuer, Template
from faust_badges.core.learner import UserData

_ROOT_NAMESPACE = uuid.UUID("6f0b6c3e-2a61-5f4e-9d43-9b1f2b7c1a55")


def app_namespace(app_id: str) -> uuid.UUID:
    """The namespace of one deployment: two app ids sharing a cluster never share badge ids."""
    return uuid.uuid5(_ROOT_NAMESPACE, app_id)


def badge_uuid(namespace: uuid.UUID, username: str, template_id: str) -> str:
    """The one id a learner's badge for a template has, on every retry and every consumer."""
    # JSON keeps the two parts apart whatever characters a username holds.
    return str(uuid.uuid5(namespace, json.dumps([username, template_id])))


def template_uuid(namespace: uuid.UUID, template_id: str) -> str:
    """The template's own uuid, used when no provider issues the badge."""
    return str(uuid.uuid5(namespace, json.dumps(["template", template_id])))


def template_origin(template: Template) -> tuple[str, str]:
    """``(origin, template uuid)`` for BadgeTemplateData: the issuing provider and its id."""
    issuer = template.issuer
    if isinstance(issuer, CredlyIssuer):
        return "credly", issuer.template_id
    if isinstance(issuer, AccredibleIssuer):
        return "accredible", str(issuer.group_id)
    if isinstance(issuer, OpenBadgesIssuer):
        return "openbadges", ""  # the template's own uuid
    return "openedx", ""


def badge_data(
    namespace: uuid.UUID, badge_id: str, user: UserData, template: Template
) -> dict[str, Any]:
    """The Open edX ``BadgeData`` of a learner's badge, as a plain mapping."""
    origin, provider_template_id = template_origin(template)
    return {
        "uuid": badge_id,
        "user": {
            "id": user.id,
            "is_active": user.is_active,
            "pii": {"username": user.username, "email": user.email, "name": user.name},
        },
        "template": {
            "uuid": provider_template_id or template_uuid(namespace, template.id),
            "origin": origin,
            "name": template.name,
            "description": template.description,
            "image_url": template.image_url,
        },
    }
