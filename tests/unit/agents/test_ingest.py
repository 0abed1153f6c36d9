"""The ingest agent's routing against in-memory fakes: an accepted event is forwarded keyed by
learner; one whose learner-stream form would be past what the producer sends is dead-lettered
whole (Kafka would refuse it and stop the worker), not forwarded."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from faust_badges.agents.dead_letters import REASON_HEADER
from faust_badges.agents.ingest import ingest_one
from faust_badges.core.config import BadgeConfig, Template
from faust_badges.core.index import ConfigIndex
from faust_badges.events.inbound import DEFAULT_DECODERS
from faust_badges.events.learner_stream import decode_learner_event
from faust_badges.metrics import Metrics
from faust_badges.runtime import Runtime
from faust_badges.samples import json_event, passing_event, passing_status_data

from ..core.builders import course, requirement
from .fakes import Sent

INDEX = ConfigIndex.build(
    BadgeConfig(
        templates=(Template(id="t", name="T", requirements=(requirement("p", course("a")),)),)
    )
)


def fake_runtime(max_request_size: int) -> SimpleNamespace:
    produced: list[Sent] = []

    async def produce(topic: Any, *, key: Any, value: Any, headers: Any) -> None:
        produced.append(Sent(key, value, list(headers)))

    return SimpleNamespace(
        app=SimpleNamespace(conf=SimpleNamespace(producer_max_request_size=max_request_size)),
        live_config=SimpleNamespace(index=lambda: INDEX),
        formats=SimpleNamespace(decoders=DEFAULT_DECODERS),
        topics=SimpleNamespace(dead_letters="dead-letters"),
        produce=produce,
        produced=produced,
        metrics=Metrics(),
    )


def message(kafka_message: tuple[bytes, bytes, list[tuple[str, bytes]]]) -> SimpleNamespace:
    key, value, headers = kafka_message
    return SimpleNamespace(
        key=key,
        value=value,
        headers=headers,
        timestamp=1_700_000_000.0,
        topic="input",
        partition=0,
        offset=7,
    )


async def test_an_accepted_event_is_forwarded_keyed_by_its_learner() -> None:
    runtime = fake_runtime(1_000_000)

    forwarded = await ingest_one(cast(Runtime, runtime), message(passing_event(7, "ada", "a")))

    assert forwarded is not None
    key, value, _ = forwarded
    assert key == b"ada" and decode_learner_event(value).user.id == 7
    assert runtime.produced == []


async def test_an_event_too_large_to_forward_is_dead_lettered_whole() -> None:
    data = passing_status_data(7, "ada", "a", True)
    data["course"]["display_name"] = "é" * 3_000  # 6,000 bytes as UTF-8
    kafka_message = json_event(
        "org.openedx.learning.course.passing.status.updated.v1",
        "course_passing_status",
        data,
        key="a",
    )
    # The input fits in a request with room for the dead letter's headers; re-encoded with
    # the event's envelope, it does not fit beside the record's overhead.
    runtime = fake_runtime(len(kafka_message[1]) + 600)

    forwarded = await ingest_one(cast(Runtime, runtime), message(kafka_message))

    assert forwarded is None
    [dead] = runtime.produced
    assert dead.value == kafka_message[1]  # the input value, byte for byte
    reason = dict(dead.headers)[REASON_HEADER].decode()
    assert reason.startswith("too_large: ") and "ada" not in reason
