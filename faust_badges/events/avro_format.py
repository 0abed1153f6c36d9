"""The Open edX event bus wire format: Confluent-framed Avro (SPEC §2, §5).

A value is ``0x00``, a 4-byte big-endian schema id, then the Avro binary of the record
``{<data key>: <data class>}``. The writer schema comes from the schema registry by id, or, with
no registry configured, from the schemas bundled for the known event types (``schemas/``,
generated from ``openedx-events``; a unit test keeps them equal to its own).
"""

from __future__ import annotations

import io
import json
import struct
from functools import cache
from importlib import resources
from typing import Any

import fastavro

from faust_badges.events.errors import BadBody
from faust_badges.events.schema_registry import SchemaRegistryClient, SchemaRegistryError

MAGIC_BYTE = 0
_HEADER = struct.Struct(">bI")

#: The key schema the event bus registers for a badge event: the ``uuid`` field of BadgeData.
BADGE_KEY_SCHEMA: dict[str, Any] = {"name": "uuid", "type": "string"}


def frame(schema_id: int, payload: bytes) -> bytes:
    return _HEADER.pack(MAGIC_BYTE, schema_id) + payload


def unframe(value: bytes) -> tuple[int, bytes]:
    """Split a framed value into (schema id, Avro payload)."""
    if len(value) < _HEADER.size:
        raise BadBody("bad_framing", f"value of {len(value)} bytes is too short for Avro framing")
    magic, schema_id = _HEADER.unpack_from(value)
    if magic != MAGIC_BYTE:
        raise BadBody("bad_framing", f"magic byte is {magic}, not {MAGIC_BYTE}")
    return schema_id, value[_HEADER.size :]


@cache
def bundled_schema(event_type: str) -> dict[str, Any] | None:
    """The Avro schema shipped for a known event type, or None."""
    path = resources.files("faust_badges.events") / "schemas" / f"{event_type}.avsc"
    if not path.is_file():
        return None
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def record_full_name(schema: dict[str, Any]) -> str:
    """``namespace.name`` of a record schema: what topic-record subject naming appends."""
    namespace = schema.get("namespace")
    return f"{namespace}.{schema['name']}" if namespace else str(schema["name"])


def topic_record_subject(topic: str, schema: dict[str, Any]) -> str:
    """The subject the event bus (confluent-kafka's topic-record strategy) registers a schema under.

    A record is named by its full name. A primitive is named by its type, even when the schema
    carries a ``name``: the event bus registers the badge key, ``{"name": "uuid", "type":
    "string"}``, under ``<topic>-string``, because the serializer takes the name from the parsed
    schema and parsing a primitive drops it. Using the same subject keeps one key schema history
    per topic for both writers.
    """
    if schema.get("type") == "record":
        return f"{topic}-{record_full_name(schema)}"
    return f"{topic}-{schema['type']}"


def parse(schema: dict[str, Any]) -> Any:
    return fastavro.parse_schema(schema)


def write(parsed_schema: Any, record: Any) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, parsed_schema, record)
    return out.getvalue()


class AvroDecoder:
    """Decodes framed Avro values; writer schemas are parsed once per id (or per event type)."""

    def __init__(self, registry: SchemaRegistryClient | None) -> None:
        self._registry = registry
        self._parsed: dict[int | str, Any] = {}

    async def __call__(self, value: bytes, event_type: str) -> Any:
        schema_id, payload = unframe(value)
        writer = await self._writer_schema(schema_id, event_type)
        try:
            return fastavro.schemaless_reader(io.BytesIO(payload), writer, None)
        except (EOFError, StopIteration, ValueError, IndexError, UnicodeDecodeError) as exc:
            raise BadBody(
                "undecodable",
                f"Avro payload does not match schema {schema_id}: {type(exc).__name__}",
            ) from None

    async def _writer_schema(self, schema_id: int, event_type: str) -> Any:
        cache_key: int | str = schema_id if self._registry is not None else event_type
        parsed = self._parsed.get(cache_key)
        if parsed is not None:
            return parsed
        if self._registry is not None:
            try:
                schema = await self._registry.schema_by_id(schema_id)
            except SchemaRegistryError as exc:
                raise BadBody(exc.reason, str(exc)) from None
        else:
            bundled = bundled_schema(event_type)
            if bundled is None:
                raise BadBody(
                    "unknown_schema", f"no schema registry and no bundled schema for {event_type}"
                )
            schema = bundled
        parsed = self._parsed[cache_key] = parse(schema)
        return parsed
