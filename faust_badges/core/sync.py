"""Provider template sync (SPEC §6): fold a provider's templates into the badge config.

A template the config already has (same provider template id or group) gets the provider's
name, description and image; a new one is added inactive and without requirements, for an
operator to complete; a template the provider deleted or deactivated is deactivated here (its
learners' data is kept).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from faust_badges.core.config import AccredibleIssuer, BadgeConfig, CredlyIssuer, Template


@dataclass
class SyncSummary:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.added)} added (inactive), {len(self.updated)} updated, "
            f"{len(self.deactivated)} deactivated"
        )


def sync_credly_templates(
    config: BadgeConfig, organization_id: str, templates: Iterable[Mapping[str, Any]]
) -> tuple[BadgeConfig, SyncSummary]:
    """Fold the organization's active Credly templates into the config."""

    def ours(template: Template, provider_id: str) -> bool:
        issuer = template.issuer
        return isinstance(issuer, CredlyIssuer) and (
            issuer.organization_id == organization_id and issuer.template_id == provider_id
        )

    def issuer(provider_id: str) -> dict[str, Any]:
        return {
            "provider": "credly",
            "organization_id": organization_id,
            "template_id": provider_id,
        }

    entries = [
        (
            str(t["id"]),
            t.get("name") or str(t["id"]),
            t.get("description"),
            t.get("image_url"),
            t.get("state", "active") == "active",
        )
        for t in templates
    ]
    return _fold(config, "credly", entries, ours, issuer)


def sync_accredible_groups(
    config: BadgeConfig, api_config: str, groups: Iterable[Mapping[str, Any]]
) -> tuple[BadgeConfig, SyncSummary]:
    """Fold the Accredible groups of an API config into the config."""

    def ours(template: Template, provider_id: str) -> bool:
        issuer = template.issuer
        return isinstance(issuer, AccredibleIssuer) and (
            issuer.api_config == api_config and str(issuer.group_id) == provider_id
        )

    def issuer(provider_id: str) -> dict[str, Any]:
        return {"provider": "accredible", "api_config": api_config, "group_id": int(provider_id)}

    entries = [
        (
            str(g["id"]),
            g.get("course_name") or str(g["id"]),
            g.get("course_description"),
            None,
            True,
        )
        for g in groups
    ]
    return _fold(config, "accredible", entries, ours, issuer)


def remove_credly_template(
    config: BadgeConfig, organization_id: str, provider_id: str
) -> tuple[BadgeConfig, SyncSummary]:
    """A Credly template was deleted: deactivate ours (kept for its learners' history)."""
    return sync_credly_templates(config, organization_id, [{"id": provider_id, "state": "deleted"}])


Entry = tuple[str, str, Any, Any, bool]  # provider id, name, description, image url, active


def _fold(
    config: BadgeConfig,
    provider: str,
    entries: list[Entry],
    ours: Any,
    issuer: Any,
) -> tuple[BadgeConfig, SyncSummary]:
    document = config.model_dump(mode="json")
    templates: list[dict[str, Any]] = document["templates"]
    summary = SyncSummary()
    taken = {t["id"] for t in templates}
    for provider_id, name, description, image_url, active in entries:
        index = next((i for i, t in enumerate(config.templates) if ours(t, provider_id)), None)
        if index is None:
            if not active:
                continue  # nothing of ours to deactivate
            slug = _slug(provider, name, provider_id, taken)
            taken.add(slug)
            templates.append(
                {
                    "id": slug,
                    "name": name,
                    "description": description or "",
                    "image_url": image_url,
                    "active": False,  # an operator adds requirements, then activates it
                    "issuer": issuer(provider_id),
                    "requirements": [],
                }
            )
            summary.added.append(slug)
            continue
        current = templates[index]
        changed = dict(current, name=name, description=description or "")
        if image_url is not None:
            changed["image_url"] = image_url
        if not active and current["active"]:
            changed["active"] = False
            summary.deactivated.append(current["id"])
        elif changed != current:
            summary.updated.append(current["id"])
        templates[index] = changed
    return BadgeConfig.model_validate(document), summary


def _slug(provider: str, name: str, provider_id: str, taken: set[str]) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "template"
    base = f"{provider}-{words}"
    candidates = [base, f"{base}-{re.sub(r'[^a-z0-9]', '', provider_id.lower())[:8]}"]
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{candidates[-1]}-{number}" in taken:
        number += 1
    return f"{candidates[-1]}-{number}"
