"""A typed view of a Faust table with string keys (usernames, badge uuids) and JSON values.

Faust picks a table's serializers from its key and value types; bytes both ways keeps keys
partitioned exactly like the repartition topic's keys, and leaves (de)serialization to us.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import faust
from faust import streams as faust_streams
from faust.types import EventT, TableT

from faust_badges.tables.codecs import JsonStateCodec

T = TypeVar("T")


class JsonTable(Generic[T]):
    """``str -> T`` over a Faust table of bytes."""

    def __init__(self, table: TableT, codec: JsonStateCodec[T]) -> None:
        self.table = table
        self._codec = codec

    def get(self, key: str, event: EventT | None = None) -> T | None:
        """The value of ``key``; ``event`` is one of ``key``'s events when not the current one."""
        with _as_current(event):
            raw = self.table.get(key.encode())
        return None if raw is None else self._codec.load(raw)

    def put(self, key: str, value: T, event: EventT | None = None) -> None:
        """Store ``value`` (and send it to the changelog), as ``get`` for ``event``."""
        with _as_current(event):
            self.table[key.encode()] = self._codec.dump(value)

    def items(self) -> list[tuple[str, T]]:
        """Every entry of the partitions this worker holds (for ops views and tests)."""
        return [(k.decode(), self._codec.load(v)) for k, v in self.table.items()]


@contextmanager
def _as_current(event: EventT | None) -> Iterator[None]:
    """Make ``event`` Faust's current event for a table access.

    Faust's stores and changelog take a key's partition from the stream's current event (a
    context variable set as each event is delivered). A batch reads and writes its keys after
    later events, of other partitions, were delivered: each access names its own key's event.
    """
    if event is None:
        yield
        return
    token = faust_streams._current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        faust_streams._current_event.reset(token)


def declare_json_table(app: faust.App, name: str, partitions: int, help: str) -> Any:
    return app.Table(name, key_type=bytes, value_type=bytes, partitions=partitions, help=help)
