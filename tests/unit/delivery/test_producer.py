"""The producer flush is a barrier: every record put in Faust's buffer before it is handed on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any, NamedTuple

import pytest
from aiokafka.errors import KafkaTimeoutError
from aiokafka.producer.message_accumulator import BatchBuilder
from aiokafka.record.default_records import DefaultRecordBatch
from faust.transport.producer import ProducerBuffer

from faust_badges.delivery.producer import (
    AckedProducer,
    DeliveryFailed,
    DeliveryTracking,
    drain_buffer,
)


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


class FakeClient:
    """The aiokafka producer calls ``send_records`` makes, with small record batches."""

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self.sent: list[tuple[str, int, list[bytes]]] = []
        self.refuse = False

    def create_batch(self) -> BatchBuilder:
        return BatchBuilder(self.batch_size, 0, is_transactional=False)

    async def send_batch(self, builder: BatchBuilder, topic: str, *, partition: int) -> Any:
        if self.refuse:
            raise KafkaTimeoutError("the accumulator is full")
        records = DefaultRecordBatch(bytes(builder._build()))
        self.sent.append((topic, partition, [record.key for record in records]))
        return asyncio.get_running_loop().create_future()


def bulk_producer(client: FakeClient) -> AckedProducer:
    # Only what send_records uses: the client and the delivery tracking.
    producer = AckedProducer.__new__(AckedProducer)
    producer._producer = client  # type: ignore[assignment]
    producer.deliveries = DeliveryTracking()
    return producer


async def test_records_leave_in_order_per_partition_in_as_few_batches_as_fit() -> None:
    client = FakeClient(batch_size=400)
    producer = bulk_producer(client)
    records = [(i % 2, f"k{i}".encode(), b"v" * 100, None) for i in range(8)]

    sent = await producer.send_records("changelog", records)

    assert [(topic, partition) for topic, partition, _ in client.sent] == [
        ("changelog", 0),
        ("changelog", 0),
        ("changelog", 1),
        ("changelog", 1),
    ]
    keys = {p: [k for _, part, ks in client.sent if part == p for k in ks] for p in (0, 1)}
    assert keys == {0: [b"k0", b"k2", b"k4", b"k6"], 1: [b"k1", b"k3", b"k5", b"k7"]}
    assert [batch.records for batch in sent] == [len(ks) for _, _, ks in client.sent]


async def test_a_batch_refused_at_hand_over_is_remembered() -> None:
    client = FakeClient(batch_size=400)
    client.refuse = True
    producer = bulk_producer(client)
    with pytest.raises(KafkaTimeoutError):
        await producer.send_records("changelog", [(0, b"k", b"v", None)])
    with pytest.raises(DeliveryFailed):
        producer.deliveries.check()


async def test_a_delivered_batch_and_a_failed_one_are_tracked() -> None:
    producer = bulk_producer(FakeClient(batch_size=400))
    (ok,) = await producer.send_records("t", [(0, b"a", b"1", None)])
    (bad,) = await producer.send_records("t", [(1, b"b", b"2", None)])
    ok.delivered.set_result(None)
    bad.delivered.set_exception(TimeoutError("no ack"))
    await asyncio.sleep(0)
    with pytest.raises(DeliveryFailed, match="1 record"):
        producer.deliveries.check()
