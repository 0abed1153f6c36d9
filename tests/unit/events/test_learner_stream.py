"""The repartition topic's format: a learner event survives encode and decode unchanged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.core.learner import LearnerEvent, UserData
from faust_badges.events.learner_stream import decode_learner_event, encode_learner_event
from faust_badges.samples import passing_status_data

DATA = passing_status_data(7, "ada-lovelace", "course-v1:edX+Py101+2026", True)
USER = UserData(
    id=7,
    username="ada-lovelace",
    email="ada-lovelace@example.org",
    name="Ada Lovelace",
    is_active=True,
)


def learner_event(event_time: datetime, data: dict[str, object] = DATA) -> LearnerEvent:
    return LearnerEvent(
        event_type=COURSE_PASSING_STATUS,
        event_id="5f1c0d6e-8a44-4d5e-9a1c-000000000001",
        event_time=event_time,
        data=data,
        user=USER,
    )


@pytest.mark.parametrize(
    "event_time",
    [
        datetime(2026, 3, 1, 12, 30, tzinfo=UTC),
        datetime(2026, 3, 1, 12, 30, 0, 123456, tzinfo=UTC),
        datetime(2026, 3, 1, 14, 30, tzinfo=timezone(timedelta(hours=2))),
    ],
)
def test_a_learner_event_survives_the_round_trip(event_time: datetime) -> None:
    event = learner_event(event_time)
    assert decode_learner_event(encode_learner_event(event)) == event


def test_the_round_trip_keeps_the_event_time_offset() -> None:
    event_time = datetime(2026, 3, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    decoded = decode_learner_event(encode_learner_event(learner_event(event_time)))
    assert decoded.event_time.utcoffset() == timedelta(hours=2)


def test_the_round_trip_keeps_extra_and_non_ascii_data() -> None:
    data = DATA | {"grade": 0.92, "course": DATA["course"] | {"display_name": "Python für Alle"}}
    event = learner_event(datetime(2026, 3, 1, tzinfo=UTC), data)
    assert decode_learner_event(encode_learner_event(event)).data == data


def test_the_learner_is_read_back_from_the_data_object() -> None:
    event = learner_event(datetime(2026, 3, 1, tzinfo=UTC))
    assert decode_learner_event(encode_learner_event(event)).user == USER


def test_the_encoded_form_is_compact_json_with_type_id_time_and_data() -> None:
    event = learner_event(datetime(2026, 3, 1, tzinfo=UTC))
    record = json.loads(encode_learner_event(event))
    assert record == {
        "type": COURSE_PASSING_STATUS,
        "id": event.event_id,
        "time": "2026-03-01T00:00:00+00:00",
        "data": DATA,
    }


@pytest.mark.parametrize(
    "extra",
    [
        {"grade": float("nan")},  # json writes NaN, which only json reads
        {"grade": float("inf"), "low": float("-inf")},
        {"big": 10**40, "small": -(10**40)},
        {"unicode": "Ådä 学 \U0001f393", "nested": {"a": [1, 2.5, None, True]}},
    ],
)
def test_any_data_the_ingest_agent_writes_decodes_the_same(extra: dict[str, object]) -> None:
    data = {**DATA, **extra}
    decoded = decode_learner_event(encode_learner_event(learner_event(datetime.now(UTC), data)))
    # Compared as JSON text: NaN is not equal to itself.
    assert json.dumps(decoded.data, sort_keys=True) == json.dumps(data, sort_keys=True)
