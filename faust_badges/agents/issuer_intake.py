"""The issuer intake agent: our own badge events on the lifecycle topic become issue and revoke
commands on the topic of the template's provider.

Only events this deployment emitted (``ce_source``) are taken, and their template is named by a
header we add, so other producers' badge events on a shared topic are left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from faust.types import Message

from faust_badges.core.event_types import BADGE_AWARDED, BADGE_REVOKED
from faust_badges.core.issuing import Command, CommandKind, Recipient
from faust_badges.events.badge_events import decode_badge
from faust_badges.events.cloudevents import (
    TEMPLATE_HEADER,
    EventMetadata,
    header_map,
    parse_event_time,
)
from faust_badges.events.errors import BadBody
from faust_badges.events.issuer_messages import command_record
from faust_badges.logs import log_kv
from faust_badges.runtime import Runtime

logger = logging.getLogger(__name__)

_KINDS = {BADGE_AWARDED: CommandKind.ISSUE, BADGE_REVOKED: CommandKind.REVOKE}


def register_issuer_intake(runtime: Runtime) -> None:
    runtime.batch_agent("issuer_intake", runtime.topics.lifecycle, forward_badge_events)


async def forward_badge_events(runtime: Runtime, messages: Sequence[Message]) -> None:
    for message in messages:
        await forward_badge_event(runtime, message)


async def forward_badge_event(runtime: Runtime, message: Message) -> None:
    """Turn one of our badge events into a command for its provider's issuer."""
    headers = header_map(message.headers)
    meta = EventMetadata.from_headers(headers)
    kind = _KINDS.get(meta.type)
    if kind is None or meta.source != runtime.event_source:
        return
    template_id = headers.get(TEMPLATE_HEADER, b"").decode()
    plan = runtime.live_config.index().templates.get(template_id)
    if plan is None or plan.template.issuer.provider == "none":
        return  # issued by Open edX itself: no provider to call
    try:
        badge = await decode_badge(message.value, meta, runtime.formats.decoders)
    except BadBody as exc:
        log_kv(
            logger,
            logging.ERROR,
            "badge_event_unreadable",
            event_id=meta.id,
            error=exc.reason,
        )
        return
    pii = badge.user.pii
    recipient = Recipient(
        username=pii.username,
        user_id=badge.user.id,
        email=pii.email,
        name=pii.name,
        awarded_at=parse_event_time(meta.time, datetime.now(UTC)),
    )
    provider = plan.template.issuer.provider
    command = Command(kind, badge.uuid, template_id, provider, recipient)
    key, value = command_record(command)
    await runtime.topics.issuer_commands[provider].send(key=key, value=value)
