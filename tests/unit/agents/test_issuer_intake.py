"""The issuer intake against in-memory fakes: our own badge events become issue and revoke
commands on the template's provider topic; anything else is left alone."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest

from faust_badges.agents.issuer_intake import forward_badge_event
from faust_badges.core.badges import badge_data
from faust_badges.core.config import BadgeConfig, CredlyIssuer, NoIssuer, Template
from faust_badges.core.event_types import BADGE_AWARDED, BADGE_REVOKED
from faust_badges.core.index import ConfigIndex
from faust_badges.core.issuing import CommandKind, Recipient
from faust_badges.events.cloudevents import TEMPLATE_HEADER
from faust_badges.events.formats import WireFormats
from faust_badges.events.issuer_messages import decode_command
from faust_badges.events.outbound import JsonBadgeEventEncoder
from faust_badges.runtime import Runtime
from faust_badges.settings import Settings

from ..core.builders import NAMESPACE, course, make_user, requirement
from .fakes import FakeTopic

SOURCE = "openedx/test/worker"
AWARDED_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
CREDLY = Template(
    id="credly",
    name="Credly Badge",
    issuer=CredlyIssuer(provider="credly", organization_id="org", template_id="tpl"),
    requirements=(requirement("pass", course("a")),),
)
OPEN_EDX = Template(
    id="plain", name="Plain Badge", issuer=NoIssuer(), requirements=CREDLY.requirements
)
INDEX = ConfigIndex.build(BadgeConfig(templates=(CREDLY, OPEN_EDX)))
USER = make_user("ada", user_id=7)
BADGE = "2f6a9a62-1d8e-5c51-a7a2-3b3c4d5e6f70"


def fake_runtime() -> SimpleNamespace:
    return SimpleNamespace(
        live_config=SimpleNamespace(index=lambda: INDEX),
        event_source=SOURCE,
        formats=WireFormats.from_settings(Settings()),
        topics=SimpleNamespace(
            issuer_commands={"credly": FakeTopic("credly"), "accredible": FakeTopic("acc")}
        ),
    )


async def badge_message(
    template: Template, event_type: str = BADGE_AWARDED, source: str = SOURCE
) -> Any:
    encoded = await JsonBadgeEventEncoder().encode(
        event_type=event_type,
        badge=badge_data(NAMESPACE, BADGE, USER, template),
        time=AWARDED_AT,
        source=source,
    )
    headers = [*encoded.headers, (TEMPLATE_HEADER, template.id.encode())]
    return SimpleNamespace(key=encoded.key, value=encoded.value, headers=headers)


async def forward(runtime: SimpleNamespace, message: Any) -> None:
    await forward_badge_event(cast(Runtime, runtime), message)


@pytest.mark.parametrize(
    ("event_type", "kind"),
    [(BADGE_AWARDED, CommandKind.ISSUE), (BADGE_REVOKED, CommandKind.REVOKE)],
)
async def test_our_badge_event_becomes_a_command_for_its_provider(
    event_type: str, kind: CommandKind
) -> None:
    runtime = fake_runtime()

    await forward(runtime, await badge_message(CREDLY, event_type))

    [sent] = runtime.topics.issuer_commands["credly"].sent
    command = decode_command(sent.value or b"")
    assert sent.key == BADGE.encode()
    assert (command.kind, command.badge_uuid, command.template_id) == (kind, BADGE, "credly")
    assert command.recipient == Recipient("ada", 7, USER.email, USER.name, AWARDED_AT)
    assert runtime.topics.issuer_commands["accredible"].sent == []


async def test_badge_events_of_other_producers_are_left_alone() -> None:
    runtime = fake_runtime()

    await forward(runtime, await badge_message(CREDLY, source="openedx/someone-else/worker"))

    assert runtime.topics.issuer_commands["credly"].sent == []


async def test_a_badge_issued_by_open_edx_itself_needs_no_command() -> None:
    runtime = fake_runtime()

    await forward(runtime, await badge_message(OPEN_EDX))

    assert all(topic.sent == [] for topic in runtime.topics.issuer_commands.values())


@pytest.mark.parametrize(
    "value",
    [b"not json", b'{"other": {}}', b'{"badge": {"uuid": "x"}}'],
    ids=["undecodable", "no-badge-object", "badge-without-user"],
)
async def test_an_unreadable_badge_event_is_logged_not_forwarded(
    value: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = fake_runtime()
    message = await badge_message(CREDLY)
    message.value = value

    with caplog.at_level(logging.ERROR):
        await forward(runtime, message)

    assert runtime.topics.issuer_commands["credly"].sent == []
    assert "badge_event_unreadable" in caplog.text
