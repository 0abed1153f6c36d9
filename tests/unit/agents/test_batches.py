"""handled_in_batches: a batch counts as handled (committable) only after its body completed."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from faust.types import TP

from faust_badges.agents.offsets import handled_in_batches
from faust_badges.agents.shutdown import ProcessingGate

from .test_offsets import INPUT, Harness, Msg


@dataclass
class FakeEvent:
    message: Msg
    acked: bool = False

    def ack(self) -> None:
        self.acked = True


@dataclass
class FakeQueue:
    """Stands for the channel queue Faust's conductor fills: what waits to be delivered."""

    waiting: deque[FakeEvent] = field(default_factory=deque)

    def empty(self) -> bool:
        return not self.waiting


class FakeStream:
    """The part of a Faust stream the batcher uses: noack(), events() and channel.queue."""

    def __init__(self, offsets: list[int], tp: TP = INPUT) -> None:
        self.channel = type("Channel", (), {"queue": FakeQueue()})()
        self.delivered = [FakeEvent(Msg(tp, offset)) for offset in offsets]
        self.channel.queue.waiting.extend(self.delivered)

    def noack(self) -> FakeStream:
        return self

    async def events(self) -> AsyncIterator[FakeEvent]:
        while self.channel.queue.waiting:
            yield self.channel.queue.waiting.popleft()


def batches_of(h: Harness, stream: FakeStream, max_size: int) -> AsyncIterator[list[FakeEvent]]:
    return handled_in_batches(stream, h.guard, ProcessingGate(), max_size)  # type: ignore[arg-type]


async def test_offsets_are_recorded_only_after_the_batch_body_completed() -> None:
    h = Harness({INPUT: 0})
    stream = FakeStream([0, 1, 2, 3, 4])
    seen_during_body: list[tuple[int | None, bool]] = []
    async for batch in batches_of(h, stream, max_size=3):
        # Inside the body (where table writes and badge acks happen) nothing is committable yet.
        seen_during_body.append((h.processed.get(INPUT), any(e.acked for e in batch)))
    assert seen_during_body == [(0, False), (3, False)]
    assert h.processed.get(INPUT) == 5
    assert all(e.acked for e in stream.delivered)


async def test_a_failed_batch_records_and_acks_nothing() -> None:
    h = Harness({INPUT: 0})
    stream = FakeStream([0, 1, 2])
    with pytest.raises(RuntimeError):
        async for _batch in batches_of(h, stream, max_size=10):
            raise RuntimeError("a table write failed")
    assert h.processed.get(INPUT) == 0
    assert not any(e.acked for e in stream.delivered)


async def test_a_batch_closes_when_nothing_more_waits() -> None:
    h = Harness({INPUT: 0})
    stream = FakeStream([0, 1, 2, 3, 4, 5, 6])
    sizes = [len(batch) async for batch in batches_of(h, stream, max_size=4)]
    assert sizes == [4, 3]


async def test_redeliveries_inside_a_batch_are_left_out() -> None:
    h = Harness({INPUT: 0})
    stream = FakeStream([0, 1, 1, 2, 0])
    offsets = [[e.message.offset for e in batch] async for batch in batches_of(h, stream, 10)]
    assert offsets == [[0, 1, 2]]


async def test_events_of_a_partition_revoked_while_the_batch_filled_are_dropped() -> None:
    h = Harness({INPUT: 0})
    stream = FakeStream([0, 1])
    batches = batches_of(h, stream, max_size=10)
    stream.channel.queue.waiting.append(FakeEvent(Msg(INPUT, 2)))
    original_empty = stream.channel.queue.empty

    def revoke_when_drained() -> bool:
        if original_empty():
            h.ledger.revoke({INPUT})
            return True
        return False

    stream.channel.queue.empty = revoke_when_drained  # type: ignore[method-assign]
    assert [batch async for batch in batches] == []
    assert h.processed.get(INPUT) is None
