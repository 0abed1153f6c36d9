"""handled_in_batches: batches from an inbox count as handled (committable) only after their
body completed; redeliveries, stale generations and revoked partitions are left out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from faust.types import TP

from faust_badges.delivery.batches import handled_in_batches
from faust_badges.delivery.gate import ProcessingGate
from faust_badges.delivery.inbox import Inbox

from .test_guard import INPUT, OTHER, Harness, Msg

GENERATION = 1


async def inbox_of(*offsets: int, tp: TP = INPUT, generation: int = GENERATION) -> Inbox:
    inbox = Inbox(["input"], capacity=100)
    for offset in offsets:
        await inbox.put_many([Msg(tp, offset, generation)])  # type: ignore[list-item]
    return inbox


def batches_of(h: Harness, inbox: Inbox, max_size: int) -> AsyncIterator[list[Msg]]:
    return handled_in_batches(  # type: ignore[return-value]
        inbox, h.guard, ProcessingGate(), max_size, generation=lambda: GENERATION
    )


async def take_batches(batches: AsyncIterator[list[Msg]], count: int) -> list[list[int]]:
    """The offsets of the next ``count`` batches (the loop never ends by itself)."""
    taken = []
    async for batch in batches:
        taken.append([m.offset for m in batch])
        if len(taken) == count:
            break
    return taken


async def test_offsets_are_recorded_only_after_the_batch_body_completed() -> None:
    h = Harness({INPUT: 0})
    inbox = await inbox_of(0, 1, 2, 3, 4)
    seen_during_body: list[int | None] = []
    batches = batches_of(h, inbox, max_size=3)
    async for _batch in batches:
        # Inside the body (where table writes and badge acks happen) nothing is committable yet.
        seen_during_body.append(h.processed.get(INPUT))
        if len(seen_during_body) == 2:
            break
    assert seen_during_body == [0, 3]
    assert h.processed.get(INPUT) == 3  # the second body did not complete (the loop left it)
    await inbox.put_many([Msg(INPUT, 5)])  # type: ignore[list-item]
    assert await take_batches(batches_of(h, inbox, 3), 1) == [[5]]
    assert h.processed.get(INPUT) == 3  # 3 and 4 were taken but never handled: not committable


async def test_a_failed_batch_records_nothing() -> None:
    h = Harness({INPUT: 0})
    inbox = await inbox_of(0, 1, 2)
    with pytest.raises(RuntimeError):
        async for _batch in batches_of(h, inbox, max_size=10):
            raise RuntimeError("a table write failed")
    assert h.processed.get(INPUT) == 0


async def test_a_batch_is_what_waits_up_to_the_maximum() -> None:
    h = Harness({INPUT: 0})
    inbox = await inbox_of(0, 1, 2, 3, 4, 5, 6)
    assert await take_batches(batches_of(h, inbox, max_size=4), 2) == [[0, 1, 2, 3], [4, 5, 6]]
    assert h.processed.get(INPUT) == 4  # the loop left inside the second body


async def test_redeliveries_inside_a_batch_are_left_out() -> None:
    h = Harness({INPUT: 0})
    inbox = await inbox_of(0, 1, 1, 2, 0)
    assert await take_batches(batches_of(h, inbox, 10), 1) == [[0, 1, 2]]


async def test_messages_of_an_older_generation_are_left_out() -> None:
    h = Harness({INPUT: 0})
    inbox = await inbox_of(0, 1, generation=GENERATION - 1)
    await inbox.put_many([Msg(INPUT, 0, GENERATION)])  # type: ignore[list-item]
    assert await take_batches(batches_of(h, inbox, 10), 1) == [[0]]


async def test_messages_of_a_partition_revoked_while_admitted_are_dropped() -> None:
    h = Harness({INPUT: 0, OTHER: 0})
    inbox = await inbox_of(0, 1)
    await inbox.put_many([Msg(OTHER, 0)])  # type: ignore[list-item]
    original_admit = h.guard.admit

    async def admit_then_revoke(message: Msg) -> bool:  # the rebalance lands mid-admission
        admitted = await original_admit(message)  # type: ignore[arg-type]
        if message.tp == OTHER:
            h.ledger.revoke({INPUT})
        return admitted

    h.guard.admit = admit_then_revoke  # type: ignore[assignment,method-assign]
    taken: list[list[tuple[int, int]]] = []
    async for batch in batches_of(h, inbox, 10):
        taken.append([(m.tp.partition, m.offset) for m in batch])
        break
    assert taken == [[(OTHER.partition, 0)]]
    assert h.processed.get(INPUT) is None


async def test_an_empty_inbox_waits_for_a_message() -> None:
    h = Harness({INPUT: 0})
    inbox = await inbox_of()
    waiting = asyncio.ensure_future(take_batches(batches_of(h, inbox, 10), 1))
    await asyncio.sleep(0.01)
    assert not waiting.done()
    await inbox.put_many([Msg(INPUT, 0)])  # type: ignore[list-item]
    assert await asyncio.wait_for(waiting, 1) == [[0]]
