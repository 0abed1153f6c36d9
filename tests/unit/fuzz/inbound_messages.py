"""Valid Open edX input messages to mutate, the decoders a worker builds (with an in-memory
schema registry), and ``outcome``: the property every decoded message must have.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from hypothesis import strategies as st

from faust_badges.core.event_types import (
    BADGE_AWARDED,
    CCX_COURSE_PASSING_STATUS,
    COURSE_PASSING_STATUS,
    KNOWN_DATA_KEYS,
)
from faust_badges.core.learner import LearnerEvent, UserData
from faust_badges.events.avro_format import AvroDecoder, bundled_schema, frame, parse, write
from faust_badges.events.cloudevents import (
    CONTENT_TYPE_AVRO,
    CONTENT_TYPE_JSON,
    format_event_time,
    header_map,
)
from faust_badges.events.inbound import (
    DEFAULT_DECODERS,
    Accepted,
    BodyDecoder,
    Inbound,
    Rejected,
    Skipped,
    decode_inbound,
)
from faust_badges.events.learner_stream import decode_learner_event, encode_learner_event
from faust_badges.events.schema_registry import SchemaRegistryError
from faust_badges.samples import json_event, passing_status_data, user_data
from tests.openedx_interop import bus_value, openedx_signals, passing_status_event_data
from tests.unit.events.test_inbound import (
    COURSE,
    EMAIL,
    EVENT_ID,
    EVENT_TIME,
    KAFKA_TIME,
    NAME,
    USERNAME,
    index_of,
)

FieldPath = tuple[str, ...]
Pairs = list[tuple[str, bytes | None]]  # Kafka headers as the client gives them (null values too)

#: Every reason a rejection may carry. Each is a metrics label and part of a dead letter's
#: header, so the set stays small and known: a new reason is added here on purpose.
REASONS = frozenset(
    {
        "missing_ce_type",
        "missing_ce_id",
        "unsupported_content_type",
        "empty_value",
        "bad_framing",
        "undecodable",
        "unknown_schema",
        "unknown_schema_id",
        "registry_unavailable",
        "registry_rejected",
        "missing_data_key",
        "missing_user",
        "invalid_payload",
    }
)
PAYLOAD_REASONS = frozenset({"missing_user", "invalid_payload"})
PERSONAL = (USERNAME, EMAIL, NAME)
# A user id travels as an Avro long on the event bus, and in the badge events this job writes.
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
# The headers the decoder reads (SPEC §2 lists the ones the event bus writes).
CE_HEADERS = (
    "ce_type",
    "ce_id",
    "ce_source",
    "ce_specversion",
    "ce_time",
    "ce_minorversion",
    "sourcehost",
    "sourcelib",
    "content-type",
)

# --- valid messages, the seeds of every mutation ----------------------------------------------

DATA: dict[str, dict[str, Any]] = {
    COURSE_PASSING_STATUS: passing_status_data(7, USERNAME, COURSE, True),
    CCX_COURSE_PASSING_STATUS: {
        "is_passing": True,
        "course": {
            "ccx_course_key": "ccx-v1:edX+Py101+2026+ccx@3",
            "master_course_key": COURSE,
            "display_name": "Python 101, for one team",
            "coach_email": "coach@example.org",
            "start": "2026-01-05T00:00:00+00:00",
            "end": None,
            "max_students_allowed": 30,
        },
        "user": user_data(7, USERNAME),
    },
    BADGE_AWARDED: {
        "uuid": "0b9d3e62-0000-4000-8000-00000000000a",
        "user": user_data(7, USERNAME),
        "template": {
            "uuid": "6d3f3a46-0000-4000-8000-000000000001",
            "origin": "credly",
            "name": "Python Fundamentals",
            "description": None,
            "image_url": None,
        },
    },
}
EVENT_TYPES = tuple(DATA)
SCHEMA_IDS = {event_type: number for number, event_type in enumerate(EVENT_TYPES, start=1)}
UNAVAILABLE_SCHEMA_ID = len(SCHEMA_IDS) + 1

INDEX = index_of(
    {
        "templates": [
            {
                "id": "t",
                "name": "T",
                "requirements": [
                    {"id": f"r{number}", "event_type": event_type}
                    for event_type, number in SCHEMA_IDS.items()
                ],
            }
        ]
    }
)


def schema_of(event_type: str) -> dict[str, Any]:
    schema = bundled_schema(event_type)
    assert schema is not None
    return schema


PARSED_SCHEMAS = {event_type: parse(schema_of(event_type)) for event_type in EVENT_TYPES}


def headers_of(event_type: str, content_type: str = CONTENT_TYPE_JSON) -> Pairs:
    """The headers the event bus writes for an event of this type."""
    _, _, headers = json_event(
        event_type, "unused", {}, key=COURSE, event_id=EVENT_ID, time=EVENT_TIME
    )
    return [
        (name, content_type.encode() if name == "content-type" else value)
        for name, value in headers
    ]


def json_value(event_type: str, data: Any) -> bytes:
    # ensure_ascii: a lone surrogate in the data is written as the escape another producer may send.
    return json.dumps({KNOWN_DATA_KEYS[event_type]: data}).encode()


def avro_value(event_type: str, data: Any) -> bytes:
    record = {KNOWN_DATA_KEYS[event_type]: data}
    return frame(SCHEMA_IDS[event_type], write(PARSED_SCHEMAS[event_type], record))


def with_field(data: Any, path: FieldPath, value: Any) -> Any:
    """A copy of ``data`` with the field at ``path`` set to ``value`` (``()``: the whole object)."""
    if not path:
        return value
    changed = copy.deepcopy(data)
    *parents, leaf = path
    target = changed
    for part in parents:
        target = target[part]
    target[leaf] = value
    return changed


SENTINEL = "\x00fuzz-sentinel\x00"


def json_value_with_raw(event_type: str, path: FieldPath, raw: str) -> bytes:
    """A JSON value whose field at ``path`` is the JSON text ``raw``, written as is."""
    text = json.dumps({KNOWN_DATA_KEYS[event_type]: with_field(DATA[event_type], path, SENTINEL)})
    return text.replace(json.dumps(SENTINEL), raw).encode()


@cache
def avro_seeds() -> list[tuple[str, bytes, Pairs]]:
    """Good Avro messages: ours for every type, and a passing status the library serialized."""
    signal = openedx_signals().COURSE_PASSING_STATUS_UPDATED
    library_data = passing_status_event_data(7, USERNAME, COURSE, True)
    library_value = bus_value(
        signal, {"course_passing_status": library_data}, SCHEMA_IDS[COURSE_PASSING_STATUS]
    )
    seeds = [(t, avro_value(t, DATA[t]), headers_of(t, CONTENT_TYPE_AVRO)) for t in EVENT_TYPES]
    return [*seeds, (COURSE_PASSING_STATUS, library_value, seeds[0][2])]


AVRO_SEEDS = st.deferred(lambda: st.sampled_from(avro_seeds()))


# --- the decoders a worker builds, with an in-memory schema registry --------------------------


class InMemoryRegistry:
    """Stands in for the schema registry: the bundled schemas under fixed ids, one id down."""

    async def schema_by_id(self, schema_id: int) -> dict[str, Any]:
        if schema_id == UNAVAILABLE_SCHEMA_ID:
            raise SchemaRegistryError("registry_unavailable", "HTTP 503 after 3 attempts")
        for event_type, known_id in SCHEMA_IDS.items():
            if known_id == schema_id:
                return schema_of(event_type)
        raise SchemaRegistryError("unknown_schema_id", f"schema {schema_id} not found")


def decoders(registry: InMemoryRegistry | None) -> dict[str, BodyDecoder]:
    """As ``WireFormats.from_settings`` builds them: JSON, and Avro with or without a registry."""
    return {
        CONTENT_TYPE_JSON: DEFAULT_DECODERS[CONTENT_TYPE_JSON],
        CONTENT_TYPE_AVRO: AvroDecoder(registry),  # type: ignore[arg-type]
    }


DECODERS = {"registry": decoders(InMemoryRegistry()), "bundled": decoders(None)}
WIRES = st.sampled_from(sorted(DECODERS))


# --- the property -----------------------------------------------------------------------------


async def outcome(value: bytes | None, pairs: Pairs, wire: str = "registry") -> Inbound:
    """Decode as the ingest agent does; check the result is one the agent can route."""
    result = await decode_inbound(
        value,
        header_map(pairs),  # type: ignore[arg-type]
        INDEX,
        kafka_time=KAFKA_TIME,
        decoders=DECODERS[wire],
    )
    if isinstance(result, Rejected):
        assert result.reason in REASONS, result
        assert result.detail, result
        described = result.describe()
        described.encode()  # the dead letter's reason header
        assert not any(personal in described for personal in PERSONAL), result
    elif isinstance(result, Accepted):
        check_forwardable(result.event)
    else:
        assert isinstance(result, Skipped), result
        assert not INDEX.processes(result.event_type)
    return result


def check_forwardable(event: LearnerEvent) -> None:
    """An accepted event is a valid learner event the ingest agent can forward."""
    user = event.data["user"]
    pii = user["pii"]
    assert event.user == UserData(
        id=user["id"],
        username=pii["username"],
        email=pii["email"],
        name=pii["name"],
        is_active=user["is_active"],
    )
    assert type(event.user.id) is int and LONG_MIN <= event.user.id <= LONG_MAX
    assert type(event.user.is_active) is bool
    assert all(type(text) is str for text in (event.username, event.user.email, event.user.name))
    assert event.username
    format_event_time(event.event_time)  # as badge events carry it
    event.username.encode()  # the learner stream's key
    forwarded = decode_learner_event(encode_learner_event(event))
    assert (forwarded.event_type, forwarded.event_id, forwarded.event_time, forwarded.user) == (
        event.event_type,
        event.event_id,
        event.event_time,
        event.user,
    )


def rejected_for(result: Inbound, reasons: set[str] | frozenset[str]) -> bool:
    return isinstance(result, Rejected) and result.reason in reasons


def utf8_encodable(value: Any) -> bool:
    """Whether ``value`` holds no lone surrogate (JSON may carry one; UTF-8 may not)."""
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def with_header(pairs: Pairs, name: str, value: bytes | None) -> Pairs:
    """``pairs`` with every ``name`` header replaced by one holding ``value`` (None: removed)."""
    kept = [(n, v) for n, v in pairs if n != name]
    return kept if value is None else [*kept, (name, value)]


# --- the types the wire schema allows, field by field -----------------------------------------

AVRO_TYPES: dict[str, type] = {"string": str, "boolean": bool, "long": int, "null": type(None)}


def field_types(schema: dict[str, Any]) -> dict[FieldPath, tuple[type, ...]]:
    """The types the wire schema allows at each field path of the data object (``()``: itself)."""
    types: dict[FieldPath, tuple[type, ...]] = {(): (dict,)}

    def walk(record: dict[str, Any], prefix: FieldPath) -> None:
        for field in record["fields"]:
            path = (*prefix, field["name"])
            options = field["type"] if isinstance(field["type"], list) else [field["type"]]
            types[path] = tuple(AVRO_TYPES[o] if isinstance(o, str) else dict for o in options)
            for option in options:
                if isinstance(option, dict):
                    walk(option, path)

    walk(schema["fields"][0]["type"], ())
    return types


FIELD_TYPES = {event_type: field_types(schema_of(event_type)) for event_type in EVENT_TYPES}


def paths_of(event_type: str, kind: type) -> list[FieldPath]:
    """The field paths of an event type where the wire schema allows a value of ``kind``."""
    return sorted(path for path, types in FIELD_TYPES[event_type].items() if kind in types)
