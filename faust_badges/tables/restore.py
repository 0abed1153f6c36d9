"""Table recovery in bulk: changelog records written to their RocksDB store as they are fetched.

Faust 0.15.3 restores a table one record at a time: each fetched changelog record becomes a
message, an event, a queue item and an iteration of its recovery loop (two debug f-strings,
offset bookkeeping, a buffer) before a batch of them reaches the store. That caps recovery near
10,000 records/s, so a worker that lost its disk needed minutes to take back a million learners.

``ChangelogRestore`` takes the records of the tables that opt in (the JSON tables: progress,
learners, issued) out of the fetch (``LedgerConsumer.getmany``) and writes each partition's run
of them as one RocksDB write batch. What Faust's loop guarantees is kept:

- only partitions its recovery tracks (active or standby) are taken, and records at or below
  the offset already applied (a repeat after a seek) are skipped, as Faust does;
- the store's persisted changelog offset is written with the records it covers;
- the recovery's own offsets move with each batch, so Faust sees the partition caught up and
  ends recovery (and keeps standbys current) the way it always does.

Tables with changelog callbacks (the config GlobalTable) keep Faust's path.
"""

from __future__ import annotations

import time
from typing import Any, cast

from faust.types import TP, Message, TableT
from rocksdict import WriteBatch

from faust_badges.tables.keyed import rocksdb_store

#: Records held before a write: a fetch usually brings fewer, and then its end writes them.
WRITE_EVERY = 5000


class ChangelogRestore:
    """The changelog records of opted-in tables, applied in bulk (see the module doc)."""

    def __init__(self) -> None:
        self._changelogs: dict[str, TableT] = {}  # changelog topic -> table
        self._pending: dict[TP, list[Message]] = {}
        self._recovery: Any = None
        self.applied = 0  # records written this way (for tests and logs)

    def register(self, table: TableT) -> None:
        """Restore ``table`` in bulk (it must not rely on per-event changelog callbacks)."""
        self._changelogs[table.changelog_topic.get_topic_name()] = table

    def bind(self, recovery: Any) -> None:
        """Faust's recovery service, whose partitions and offsets this keeps in step."""
        self._recovery = recovery

    def take(self, tp: TP, message: Message) -> bool:
        """Whether ``message`` was taken here (else it goes Faust's way)."""
        table = self._changelogs.get(tp.topic)
        recovery = self._recovery
        if table is None or recovery is None or message.key is None or rocksdb_store(table) is None:
            return False
        offsets = _offsets_of(recovery, tp)
        if offsets is None:
            return False  # not a partition recovery tracks now: Faust decides what to do
        pending = self._pending.setdefault(tp, [])
        applied = pending[-1].offset if pending else offsets.get(tp)
        if applied is None or message.offset > applied:
            pending.append(message)
            if len(pending) >= WRITE_EVERY:
                self.write()
        return True  # taken either way: a repeat is dropped, as Faust's loop drops it

    def write(self) -> None:
        """Write what was taken: one write batch per partition, then the offsets it covers."""
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        recovery = self._recovery
        if any(recovery.buffers.values()):
            recovery.flush_buffers()  # records Faust buffered come first: they are older
        now = time.monotonic()
        for tp, messages in pending.items():
            offsets = _offsets_of(recovery, tp)
            if offsets is None or not messages:
                continue  # revoked meanwhile: its next owner restores it
            store = rocksdb_store(self._changelogs[tp.topic])
            batch = WriteBatch(raw_mode=True)
            for message in messages:
                key = cast(bytes, message.key)  # take() leaves keyless records to Faust
                if message.value is None:
                    batch.delete(key)
                else:
                    batch.put(key, message.value)
            store._db_for_partition(tp.partition).write(batch)
            last = messages[-1].offset
            store.set_persisted_offset(tp, last)
            offsets[tp] = last
            received = (
                recovery._active_events_received_at
                if tp in recovery.active_tps
                else recovery._standby_events_received_at
            )
            received[tp] = now
            self.applied += len(messages)


def _offsets_of(recovery: Any, tp: TP) -> Any:
    if tp in recovery.active_tps:
        return recovery.active_offsets
    if tp in recovery.standby_tps:
        return recovery.standby_offsets
    return None
