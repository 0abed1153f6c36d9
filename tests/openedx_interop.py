"""The real ``openedx-events`` library (a test-only dependency), as the LMS and its consumers
use it: its data classes, its signals, and its own Avro serializer and deserializer."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from faust_badges.events.avro_format import frame


def openedx_signals() -> ModuleType:
    """``openedx_events.learning.signals``, with the minimal Django settings it needs."""
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    from openedx_events.learning import signals

    return signals


def passing_status_event_data(user_id: int, username: str, course_key: str, passing: bool) -> Any:
    """A ``CoursePassingStatusData`` built with the library's own data classes."""
    openedx_signals()
    from opaque_keys.edx.keys import CourseKey
    from openedx_events.learning.data import (
        CourseData,
        CoursePassingStatusData,
        UserData,
        UserPersonalData,
    )

    return CoursePassingStatusData(
        is_passing=passing,
        course=CourseData(course_key=CourseKey.from_string(course_key), display_name="A course"),
        user=UserData(
            id=user_id,
            is_active=True,
            pii=UserPersonalData(
                username=username, email=f"{username}@example.org", name=username.title()
            ),
        ),
    )


def bus_value(signal: Any, event_data: dict[str, Any], schema_id: int) -> bytes:
    """The value the Open edX Kafka event bus writes: Confluent framing around the library's
    own Avro serialization of ``{<data key>: <data>}``."""
    from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes

    return frame(schema_id, serialize_event_data_to_bytes(event_data, signal))


def signal_schema(signal: Any) -> dict[str, Any]:
    from openedx_events.event_bus.avro.serializer import AvroSignalSerializer

    schema: dict[str, Any] = AvroSignalSerializer(signal).schema
    return schema


def deserialize(signal: Any, payload: bytes) -> dict[str, Any]:
    """The library's own deserializer: Avro bytes (unframed) to its data classes."""
    from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data

    data: dict[str, Any] = deserialize_bytes_to_event_data(payload, signal)
    return data
