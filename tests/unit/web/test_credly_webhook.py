"""``POST /badges/credly/webhook/``: Credly's template events keep the config in step. Nothing in
the body is trusted until Credly itself returns the event for the organization named in it; only
then is the config changed (published to the config topic), from Credly's copy of the template."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import pytest

from faust_badges.core.config import (
    BadgeConfig,
    CredlyIssuer,
    CredlyOrganization,
    CredlyProvider,
    Providers,
    Template,
)
from faust_badges.core.config_checks import parse_config
from faust_badges.events.state_codecs import CONFIG_KEY
from faust_badges.providers.base import ProviderError
from faust_badges.web.credly_webhook import register_credly_webhook

from ..agents.fakes import FakeTopic
from ..core.builders import course, requirement
from .fakes import FakeApp, make_runtime, serve

WEBHOOK = "/badges/credly/webhook/"
ORG = "org-1"
KNOWN = "tpl-known"
CONFIG = BadgeConfig(
    templates=(
        Template(
            id="python",
            name="Python",
            issuer=CredlyIssuer(provider="credly", organization_id=ORG, template_id=KNOWN),
            requirements=(requirement("p101", course("p101")),),
        ),
    ),
    providers=Providers(
        credly=CredlyProvider(
            organizations=(CredlyOrganization(id=ORG, api_key_env="CREDLY_ORG_KEY"),)
        )
    ),
)


@dataclass
class FakeCredly:
    """Credly's events API: the events it has, per organization (or the error it answers)."""

    events: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    error: ProviderError | None = None
    asked: list[tuple[str, str]] = field(default_factory=list)

    def credly(self, organization: str, config: BadgeConfig) -> Any:
        credly = self

        class Client:
            async def event(self, event_id: str) -> dict[str, Any]:
                credly.asked.append((organization, event_id))
                if credly.error is not None:
                    raise credly.error
                if (organization, event_id) not in credly.events:
                    raise ProviderError("event: 404", kind="permanent", status=404)
                return credly.events[(organization, event_id)]

        return Client()


def webhook_app(credly: FakeCredly) -> tuple[FakeApp, FakeTopic]:
    runtime, app = make_runtime(CONFIG)
    object.__setattr__(runtime, "providers", credly)  # (a SimpleNamespace, typed as Runtime)
    register_credly_webhook(runtime)
    return app, runtime.config_table.changelog_topic


def credly_event(event_type: str, template: dict[str, Any] | None) -> dict[str, Any]:
    return {"id": "e1", "event_type": event_type, "badge_template": template}


def notice(event_type: str, event_id: str = "e1", organization: Any = ORG) -> dict[str, Any]:
    return {"id": event_id, "organization_id": organization, "event_type": event_type}


def published(topic: FakeTopic) -> BadgeConfig:
    (record,) = topic.sent
    assert record.key == CONFIG_KEY and record.value is not None
    return parse_config(json.loads(record.value))


async def post(app: FakeApp, body: Any) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with serve(app) as client:
        response = await client.post(WEBHOOK, data=data)  # no token: Credly cannot send one
        return response.status, await response.json()


async def test_a_created_template_is_added_inactive_from_credlys_copy(
    caplog: pytest.LogCaptureFixture,
) -> None:
    credly = FakeCredly()
    new = {"id": "tpl-new", "name": "Data Wrangler", "state": "active", "owner": {"id": ORG}}
    credly.events[(ORG, "e1")] = credly_event("badge_template.created", new)
    app, topic = webhook_app(credly)
    # What the body says of the template is not what is used: only Credly's answer is.
    forged = {**notice("badge_template.created"), "badge_template": {"id": "x", "name": "Evil"}}

    with caplog.at_level(logging.INFO):
        status, body = await post(app, forged)

    assert (status, body) == (200, {"result": "1 added (inactive), 0 updated, 0 deactivated"})
    assert credly.asked == [(ORG, "e1")]
    added = published(topic).templates[-1]
    assert (added.id, added.name, added.active) == ("credly-data-wrangler", "Data Wrangler", False)
    assert added.issuer == CredlyIssuer(
        provider="credly", organization_id=ORG, template_id="tpl-new"
    )
    assert "credly_webhook" in caplog.text and "tpl-new" in caplog.text


async def test_a_changed_template_updates_ours_and_keeps_it_active() -> None:
    credly = FakeCredly()
    changed = {"id": KNOWN, "name": "Python, renamed", "description": "New words"}
    credly.events[(ORG, "e1")] = credly_event("badge_template.changed", changed)
    app, topic = webhook_app(credly)

    status, body = await post(app, notice("badge_template.changed"))

    assert (status, body["result"]) == (200, "0 added (inactive), 1 updated, 0 deactivated")
    (python,) = published(topic).templates
    assert (python.name, python.description, python.active) == (
        "Python, renamed",
        "New words",
        True,
    )
    assert python.requirements == CONFIG.templates[0].requirements


