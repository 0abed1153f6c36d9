"""Workarounds for Faust 0.15.3 behaviour that loses messages; each says what and why.

Found by the durability tests (tests/integration/test_durability.py), which compare a worker
stopped and restarted mid-stream with the pure core's verdict on the same input.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol, cast

from faust.tables.manager import TableManager
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP, Message
from mode.utils.queues import FlowControlEvent

from faust_badges.delivery.inbox import Inbox, Inboxes
from faust_badges.delivery.ledger import ProcessedOffsets
from faust_badges.delivery.producer import AckedProducer


class LiveFlowControl(FlowControlEvent):
    """Flow control whose ``resume`` empties the stream queues only after a real suspension.

    Faust's table recovery calls ``resume`` several times, the last one after it has resumed the
    stream partitions and seeked them: by then the fetcher has already put live messages in the
    stream queues and moved its read offset past them. Emptying the queues there drops those
    messages for good (Faust never fetches them again, and commits past them). Queues only need
    emptying when flow comes back from a suspension (a rebalance or a stop), which this keeps.
    """

    def resume(self) -> None:
        if self.is_active():
            return  # already flowing: what the queues hold is live, keep it
        super().resume()


class BulkRestore(Protocol):
    """Writes the changelog records of tables in recovery to their stores in bulk
    (``tables/restore.py``)."""

    def bind(self, recovery: Any) -> None: ...

    def take(self, tp: TP, message: Message) -> bool: ...

    def write(self) -> None: ...


class DeliveryApp(Protocol):
    """What the corrected consumer reads of its app (``BadgesApp`` sets each before start)."""

    processed_offsets: ProcessedOffsets
    inboxes: Inboxes
    changelog_restore: BulkRestore


class LedgerConsumer(aiokafka_driver.Consumer):
    """Commits, for the partitions our agents consume, exactly what they handled in order.

    Faust derives the offset to commit from its acknowledgements, which gain holes and
    duplicates when its stream skips or repeats messages (then it commits past unhandled
    messages, or crawls one offset per commit). ``ProcessedOffsets`` is kept by the agents'
    offset guards and has neither. Other partitions keep Faust's own computation.
    """

    @property
    def _hooks(self) -> DeliveryApp:
        return cast(DeliveryApp, self.app)

    def _ledger(self) -> ProcessedOffsets:
        return self._hooks.processed_offsets

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]:
        """Faust's fetch, with the messages of inbox topics put in their inbox (see
        delivery/inbox.py) and the changelog records of tables in recovery written to their
        store in bulk (see tables/restore.py), instead of going one by one through the
        conductor to a stream or to the recovery loop."""
        inboxes = self._hooks.inboxes
        restore = self._hooks.changelog_restore
        restore.bind(cast(TableManager, self.app.tables).recovery)
        read_offset = self._read_offset
        fetched: dict[Inbox, list[Message]] = {}  # per inbox, in fetch order
        try:
            async for tp, message in super().getmany(timeout):
                if restore.take(tp, message):
                    read_offset[tp] = message.offset
                    continue
                targets = inboxes.for_topic(tp.topic)
                if not targets:
                    yield tp, message
                    continue
                for inbox in targets:
                    fetched.setdefault(inbox, []).append(message)
                read_offset[tp] = message.offset  # as Faust's drain loop records it
        finally:
            restore.write()  # what this fetch brought, also when the loop is left early
        # A fetch's messages go to each inbox at once (one wait for room, not one per message).
        for inbox, messages in fetched.items():
            await inbox.put_many(messages)

    def _new_offset(self, tp: TP) -> int | None:
        ledger = self._ledger()
        if not ledger.owns(tp):
            return super()._new_offset(tp)
        # Keep Faust's acknowledgement lists from growing: the ledger decides for this partition.
        handled = ledger.committable(tp)
        acked = self._acked[tp]
        if handled is not None:
            acked[:] = [offset for offset in acked if offset >= handled]
            self._acked_index[tp].intersection_update(acked)
        committed = self._committed_offset[tp]
        if handled is None or (committed is not None and handled <= committed):
            return None
        return handled

    def _filter_tps_with_pending_acks(self, topics: Any = None) -> Iterator[TP]:
        seen = set()
        for tp in super()._filter_tps_with_pending_acks(topics):
            seen.add(tp)
            yield tp
        ledger = self._ledger()
        assigned = self.assignment()
        for tp in ledger.partitions():
            wanted = topics is None or tp in topics or tp.topic in topics
            if tp not in seen and tp in assigned and wanted:
                yield tp


class LedgerTransport(aiokafka_driver.Transport):
    """The aiokafka transport with ``LedgerConsumer`` and ``AckedProducer`` (whose flush, which
    Faust runs before every commit, waits for every record)."""

    Consumer = LedgerConsumer
    Producer = AckedProducer
