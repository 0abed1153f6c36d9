"""What an agent loops over: its messages to handle now, admitted by its guard, held by the
processing gate while handled, and counted handled (committable) only after the loop body."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import cast

import faust
from faust.types import EventT, Message, StreamT

from faust_badges.delivery.gate import ProcessingGate
from faust_badges.delivery.guard import OffsetGuard
from faust_badges.delivery.inbox import Inbox
from faust_badges.logs import log_kv

logger = logging.getLogger(__name__)


async def handled_in_order(
    stream: StreamT, guard: OffsetGuard, gate: ProcessingGate
) -> AsyncIterator[EventT]:
    """The events of ``stream`` to handle now, in offset order per partition. An event counts as
    handled (committable) once the loop body that received it has completed without error."""
    async for event in cast(faust.Stream, stream).noack().events():
        async with gate.processing():
            if await guard.admit(event.message):
                yield event
                guard.handled(event.message)
                event.ack()


async def handled_in_batches(
    inbox: Inbox,
    guard: OffsetGuard,
    gate: ProcessingGate,
    max_size: int,
    generation: Callable[[], int],
) -> AsyncIterator[list[Message]]:
    """The messages of ``inbox`` to handle now, a batch at a time: each batch is in offset order
    per partition, and its messages count as handled (committable) only once the loop body that
    received the whole batch has completed without error.

    A batch is all that waits in the inbox, up to ``max_size``: under load batches fill up, a
    quiet stream gets batches of one (no timer, no added latency).
    """
    while True:
        taken = await inbox.take(max_size, generation)
        admitted = [message for message in taken if await guard.admit(message)]
        if not admitted:
            continue
        async with gate.processing():
            # Messages of partitions revoked while the batch was admitted belong to another worker.
            current = [message for message in admitted if guard.is_current(message)]
            if current:
                log_kv(
                    logger, logging.DEBUG, "batch_started", agent=guard.agent, events=len(current)
                )
                yield current
                for done in current:
                    guard.handled(done)
                log_kv(logger, logging.DEBUG, "batch_handled", agent=guard.agent)
