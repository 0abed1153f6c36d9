"""Each partition's messages are handled in offset order, once per consumer generation.

- ``OffsetGuard`` admits only the message at the ledger's next offset (``ledger.py``). Below it
  is a redelivery: skipped. Above it, messages were dropped: the guard seeks the partition back,
  and repeats the seek every ``RESEEK_EVERY`` seconds while the hole is open (messages Faust had
  already fetched can move its read offset past a seek).
- A hole is never accepted on a timeout. The guard asks the log itself, with a consumer of its
  own (``LogProbe``), which offset comes first from the missing one: if the log has no such
  offsets (deleted by retention, compacted away, transaction markers), the gap is real and
  skipped, counted and logged. Otherwise the messages exist and the guard keeps seeking,
  whatever it takes; a hole open longer than ``HOLE_WARNING_AFTER`` shows on ``/health`` and
  ``/metrics``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from faust.types import TP, Message

from faust_badges.delivery.committed import CommittedOffsets
from faust_badges.delivery.ledger import AgentOffsets, ProcessedOffsets
from faust_badges.logs import log_kv

logger = logging.getLogger(__name__)

RESEEK_EVERY = 2.0
RESUME_RETRY_FIRST, RESUME_RETRY_MAX = 0.2, 5.0  # backoff asking for a committed offset
PROBE_AFTER = 5.0  # a hole open this long is checked against the log (then again every 30 s)
PROBE_EVERY = 30.0


@dataclass
class _Partition:
    generation: int | None
    next_offset: int  # the next message to admit (ahead of the ledger while a batch is open)
    seeking_since: float | None = None


ResumeOffset = Callable[[TP], Awaitable[int]]
Seek = Callable[[TP, int], Awaitable[None]]
#: The offset of the first record the log holds at or after an offset (None: none yet).
FirstOffset = Callable[[TP, int], Awaitable[int | None]]


class OffsetGuard:
    """Admits one agent's messages in offset order and records what it handled."""

    def __init__(
        self,
        agent: str,
        processed: AgentOffsets,
        *,
        resume_offset: ResumeOffset,
        seek: Seek,
        first_offset: FirstOffset,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._agent = agent
        self._processed = processed
        self._resume_offset = resume_offset
        self._seek = seek
        self._first_offset = first_offset
        self._clock = clock
        self._partitions: dict[TP, _Partition] = {}
        self._reseeks: set[asyncio.Task[None]] = set()

    @classmethod
    def for_app(
        cls,
        app: faust.App,
        agent: str,
        committed: CommittedOffsets,
        processed: ProcessedOffsets,
        topics: Iterable[str],
    ) -> OffsetGuard:
        async def seek(tp: TP, offset: int) -> None:
            # seek_wait runs in the consumer's own thread (Consumer.seek does not, and stalls).
            await app.consumer.seek_wait({tp: offset})

        return cls(
            agent,
            processed.for_agent(agent, topics),
            resume_offset=committed.get,
            seek=seek,
            first_offset=LogProbe(committed.bootstrap).first_offset,
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
            resume = await self._ask_resume_offset(tp)
            state = _Partition(message.generation_id, next_offset=resume)
            self._partitions[tp] = state
            self._processed.hole_closed(tp)  # a hole of the old generation is not ours to fill
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
            if state.seeking_since is not None:
                state.seeking_since = None
                self._processed.hole_closed(tp)
            return True
        if offset < expected:
            return False  # admitted already in this generation: a redelivery
        return self._on_hole(tp, state, expected, offset)

    async def _ask_resume_offset(self, tp: TP) -> int:
        """The committed offset, asked until the broker answers: a message must not be dropped
        because a connection closed (a broker restart), and nothing can go on without it."""
        delay = RESUME_RETRY_FIRST
        while True:
            try:
                return await self._resume_offset(tp)
            except (TimeoutError, KafkaError, OSError) as exc:
                self._log(
                    logging.WARNING,
                    "resume_offset_retry",
                    tp,
                    error=type(exc).__name__,
                    retry_in=f"{delay:.1f}s",
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RESUME_RETRY_MAX)

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
        """Hold ``offset`` back: the messages from ``expected`` must come first."""
        if state.seeking_since is None:
            state.seeking_since = self._clock()
            self._processed.hole_opened(tp, expected, state.seeking_since)
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

    def _log(self, level: int, what: str, tp: TP, **fields: object) -> None:
        log_kv(
            logger, level, what, agent=self._agent, topic=tp.topic, partition=tp.partition, **fields
        )

    async def _reseek_while_open(self, tp: TP, state: _Partition) -> None:
        started = state.seeking_since
        assert started is not None
        next_probe = started + PROBE_AFTER
        # Stops when the hole closes, or a new generation replaces the state.
        while state.seeking_since == started and self._partitions.get(tp) is state:
            if self._processed.get(tp) is None:
                return
            if self._clock() >= next_probe:
                next_probe = self._clock() + PROBE_EVERY
                await self._skip_if_missing_from_log(tp, state)
            await self._seek(tp, state.next_offset)
            await asyncio.sleep(RESEEK_EVERY)

    async def _skip_if_missing_from_log(self, tp: TP, state: _Partition) -> None:
        """Move past the missing offsets if the log does not hold them: nothing can fill them."""
        expected = state.next_offset
        try:
            first = await self._first_offset(tp, expected)
        except Exception as exc:  # the probe is best effort: seeking goes on regardless
            self._log(logging.WARNING, "offset_probe_failed", tp, error=type(exc).__name__)
            return
        if first is None or first <= expected or state.next_offset != expected:
            return  # the messages exist (or nothing is there yet): keep seeking
        self._log(
            logging.WARNING,
            "offset_gap_skipped",
            tp,
            missing_from=expected,
            missing_to=first - 1,
            reason="not_in_log",
        )
        state.next_offset = first
        self._processed.gap_skipped(tp, first - expected)
        self._processed.hole_opened(tp, first, state.seeking_since or self._clock())


class LogProbe:
    """Reads a partition's log directly, apart from the group's consumer: what offsets exist."""

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap

    async def first_offset(self, tp: TP, offset: int) -> int | None:
        """The first record's offset at or after ``offset``: past it when those offsets are
        gone (retention, compaction) or never held records (transaction markers)."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            enable_auto_commit=False,
            auto_offset_reset="earliest",  # below the log start: its first record
        )
        await consumer.start()
        try:
            kafka_tp = TopicPartition(tp.topic, tp.partition)
            consumer.assign([kafka_tp])
            consumer.seek(kafka_tp, offset)
            records = await consumer.getmany(kafka_tp, timeout_ms=5000, max_records=1)
            first = records.get(kafka_tp)
            return int(first[0].offset) if first else None
        finally:
            await consumer.stop()
