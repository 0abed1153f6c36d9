"""Turn one raw input message into a learner event, a skip, or a rejection with its reason.

Nothing here raises on bad input: every message ends as exactly one of the three results, so the
ingest agent can account for each (processed, skipped as unconfigured, or dead-lettered).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from faust_badges.core.index import ConfigIndex
from faust_badges.core.learner import LearnerEvent
from faust_badges.events.cloudevents import (
    CONTENT_TYPE_JSON,
    EventMetadata,
    parse_event_time,
    value_content_type,
)
from faust_badges.events.errors import BadBody
from faust_badges.events.json_format import decode_json_body
from faust_badges.events.payloads import InvalidPayload, validate_payload


@dataclass(frozen=True, slots=True)
class Accepted:
    event: LearnerEvent


@dataclass(frozen=True, slots=True)
class Skipped:
    """A type this job is not configured for: counted, not dead-lettered."""

    event_type: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """Bad input: ``reason`` is a short code for metrics, ``detail`` what was wrong (no PII)."""

    reason: str
    detail: str

    def describe(self) -> str:
        return f"{self.reason}: {self.detail}"


Inbound = Accepted | Skipped | Rejected


class BodyDecoder(Protocol):
    """Decodes a message value of one wire format into the payload mapping."""

    async def __call__(self, value: bytes, event_type: str) -> Any: ...


async def _json_decoder(value: bytes, event_type: str) -> Any:
    return decode_json_body(value)


DEFAULT_DECODERS: Mapping[str, BodyDecoder] = {CONTENT_TYPE_JSON: _json_decoder}


async def decode_inbound(
    value: bytes | None,
    headers: Mapping[str, bytes],
    index: ConfigIndex,
    *,
    kafka_time: datetime,
    decoders: Mapping[str, BodyDecoder] = DEFAULT_DECODERS,
) -> Inbound:
    """Decode, check and identify one input message."""
    meta = EventMetadata.from_headers(headers)
    if not meta.type:
        return Rejected("missing_ce_type", "message has no ce_type header")
    if not index.processes(meta.type):
        return Skipped(meta.type)
    if not meta.id:
        return Rejected("missing_ce_id", "message has no ce_id header")
    content_type = value_content_type(meta, value)
    decoder = decoders.get(content_type)
    if decoder is None:
        return Rejected("unsupported_content_type", f"content-type {content_type!r}")
    if not value:
        return Rejected("empty_value", "message has no value")
    try:
        body = await decoder(value, meta.type)
    except BadBody as exc:
        return Rejected(exc.reason, exc.detail)
    data_key = index.data_keys[meta.type]
    if not isinstance(body, dict) or data_key not in body:
        return Rejected("missing_data_key", f"payload has no {data_key!r} object")
    data = body[data_key]
    try:
        user = validate_payload(meta.type, data)
    except InvalidPayload as exc:
        return Rejected(exc.reason, str(exc))
    event_time = parse_event_time(meta.time, kafka_time)
    return Accepted(LearnerEvent(meta.type, meta.id, event_time, data, user))
