"""Dead-lettering against in-memory fakes: the original message kept byte for byte, with why
and where it came from; a value too large to send again is left out, its size said."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from faust_badges.agents.dead_letters import REASON_HEADER, VALUE_OMITTED_HEADER, dead_letter
from faust_badges.events.inbound import Rejected
from faust_badges.metrics import Metrics
from faust_badges.runtime import Runtime

from .fakes import Sent

REJECTED = Rejected("invalid_json", "value is not JSON")


def fake_runtime(max_request_size: int = 1_000_000) -> SimpleNamespace:
    produced: list[Sent] = []

    async def produce(topic: Any, *, key: Any, value: Any, headers: Any) -> None:
        assert topic == "dead-letters"
        produced.append(Sent(key, value, list(headers)))

    return SimpleNamespace(
        app=SimpleNamespace(conf=SimpleNamespace(producer_max_request_size=max_request_size)),
        topics=SimpleNamespace(dead_letters="dead-letters"),
        produce=produce,
        produced=produced,
        metrics=Metrics(),
    )


def message(value: bytes) -> SimpleNamespace:
    return SimpleNamespace(
        key=b"course-v1:X+Y+Z",
        value=value,
        headers=[("ce_type", b"some.event"), ("ce_id", b"evt-1")],
        topic="input",
        partition=3,
        offset=41,
    )


async def test_the_message_is_kept_with_its_reason_and_origin() -> None:
    runtime = fake_runtime()

    await dead_letter(cast(Runtime, runtime), message(b"{not json"), REJECTED)

    [sent] = runtime.produced
    assert (sent.key, sent.value) == (b"course-v1:X+Y+Z", b"{not json")
    assert sent.headers == [
        ("ce_type", b"some.event"),
        ("ce_id", b"evt-1"),
        (REASON_HEADER, b"invalid_json: value is not JSON"),
        ("dead_letter_topic", b"input"),
        ("dead_letter_partition", b"3"),
        ("dead_letter_offset", b"41"),
    ]
    assert runtime.metrics.events.get(outcome="dead_lettered", reason="invalid_json") == 1


async def test_a_value_past_the_producers_limit_is_left_out_and_its_size_said() -> None:
    runtime = fake_runtime(max_request_size=2_000)
    value = b"x" * 5_000

    await dead_letter(cast(Runtime, runtime), message(value), REJECTED)

    [sent] = runtime.produced
    assert sent.value is None and sent.key == b"course-v1:X+Y+Z"
    assert (VALUE_OMITTED_HEADER, b"5000") in sent.headers
    assert (REASON_HEADER, b"invalid_json: value is not JSON") in sent.headers
