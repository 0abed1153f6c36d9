"""The repartition topic's format: a decoded learner event, keyed by username.

The ingest agent writes it after checking the input, so the progress agent reads a trusted,
format-neutral form whatever wire format the event arrived in.
"""

from __future__ import annotations

import json
from datetime import datetime

import msgspec

from faust_badges.core.learner import LearnerEvent
from faust_badges.events.payloads import user_from_valid_payload


def encode_learner_event(event: LearnerEvent) -> bytes:
    return json.dumps(
        {
            "type": event.event_type,
            "id": event.event_id,
            "time": event.event_time.isoformat(),
            "data": event.data,
        },
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,  # Avro may decode a timestamp into a datetime
    ).encode()


def decode_learner_event(value: bytes) -> LearnerEvent:
    try:
        record = msgspec.json.decode(value)  # 2-3x json's speed, for every event
    except msgspec.DecodeError:
        record = json.loads(value)  # what json wrote and only json reads: NaN, Infinity
    data = record["data"]
    return LearnerEvent(
        event_type=record["type"],
        event_id=record["id"],
        event_time=datetime.fromisoformat(record["time"]),
        data=data,
        user=user_from_valid_payload(data),
    )
