"""Inbox: fetched messages wait for their agent, in order, bounded, without stale ones."""

from __future__ import annotations

import asyncio

from faust.types import TP

from faust_badges.delivery.inbox import Inbox, Inboxes

from .test_guard import INPUT, OTHER, Msg


def current() -> int:
    return 1


async def test_takes_the_oldest_messages_up_to_the_maximum() -> None:
    inbox = Inbox(["input"], capacity=10)
    await inbox.put_many([Msg(INPUT, offset) for offset in range(5)])  # type: ignore[misc]
    assert [m.offset for m in await inbox.take(3, current)] == [0, 1, 2]
    assert [m.offset for m in await inbox.take(3, current)] == [3, 4]


async def test_a_full_inbox_makes_the_consumer_wait_until_the_agent_takes() -> None:
    inbox = Inbox(["input"], capacity=2)
    await inbox.put_many([Msg(INPUT, 0), Msg(INPUT, 1)])  # type: ignore[list-item]
    more = asyncio.ensure_future(inbox.put_many([Msg(INPUT, 2), Msg(INPUT, 3)]))  # type: ignore[list-item]
    await asyncio.sleep(0.01)
    assert not more.done() and len(inbox) == 2
    await inbox.take(1, current)
    await asyncio.wait_for(more, 1)  # room for one: the whole fetch goes in, in order
    assert [m.offset for m in await inbox.take(10, current)] == [1, 2, 3]


async def test_messages_of_older_generations_are_left_out() -> None:
    inbox = Inbox(["input"], capacity=10)
    await inbox.put_many([Msg(INPUT, 0, generation_id=0)])  # type: ignore[list-item]
    await inbox.put_many([Msg(INPUT, 1, generation_id=0)])  # type: ignore[list-item]
    waiting = asyncio.ensure_future(inbox.take(10, current))
    await asyncio.sleep(0.01)
    assert not waiting.done()  # only stale messages so far: it waits for a current one
    await inbox.put_many([Msg(INPUT, 0, generation_id=1)])  # type: ignore[list-item]
    assert [m.offset for m in await asyncio.wait_for(waiting, 1)] == [0]


async def test_dropping_revoked_partitions_keeps_the_others_in_order() -> None:
    inboxes = Inboxes()
    inbox = inboxes.open(["input"], capacity=10)
    fetched = [Msg(tp, offset) for tp, offset in [(INPUT, 0), (OTHER, 0), (INPUT, 1), (OTHER, 1)]]
    await inbox.put_many(fetched)  # type: ignore[arg-type]
    inboxes.drop({INPUT, TP("elsewhere", 0)})
    assert [(m.tp, m.offset) for m in await inbox.take(10, current)] == [(OTHER, 0), (OTHER, 1)]


async def test_a_topic_read_by_two_agents_feeds_both_inboxes() -> None:
    inboxes = Inboxes()
    ingest = inboxes.open(["input"], capacity=10)
    intake = inboxes.open(["input", "output"], capacity=10)
    assert inboxes.for_topic("input") == (ingest, intake)
    assert inboxes.for_topic("output") == (intake,) and inboxes.for_topic("other") == ()
    inboxes.drop({INPUT})  # each inbox drops its copies
    for inbox in (ingest, intake):
        await inbox.put_many([Msg(OTHER, 0)])  # type: ignore[list-item]
        assert [m.tp for m in await inbox.take(10, current)] == [OTHER]
