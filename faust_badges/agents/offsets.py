"""Each partition's messages are handled in offset order, once per consumer generation, and only
handled messages are committed, whatever Faust's stream delivers.

Why: Faust 0.15.3 loses and repeats messages around table recovery (see faust_workarounds.py):
its stream can skip messages while its consumer's read offset moves past them, deliver a message
twice across a seek, and compute the offset to commit from acknowledgements that then have holes
or duplicates. The durability tests caught all three. So the agents keep their own account:

- ``ProcessedOffsets`` holds, per partition, the next offset to handle. The consumer commits
  exactly that (``LedgerConsumer``), never more: a message that was not handled is never
  committed, so it is redelivered after a restart.
- ``OffsetGuard`` admits only the message at that offset. Below it is a redelivery: skipped.
  Above it, messages were dropped: the guard seeks the partition back, and repeats the seek
  every ``RESEEK_EVERY`` seconds while the hole is open (messages Faust had already fetched can
  move its read offset past a seek). Our topics are neither compacted nor transactional, so a
  real hole is not expected; one still open after ``GIVE_UP_AFTER`` seconds is accepted, loudly.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import cast

import faust
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faust.types import TP, EventT, Message, StreamT

from faust_badges.agents.shutdown import ProcessingGate
from faust_badges.delivery.inbox import Inbox
from faust_badges.logs import log_kv

logger = logging.getLogger(__name__)

GIVE_UP_AFTER = 30.0
RESEEK_EVERY = 2.0


class ProcessedOffsets:
    """Per agent and partition: the next offset to handle. A partition may be committed up to
    the smallest of these among the agents that consume its topic (two agents read the same
    topic when input and output share one)."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, TP], int] = {}
        self._consumers: dict[str, set[str]] = {}  # topic -> agents

    def for_agent(self, agent: str, topics: Iterable[str]) -> AgentOffsets:
        for topic in topics:
            self._consumers.setdefault(topic, set()).add(agent)
        return AgentOffsets(self, agent)

    def owns(self, tp: TP) -> bool:
        """Whether our agents consume this partition (then this ledger decides its commits)."""
        return tp.topic in self._consumers

    def committable(self, tp: TP) -> int | None:
        """The offset every consuming agent has handled up to; None until each has started."""
        offsets = [self._next.get((agent, tp)) for agent in self._consumers.get(tp.topic, ())]
        if not offsets or any(offset is None for offset in offsets):
            return None
        return min(offset for offset in offsets if offset is not None)

    def partitions(self) -> set[TP]:
        return {tp for _, tp in self._next}

    def revoke(self, tps: Iterable[TP]) -> None:
        """Forget revoked partitions: their events still in hand are not handled here any more
        (another worker resumes them at the committed offset)."""
        gone = set(tps)
        for key in [key for key in self._next if key[1] in gone]:
            del self._next[key]


@dataclass(frozen=True)
class AgentOffsets:
    """One agent's entries in the ledger."""

    ledger: ProcessedOffsets
    agent: str

    def get(self, tp: TP) -> int | None:
        return self.ledger._next.get((self.agent, tp))

    def set(self, tp: TP, offset: int) -> None:
        self.ledger._next[(self.agent, tp)] = offset


@dataclass
class _Partition:
    generation: int | None
    next_offset: int  # the next message to admit (ahead of the ledger while a batch is open)
    seeking_since: float | None = None


ResumeOffset = Callable[[TP], Awaitable[int]]
Seek = Callable[[TP, int], Awaitable[None]]


