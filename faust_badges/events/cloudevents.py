"""CloudEvents metadata in Kafka headers, as the Open edX event bus writes it (binary mode)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

Headers = Iterable[tuple[str, bytes]]

CONTENT_TYPE_AVRO = "application/avro"
CONTENT_TYPE_JSON = "application/json"
SPEC_VERSION = "1.0"
#: Added to our badge events: our template id, for our issuer (other consumers ignore it).
TEMPLATE_HEADER = "badges_template"


@dataclass(frozen=True, slots=True)
class EventMetadata:
    """The ``ce_*`` headers of one message (absent ones are empty strings)."""

    type: str
    id: str
    source: str
    time: str
    content_type: str

    @classmethod
    def from_headers(cls, headers: Mapping[str, bytes]) -> EventMetadata:
        def text(name: str) -> str:
            raw = headers.get(name)
            return raw.decode("utf-8", "replace").strip() if raw else ""

        return cls(
            type=text("ce_type"),
            id=text("ce_id"),
            source=text("ce_source"),
            time=text("ce_time"),
            content_type=text("content-type").lower(),
        )


def value_content_type(meta: EventMetadata, value: bytes | None) -> str:
    """The media type of a message's value: its ``content-type`` header without parameters or,
    when it has none, sniffed (a Confluent-framed Avro value starts with the magic byte 0, JSON
    never does)."""
    declared = meta.content_type.split(";")[0].strip()
    if declared:
        return declared
    return CONTENT_TYPE_AVRO if value and value[0] == 0 else CONTENT_TYPE_JSON


def header_pairs(headers: Headers | Mapping[str, bytes] | None) -> list[tuple[str, bytes]]:
    """Kafka headers as ``(name, value)`` pairs, whichever form the client gave them in."""
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        return list(headers.items())
    return list(headers)


def header_map(headers: Headers | Mapping[str, bytes] | None) -> dict[str, bytes]:
    """Kafka headers as a dict (the last value wins for a repeated name)."""
    return dict(header_pairs(headers))


def parse_event_time(text: str, fallback: datetime) -> datetime:
    """``ce_time`` as an aware datetime in UTC; the Kafka timestamp when it is absent or
    unreadable."""
    if text:
        try:
            moment = datetime.fromisoformat(text)
            # In UTC now, not when a badge event is written: a time at the calendar's edge
            # (0001-01-01T00:00+01:00) has no UTC form and would fail there, after acceptance.
            return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
        except (ValueError, OverflowError):
            return fallback
    return fallback


def format_event_time(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``-free offset, as ``datetime.isoformat`` writes it."""
    return moment.astimezone(UTC).isoformat()
