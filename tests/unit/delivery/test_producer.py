"""The producer flush is a barrier: every record put in Faust's buffer before it is handed on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any, NamedTuple

import pytest
from faust.transport.producer import ProducerBuffer

from faust_badges.delivery.producer import DeliveryFailed, DeliveryTracking, drain_buffer


class SlowChannel:
    """Publishes like a client whose send waits (a full accumulator): ``delay`` per record."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.published: list[int] = []

    async def publish_message(self, fut: Any, wait: bool = False) -> None:
        await asyncio.sleep(self.delay)
        self.published.append(fut.message.value)


class Message(NamedTuple):
    channel: SlowChannel
    value: int


class Record(NamedTuple):
    message: Message


@pytest.fixture
async def buffer() -> AsyncIterator[ProducerBuffer]:
    running = ProducerBuffer()
    running.app = SimpleNamespace(conf=SimpleNamespace(producer_threaded=False))  # type: ignore[assignment]
    await running.start()
    yield running
    await running.stop()


async def test_drain_waits_for_every_record_put_before_it(buffer: ProducerBuffer) -> None:
    channel = SlowChannel(delay=0.15)
    for value in range(4):
        buffer.put(Record(Message(channel, value)))  # type: ignore[arg-type]
    await drain_buffer(buffer)
    assert channel.published == [0, 1, 2, 3]


async def test_fausts_own_flush_is_not_a_barrier(buffer: ProducerBuffer) -> None:
    """Why drain_buffer exists: Faust's flush gives up after 0.1 s without a record sent."""
    channel = SlowChannel(delay=0.15)
    for value in range(4):
        buffer.put(Record(Message(channel, value)))  # type: ignore[arg-type]
    await buffer.flush()
    assert len(channel.published) < 4
    await drain_buffer(buffer)
    assert channel.published == [0, 1, 2, 3]


async def test_drain_of_an_empty_buffer_returns_at_once(buffer: ProducerBuffer) -> None:
    await asyncio.wait_for(drain_buffer(buffer), 0.5)


async def test_drain_fails_when_the_buffer_stops_sending(buffer: ProducerBuffer) -> None:
    channel = SlowChannel(delay=30)
    buffer.put(Record(Message(channel, 1)))  # type: ignore[arg-type]
    draining = asyncio.ensure_future(drain_buffer(buffer))
    await asyncio.sleep(0.05)
    stopping = asyncio.ensure_future(buffer.stop())
    with pytest.raises(DeliveryFailed):
        await asyncio.wait_for(draining, 5)
    stopping.cancel()


async def test_a_refused_record_is_remembered_and_fails_every_check() -> None:
    tracking = DeliveryTracking()
    loop = asyncio.get_running_loop()
    delivered: asyncio.Future[None] = loop.create_future()
    delivered.set_result(None)
    tracking.on_delivered(delivered)
    tracking.check()  # nothing refused yet
    refused: asyncio.Future[None] = loop.create_future()
    refused.set_exception(TimeoutError("request timed out"))
    tracking.on_delivered(refused)
    for _ in range(2):
        with pytest.raises(DeliveryFailed, match="1 record"):
            tracking.check()
