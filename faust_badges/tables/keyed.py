"""A typed view of a Faust table with string keys (usernames, badge uuids) and JSON values.

Faust picks a table's serializers from its key and value types; bytes both ways keeps keys
partitioned exactly like the repartition topic's keys, and leaves (de)serialization to us.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import faust
from faust.types import TableT

from faust_badges.tables.codecs import JsonStateCodec

T = TypeVar("T")


class JsonTable(Generic[T]):
    """``str -> T`` over a Faust table of bytes."""

    def __init__(self, table: TableT, codec: JsonStateCodec[T]) -> None:
        self.table = table
        self._codec = codec

    def get(self, key: str) -> T | None:
        raw = self.table.get(key.encode())
        return None if raw is None else self._codec.load(raw)

    def put(self, key: str, value: T) -> None:
        self.table[key.encode()] = self._codec.dump(value)

    def items(self) -> list[tuple[str, T]]:
        """Every entry of the partitions this worker holds (for ops views and tests)."""
        return [(k.decode(), self._codec.load(v)) for k, v in self.table.items()]


def declare_json_table(app: faust.App, name: str, partitions: int, help: str) -> Any:
    return app.Table(name, key_type=bytes, value_type=bytes, partitions=partitions, help=help)
