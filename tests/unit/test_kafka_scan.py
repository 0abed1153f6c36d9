"""The one range scanner against a fake consumer: each partition read from its first offset to
its end (excluded), a stalled read fails, a time limit stops quietly."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, cast

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from faust_badges.kafka_scan import scan

A, B = TopicPartition("t", 0), TopicPartition("t", 1)


class FakeConsumer:
    """Partitions as lists of values; ``getmany`` hands out up to ``per_fetch`` records each,
    and nothing at all for the partitions in ``stuck``."""

    def __init__(self, logs: dict[TopicPartition, list[bytes]], per_fetch: int = 2) -> None:
        self.logs, self.per_fetch = logs, per_fetch
        self.positions: dict[TopicPartition, int] = {}
        self.stuck: set[TopicPartition] = set()
        self.assigned: list[TopicPartition] = []

    def assign(self, partitions: list[TopicPartition]) -> None:
        self.assigned = list(partitions)

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.positions[tp] = offset

    async def position(self, tp: TopicPartition) -> int:
        return self.positions[tp]

    async def getmany(self, *partitions: TopicPartition, timeout_ms: int) -> dict[Any, Any]:
        await asyncio.sleep(0.001)
        batch = {}
        for tp in partitions:
            if tp in self.stuck:
                continue
            start = self.positions[tp]
            values = self.logs[tp][start : start + self.per_fetch]
            if values:
                batch[tp] = [
                    SimpleNamespace(offset=start + i, value=v) for i, v in enumerate(values)
                ]
                self.positions[tp] = start + len(values)
        return batch


async def read(consumer: FakeConsumer, ranges: Any, **options: Any) -> list[tuple[int, Any]]:
    scanned = scan(cast(AIOKafkaConsumer, consumer), ranges, **options)
    return [(message.offset, message.value) async for message in scanned]


async def test_each_range_is_read_from_its_first_offset_to_its_end_excluded() -> None:
    consumer = FakeConsumer({A: [b"a0", b"a1", b"a2", b"a3", b"a4"], B: [b"b0", b"b1"]})

    got = await read(consumer, {A: (1, 4), B: (0, 2)})

    assert sorted(got) == [(0, b"b0"), (1, b"a1"), (1, b"b1"), (2, b"a2"), (3, b"a3")]
    assert [v for o, v in got if v.startswith(b"a")] == [b"a1", b"a2", b"a3"]  # in order


async def test_empty_ranges_are_not_read_at_all() -> None:
    consumer = FakeConsumer({A: [b"a0"]})

    assert await read(consumer, {A: (1, 1)}) == []
    assert consumer.assigned == []


async def test_a_range_that_makes_no_progress_fails_naming_the_partition() -> None:
    consumer = FakeConsumer({A: [b"a0", b"a1"], B: [b"b0"]})
    consumer.stuck = {B}

    with pytest.raises(TimeoutError, match=r"t\[1\] made no progress"):
        await read(consumer, {A: (0, 2), B: (0, 1)}, stall_timeout=0.05)


async def test_a_time_limit_stops_quietly_with_what_was_read() -> None:
    consumer = FakeConsumer({A: [b"a0", b"a1"], B: [b"b0"]})
    consumer.stuck = {B}

    got = await read(consumer, {A: (0, 2), B: (0, 1)}, stall_timeout=None, time_limit=0.05)

    assert got == [(0, b"a0"), (1, b"a1")]