class OffsetGuard:
    """Admits one agent's messages in offset order and records what it handled."""

    def __init__(
        self,
        agent: str,
        processed: AgentOffsets,
        *,
        resume_offset: ResumeOffset,
        seek: Seek,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._agent = agent
        self._processed = processed
        self._resume_offset = resume_offset
        self._seek = seek
        self._clock = clock
        self._partitions: dict[TP, _Partition] = {}
        self._reseeks: set[asyncio.Task[None]] = set()

    @classmethod
    def for_app(
        cls,
        app: faust.App,
        agent: str,
        bootstrap: str,
        processed: ProcessedOffsets,
        topics: Iterable[str],
    ) -> OffsetGuard:
        async def seek(tp: TP, offset: int) -> None:
            # seek_wait runs in the consumer's own thread (Consumer.seek does not, and stalls).
            await app.consumer.seek_wait({tp: offset})

        return cls(
            agent,
            processed.for_agent(agent, topics),
            resume_offset=CommittedOffsets(app, bootstrap).get,
            seek=seek,
        )

    @property
    def agent(self) -> str:
        return self._agent

    async def admit(self, message: Message) -> bool:
        """True when ``message`` is the next one of its partition and must be handled now."""
        tp, offset = message.tp, message.offset
        state = self._partitions.get(tp)
        if state is None or state.generation != message.generation_id:
            # A new assignment: handling resumes at the committed offset.
            resume = await self._resume_offset(tp)
            state = _Partition(message.generation_id, next_offset=resume)
            self._partitions[tp] = state
            self._processed.set(tp, resume)
            self._log(
                logging.INFO,
                "partition_resumed",
                tp,
                generation=message.generation_id,
                offset=resume,
                first_delivered=offset,
            )
        if self._processed.get(tp) is None:
            return False  # revoked in this generation: the partition belongs to another worker
        expected = state.next_offset
        if offset == expected:
            state.next_offset = offset + 1
            state.seeking_since = None
            return True
        if offset < expected:
            return False  # admitted already in this generation: a redelivery
        return self._on_hole(tp, state, expected, offset)

    def is_current(self, message: Message) -> bool:
        """Whether an admitted ``message`` may still be handled here: its partition was not
        revoked (nor handed back in a new generation) since it was admitted."""
        state = self._partitions.get(message.tp)
        return (
            state is not None
            and state.generation == message.generation_id
            and self._processed.get(message.tp) is not None
        )

    def handled(self, message: Message) -> None:
        """Record that ``message`` was handled: its partition may be committed past it."""
        recorded = self._processed.get(message.tp)
        if recorded is not None:  # unless revoked meanwhile
            self._processed.set(message.tp, max(recorded, message.offset + 1))

    def _on_hole(self, tp: TP, state: _Partition, expected: int, offset: int) -> bool:
        now = self._clock()
        if state.seeking_since is None:
            state.seeking_since = now
            self._log(
                logging.WARNING,
                "offset_hole",
                tp,
                missing_from=expected,
                got=offset,
                action="seek_back",
            )
            task = asyncio.ensure_future(self._reseek_while_open(tp, state))
            self._reseeks.add(task)
            task.add_done_callback(self._reseeks.discard)
            return False
        if now - state.seeking_since < GIVE_UP_AFTER:
            return False  # still draining what the stream held before the seek
        self._log(
            logging.ERROR, "offset_hole_accepted", tp, missing_from=expected, missing_to=offset - 1
        )
        state.seeking_since = None
        # The ledger moves past the hole when this message is handled (handled() keeps the
        # highest offset): moving it now could commit past events of a batch still open.
        state.next_offset = offset + 1
        return True

    def _log(self, level: int, what: str, tp: TP, **fields: object) -> None:
        log_kv(
            logger, level, what, agent=self._agent, topic=tp.topic, partition=tp.partition, **fields
        )

    async def _reseek_while_open(self, tp: TP, state: _Partition) -> None:
        started = state.seeking_since
        # Stops when the hole closes, is accepted, or a new generation replaces the state.
        while state.seeking_since == started and self._partitions.get(tp) is state:
            if self._processed.get(tp) is None:
                return
            await self._seek(tp, state.next_offset)
            await asyncio.sleep(RESEEK_EVERY)


class CommittedOffsets:
    """Where Faust resumes a partition: the group's committed offset, else the earliest.

    Asked of the broker: Faust's own record of it is filled in concurrently with the first
    messages of a generation, so it can still be empty when they arrive.
    """

    def __init__(self, app: faust.App, bootstrap: str) -> None:
        self._app = app
        self._bootstrap = bootstrap
        self._admin: AIOKafkaAdminClient | None = None

    async def get(self, tp: TP) -> int:
        if self._admin is None:
            self._admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
            await self._admin.start()
        kafka_tp = TopicPartition(tp.topic, tp.partition)
        committed = await self._admin.list_consumer_group_offsets(
            self._app.conf.id, partitions=[kafka_tp]
        )
        offset = committed.get(kafka_tp)
        if offset is not None and offset.offset >= 0:
            return int(offset.offset)
        earliest = await self._app.consumer.earliest_offsets(tp)
        return int(earliest.get(tp) or 0)


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
