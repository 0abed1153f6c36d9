"""Badge lifecycle messages: key = badge uuid, value = ``{"badge": BadgeData}``, ce_* headers."""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from faust_badges import __version__
from faust_badges.events.cloudevents import CONTENT_TYPE_JSON, SPEC_VERSION, format_event_time
from faust_badges.events.json_format import encode_json_body

_HOST = socket.gethostname()


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


def lifecycle_event_id(badge_id: str, event_type: str) -> str:
    """``ce_id`` of a badge transition: the same on every redelivery, so consumers can dedupe."""
    return str(uuid.uuid5(uuid.UUID(badge_id), event_type))


def cloudevent_headers(
    *, event_type: str, event_id: str, time: datetime, source: str, content_type: str
) -> tuple[tuple[str, bytes], ...]:
    """The headers the Open edX event bus sets on every message."""
    return tuple(
        (name, value.encode())
        for name, value in (
            ("ce_type", event_type),
            ("ce_id", event_id),
            ("ce_source", source),
            ("ce_specversion", SPEC_VERSION),
            ("ce_time", format_event_time(time)),
            ("ce_minorversion", "0"),
            ("sourcehost", _HOST),
            ("sourcelib", f"faust-badges/{__version__}"),
            ("content-type", content_type),
        )
    )


class BadgeEventEncoder(Protocol):
    """Encodes one badge transition in a wire format."""

    async def encode(
        self, *, event_type: str, badge: dict[str, Any], time: datetime, source: str
    ) -> OutboundMessage: ...


class JsonBadgeEventEncoder:
    """CloudEvents binary mode with a JSON value."""

    async def encode(
        self, *, event_type: str, badge: dict[str, Any], time: datetime, source: str
    ) -> OutboundMessage:
        badge_id = badge["uuid"]
        return OutboundMessage(
            key=badge_id.encode(),
            value=encode_json_body({"badge": badge}),
            headers=cloudevent_headers(
                event_type=event_type,
                event_id=lifecycle_event_id(badge_id, event_type),
                time=time,
                source=source,
                content_type=CONTENT_TYPE_JSON,
            ),
        )
