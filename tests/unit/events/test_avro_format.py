"""The Avro wire format against the real openedx-events library (no broker)."""

from __future__ import annotations

import pytest

from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.events.avro_format import (
    BADGE_KEY_SCHEMA,
    AvroDecoder,
    bundled_schema,
    frame,
    topic_record_subject,
    unframe,
)
from faust_badges.events.errors import BadBody
from tests.openedx_interop import (
    bus_value,
    openedx_signals,
    passing_status_event_data,
    signal_schema,
)

SIGNALS = [
    "COURSE_PASSING_STATUS_UPDATED",
    "CCX_COURSE_PASSING_STATUS_UPDATED",
    "BADGE_AWARDED",
    "BADGE_REVOKED",
]


@pytest.mark.parametrize("name", SIGNALS)
def test_bundled_schemas_are_the_libraries_own(name: str) -> None:
    signal = getattr(openedx_signals(), name)
    assert bundled_schema(signal.event_type) == signal_schema(signal)


def test_framing_round_trips() -> None:
    assert unframe(frame(258, b"avro")) == (258, b"avro")


@pytest.mark.parametrize(
    ("value", "reason"),
    [(b"\x01\x00\x00\x00\x01abc", "bad_framing"), (b"\x00\x00", "bad_framing")],
)
def test_bad_framing_is_named(value: bytes, reason: str) -> None:
    with pytest.raises(BadBody) as error:
        unframe(value)
    assert error.value.reason == reason


async def test_an_event_serialized_by_openedx_events_decodes_with_the_bundled_schema() -> None:
    signal = openedx_signals().COURSE_PASSING_STATUS_UPDATED
    data = passing_status_event_data(42, "ada", "course-v1:edX+Py101+2026", True)
    value = bus_value(signal, {"course_passing_status": data}, schema_id=1)

    body = await AvroDecoder(registry=None)(value, COURSE_PASSING_STATUS)

    status = body["course_passing_status"]
    assert status["is_passing"] is True
    assert status["course"]["course_key"] == "course-v1:edX+Py101+2026"
    assert status["user"] == {
        "id": 42,
        "is_active": True,
        "pii": {"username": "ada", "email": "ada@example.org", "name": "Ada"},
    }


async def test_a_truncated_payload_is_undecodable() -> None:
    signal = openedx_signals().COURSE_PASSING_STATUS_UPDATED
    data = passing_status_event_data(42, "ada", "course-v1:edX+Py101+2026", True)
    value = bus_value(signal, {"course_passing_status": data}, schema_id=1)
    with pytest.raises(BadBody) as error:
        await AvroDecoder(registry=None)(value[:20], COURSE_PASSING_STATUS)
    assert error.value.reason == "undecodable"


def test_subjects_are_named_as_the_event_bus_names_them() -> None:
    # confluent-kafka's topic-record strategy, as edx-event-bus-kafka configures it: a record by
    # its full name; a primitive by its type, since parsing it drops the field name "uuid".
    schema = bundled_schema("org.openedx.learning.badge.awarded.v1")
    assert schema is not None
    assert (
        topic_record_subject("badges", schema)
        == "badges-org.openedx.learning.badge.awarded.v1.CloudEvent"
    )
    assert topic_record_subject("badges", BADGE_KEY_SCHEMA) == "badges-string"