async def test_a_deleted_template_is_deactivated_not_removed() -> None:
    credly = FakeCredly()
    credly.events[(ORG, "e1")] = credly_event("badge_template.deleted", {"id": KNOWN})
    app, topic = webhook_app(credly)

    status, body = await post(app, notice("badge_template.deleted"))

    assert (status, body["result"]) == (200, "0 added (inactive), 0 updated, 1 deactivated")
    (python,) = published(topic).templates
    assert python.id == "python" and python.active is False


async def test_an_event_that_changes_nothing_publishes_nothing() -> None:
    credly = FakeCredly()
    credly.events[(ORG, "e1")] = credly_event(
        "badge_template.changed", {"id": KNOWN, "name": "Python"}
    )
    app, topic = webhook_app(credly)

    status, body = await post(app, notice("badge_template.changed"))

    assert (status, body["result"]) == (200, "0 added (inactive), 0 updated, 0 deactivated")
    assert topic.sent == []


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"not json", "the body is not JSON"),
        (b"[" * 100_000, "the body is not JSON"),  # past Python's recursion limit
        ([notice("badge_template.created")], "id and organization_id are required strings"),
        (
            {"organization_id": ORG, "event_type": "badge_template.created"},
            "id and organization_id",
        ),
        (notice("badge_template.created", organization=7), "id and organization_id"),
        (notice("badge.issued"), "unsupported event_type 'badge.issued'"),
    ],
    ids=["not-json", "too-deep", "a-list", "no-id", "org-not-a-string", "other-event"],
)
async def test_a_bad_body_is_a_400_and_credly_is_not_asked(body: Any, error: str) -> None:
    credly = FakeCredly()
    app, topic = webhook_app(credly)

    status, answer = await post(app, body)

    assert status == 400 and answer["error"].startswith(error)
    assert credly.asked == [] and topic.sent == []


async def test_an_organization_not_in_the_config_is_a_404() -> None:
    credly = FakeCredly()
    app, topic = webhook_app(credly)

    status, body = await post(app, notice("badge_template.created", organization="org-2"))

    assert (status, body) == (404, {"error": "unknown organization"})
    assert credly.asked == [] and topic.sent == []


async def test_an_event_credly_does_not_know_is_a_403() -> None:
    credly = FakeCredly()
    app, topic = webhook_app(credly)

    status, body = await post(app, notice("badge_template.created", event_id="forged"))

    assert (status, body) == (403, {"error": "Credly does not know this event"})
    assert credly.asked == [(ORG, "forged")] and topic.sent == []


async def test_credly_out_of_reach_is_a_503_so_that_credly_sends_it_again() -> None:
    credly = FakeCredly(error=ProviderError("event: timed out", kind="transient"))
    app, topic = webhook_app(credly)

    status, body = await post(app, notice("badge_template.created"))

    assert (status, body) == (503, {"error": "Credly could not be reached"})
    assert topic.sent == []


@pytest.mark.parametrize(
    ("template", "status"),
    [
        (None, 422),
        ({"name": "no id"}, 422),
        ({"id": 42}, 422),
        ({"id": "tpl-x", "owner": {"id": "org-2"}}, 403),
    ],
    ids=["no-template", "no-id", "id-not-a-string", "another-owner"],
)
async def test_an_event_without_a_template_of_ours_changes_nothing(
    template: dict[str, Any] | None, status: int
) -> None:
    credly = FakeCredly()
    credly.events[(ORG, "e1")] = credly_event("badge_template.created", template)
    app, topic = webhook_app(credly)

    answer_status, _ = await post(app, notice("badge_template.created"))

    assert answer_status == status and topic.sent == []


async def test_a_body_whose_event_type_is_not_credlys_changes_nothing() -> None:
    credly = FakeCredly()
    credly.events[(ORG, "e1")] = credly_event("badge_template.changed", {"id": KNOWN})
    app, topic = webhook_app(credly)

    status, body = await post(app, notice("badge_template.deleted"))

    assert topic.sent == []
    assert status == 403 and "event_type" in body["error"]


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ({"id": "tpl-odd", "owner": "org-1"}, "owner"),
        ({"id": "tpl-odd", "name": 7}, "name"),
        ({"id": "tpl-odd", "description": ["a", "b"]}, "description"),
        ({"id": "tpl-odd", "image_url": {"url": "x"}}, "image_url"),
    ],
    ids=["owner-not-object", "name-not-string", "description-list", "image-object"],
)
async def test_odd_template_data_from_credly_is_a_clear_422_not_a_crash(
    template: dict[str, Any], problem: str
) -> None:
    credly = FakeCredly()
    credly.events[(ORG, "e1")] = credly_event("badge_template.created", template)
    app, topic = webhook_app(credly)

    status, body = await post(app, notice("badge_template.created"))

    assert status == 422 and problem in body["error"]
    assert topic.sent == []
