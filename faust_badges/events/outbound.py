"""Badge lifecycle messages: key = badge uuid, value = ``{"badge": BadgeData}``, ce_* headers."""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from faust_badges import __version__
from faust_badges.events.avro_format import (
    BADGE_KEY_SCHEMA,
    bundled_schema,
    frame,
    parse,
    topic_record_subject,
    write,
)
from faust_badges.events.cloudevents import (
    CONTENT_TYPE_AVRO,
    CONTENT_TYPE_JSON,
    SPEC_VERSION,
    format_event_time,
)
from faust_badges.events.json_format import encode_json_body
from faust_badges.events.schema_registry import SchemaRegistryClient

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
            # Dotted integers: the event bus reads this header as a version tuple.
            ("sourcelib", __version__),
            ("content-type", content_type),
            ("ce_datacontenttype", content_type),
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


class AvroBadgeEventEncoder:
    """Confluent-framed Avro, as the Open edX event bus writes it: schemas registered under
    topic-record subjects (``<topic>-<record full name>``), key = Avro string of the badge uuid
    (subject ``<topic>-string``)."""

    def __init__(self, registry: SchemaRegistryClient, topic: str) -> None:
        self._registry = registry
        self._topic = topic
        self._key_schema = parse(BADGE_KEY_SCHEMA)
        # event type -> (value schema id, key schema id, parsed value schema): registered once,
        # since schema ids never change (this is on the per-award path).
        self._prepared: dict[str, tuple[int, int, Any]] = {}

    async def encode(
        self, *, event_type: str, badge: dict[str, Any], time: datetime, source: str
    ) -> OutboundMessage:
        value_id, key_id, parsed = self._prepared.get(event_type) or await self._prepare(event_type)
        badge_id = badge["uuid"]
        return OutboundMessage(
            key=frame(key_id, write(self._key_schema, badge_id)),
            value=frame(value_id, write(parsed, {"badge": badge})),
            headers=cloudevent_headers(
                event_type=event_type,
                event_id=lifecycle_event_id(badge_id, event_type),
                time=time,
                source=source,
                content_type=CONTENT_TYPE_AVRO,
            ),
        )

    async def _prepare(self, event_type: str) -> tuple[int, int, Any]:
        schema = bundled_schema(event_type)
        if schema is None:  # only badge events are written, and their schemas ship with us
            raise LookupError(f"no Avro schema bundled for {event_type}")
        value_id = await self._registry.register(topic_record_subject(self._topic, schema), schema)
        key_subject = topic_record_subject(self._topic, BADGE_KEY_SCHEMA)
        key_id = await self._registry.register(key_subject, BADGE_KEY_SCHEMA)
        prepared = self._prepared[event_type] = (value_id, key_id, parse(schema))
        return prepared
