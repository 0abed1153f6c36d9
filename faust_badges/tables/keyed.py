"""A typed view of a Faust table with string keys (usernames, badge uuids) and JSON values.

Faust picks a table's serializers from its key and value types; bytes both ways keeps keys
partitioned exactly like the repartition topic's keys, and leaves (de)serialization to us.

The per-event path (the progress agent) reads and writes by partition (``get_in``,
``write_batch``): with a RocksDB store, straight to the partition's database, one write batch
per partition, and the changelog records handed to the producer as whole record batches.
Faust's per-key path (a table access through the store's serializers, sensors, a changelog
future message and a RocksDB write of the changelog offset per record) cost more than the
event's decision itself.
What stays the same: the key's partition is the source message's, every write has its changelog
record, and the changelog offset kept in the store never passes what the store holds.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, Generic, TypeVar, cast

import faust
from faust import streams as faust_streams
from faust.stores import rocksdb as faust_rocksdb
from faust.types import TP, Message, TableT
from rocksdict import WriteBatch

from faust_badges.delivery.producer import AckedProducer
from faust_badges.events.state_codecs import StateCodec

T = TypeVar("T")


class JsonTable(Generic[T]):
    """``str -> T`` over a Faust table of bytes."""

    def __init__(self, table: TableT, codec: StateCodec[T]) -> None:
        self.table = table
        self._codec = codec
        self._delivered: dict[TP, int] = {}  # changelog offsets acknowledged, not yet recorded

    def get(self, key: str, message: Message | None = None) -> T | None:
        """The value of ``key``; ``message`` is one of ``key``'s messages when no stream event
        is current or the current one is another key's."""
        with _as_current(message):
            raw = self.table.get(key.encode())
        return None if raw is None else self._codec.load(raw)

    def put(self, key: str, value: T, message: Message | None = None) -> None:
        """Store ``value`` (and send it to the changelog), as ``get`` for ``message``."""
        with _as_current(message):
            self.table[key.encode()] = self._codec.dump(value)

    def get_in(self, key: str, message: Message) -> T | None:
        """The value of ``key``, whose messages come from ``message``'s partition."""
        store = self._rocksdb()
        if store is None:
            return self.get(key, message)
        raw_key = key.encode()
        raw = store._db_for_partition(message.partition).get(raw_key)
        if raw is None:
            return None
        store._key_index[raw_key] = message.partition
        return self._codec.load(raw)

    async def write_batch(self, writes: Sequence[tuple[str, T, Message]]) -> None:
        """Store each ``(key, value, message)`` and send it to the changelog (acknowledged by
        the producer's flush before the next commit, like every changelog record)."""
        store = self._rocksdb()
        if store is None:
            for key, value, message in writes:
                self.put(key, value, message)
            return
        self._record_delivered(store)
        encoded = [
            (key.encode(), self._codec.dump(value), msg.partition) for key, value, msg in writes
        ]
        batches: dict[int, WriteBatch] = {}
        for raw_key, raw, partition in encoded:
            batch = batches.get(partition)
            if batch is None:
                batch = batches[partition] = WriteBatch(raw_mode=True)
            batch.put(raw_key, raw)
            store._key_index[raw_key] = partition
        for partition, batch in batches.items():
            store._db_for_partition(partition).write(batch)
        # The store is written first: a changelog offset recorded once delivered (below) then
        # never names a record the store does not hold.
        producer = cast(AckedProducer, self.table.app.producer)
        changelog = self.table.changelog_topic.get_topic_name()
        records = [(partition, raw_key, raw, None) for raw_key, raw, partition in encoded]
        for sent in await producer.send_records(changelog, records):
            sent.delivered.add_done_callback(partial(self._on_changelog_delivered, sent.records))

    def _on_changelog_delivered(self, records: int, future: Any) -> None:
        if future.cancelled() or future.exception() is not None:
            return  # the producer's delivery tracking fails the next flush
        metadata = future.result()  # of the batch: its first record's offset
        tp = TP(metadata.topic, metadata.partition)
        last = metadata.offset + records - 1
        self._delivered[tp] = max(self._delivered.get(tp, -1), last)

    def _record_delivered(self, store: Any) -> None:
        """Keep in the store the changelog offsets delivered so far (where a restart after a
        clean stop resumes reading the changelog), once per partition rather than per record."""
        delivered, self._delivered = self._delivered, {}
        for tp, offset in delivered.items():
            store.set_persisted_offset(tp, offset)

    def _rocksdb(self) -> Any:
        return rocksdb_store(self.table)

    def items(self) -> list[tuple[str, T]]:
        """Every entry of the partitions this worker holds (for ops views and tests)."""
        return [(k.decode(), self._codec.load(v)) for k, v in self.table.items()]


class _MessageEvent:
    """What Faust's tables read of their current event: its message (topic, partition)."""

    __slots__ = ("__weakref__", "message")

    def __init__(self, message: Message) -> None:
        self.message = message


@contextmanager
def _as_current(message: Message | None) -> Iterator[None]:
    """Make an event of ``message`` Faust's current event for a table access.

    Faust's stores and changelog take a key's partition from the stream's current event (a
    context variable a stream sets as it delivers each event). Batches come from an inbox, not a
    stream, and write their keys after other partitions' messages: each access names its own
    key's message.
    """
    if message is None:
        yield
        return
    event = _MessageEvent(message)
    token = faust_streams._current_event.set(weakref.ref(event))  # type: ignore[arg-type]
    try:
        yield
    finally:
        faust_streams._current_event.reset(token)


def rocksdb_store(table: TableT) -> Any:
    """The table's Faust RocksDB store when it uses rocksdict (then its partitions' databases
    can be read and written directly), else None."""
    store = table.data
    if isinstance(store, faust_rocksdb.Store) and store.use_rocksdict:
        return store
    return None


def declare_json_table(
    app: faust.App, name: str, partitions: int, store_options: Mapping[str, Any], help: str
) -> Any:
    return app.Table(
        name,
        key_type=bytes,
        value_type=bytes,
        partitions=partitions,
        options=dict(store_options),  # Faust's RocksDB store pops keys from it: a copy
        help=help,
    )
