"""ChangelogRestore: changelog records of tables in recovery, written to RocksDB in bulk."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import faust
import pytest
from faust.types import TP

from faust_badges.tables.restore import ChangelogRestore

CHANGELOG = "t-progress-changelog"
ACTIVE, STANDBY, OTHER = TP(CHANGELOG, 2), TP(CHANGELOG, 3), TP(CHANGELOG, 1)


@dataclass
class Record:
    """The fields of a Faust message the restore reads."""

    tp: TP
    offset: int
    key: bytes | None
    value: bytes | None


class FakeRecovery(SimpleNamespace):
    """The parts of Faust's recovery service the restore reads and moves."""

    def __init__(self) -> None:
        super().__init__(
            active_tps={ACTIVE},
            standby_tps={STANDBY},
            active_offsets=Counter({ACTIVE: 9}),
            standby_offsets=Counter({STANDBY: -1}),
            buffers={},
            _active_events_received_at={},
            _standby_events_received_at={},
            flushed=[],
        )

    def flush_buffers(self) -> None:
        self.flushed.append(dict(self.buffers))
        self.buffers.clear()


@pytest.fixture
def table(tmp_path: Path) -> Iterator[Any]:
    app = faust.App("t", store="rocksdb://", datadir=str(tmp_path), broker="kafka://127.0.0.1:1")
    table = app.Table("progress", key_type=bytes, value_type=bytes, partitions=4)
    assert table.changelog_topic.get_topic_name() == CHANGELOG
    yield table
    table.data._dbs.clear()  # closes the partitions' databases


@pytest.fixture
def recovery() -> FakeRecovery:
    return FakeRecovery()


@pytest.fixture
def restore(table: Any, recovery: FakeRecovery) -> ChangelogRestore:
    restore = ChangelogRestore()
    restore.register(table)
    restore.bind(recovery)
    return restore


def stored(table: Any, tp: TP, key: bytes) -> bytes | None:
    value: bytes | None = table.data._db_for_partition(tp.partition).get(key)
    return value


def test_records_of_an_active_partition_are_written_with_their_offsets(
    restore: ChangelogRestore, table: Any, recovery: FakeRecovery
) -> None:
    taken = [
        restore.take(ACTIVE, Record(ACTIVE, 8, b"old", b"applied before")),  # a repeat
        restore.take(ACTIVE, Record(ACTIVE, 10, b"ann", b"1")),
        restore.take(ACTIVE, Record(ACTIVE, 11, b"bo", b"2")),
        restore.take(ACTIVE, Record(ACTIVE, 11, b"bo", b"2 again")),  # a repeat within the fetch
        restore.take(ACTIVE, Record(ACTIVE, 12, b"ann", b"3")),
    ]
    assert taken == [True] * 5
    assert stored(table, ACTIVE, b"ann") is None  # nothing written before the fetch ends

    restore.write()

    assert stored(table, ACTIVE, b"ann") == b"3" and stored(table, ACTIVE, b"bo") == b"2"
    assert stored(table, ACTIVE, b"old") is None
    assert table.data.persisted_offset(ACTIVE) == 12
    assert recovery.active_offsets[ACTIVE] == 12 and ACTIVE in recovery._active_events_received_at
    assert restore.applied == 3


def test_a_tombstone_deletes_the_key(
    restore: ChangelogRestore, table: Any, recovery: FakeRecovery
) -> None:
    restore.take(ACTIVE, Record(ACTIVE, 10, b"ann", b"1"))
    restore.write()
    restore.take(ACTIVE, Record(ACTIVE, 11, b"ann", None))
    restore.write()
    assert stored(table, ACTIVE, b"ann") is None
    assert recovery.active_offsets[ACTIVE] == 11


def test_standby_partitions_move_the_standby_offsets(
    restore: ChangelogRestore, table: Any, recovery: FakeRecovery
) -> None:
    assert restore.take(STANDBY, Record(STANDBY, 0, b"cy", b"1"))
    restore.write()
    assert stored(table, STANDBY, b"cy") == b"1"
    assert recovery.standby_offsets[STANDBY] == 0 and recovery.active_offsets[ACTIVE] == 9


def test_what_recovery_does_not_track_goes_faust_s_way(
    restore: ChangelogRestore, recovery: FakeRecovery
) -> None:
    assert not restore.take(OTHER, Record(OTHER, 0, b"ann", b"1"))  # not assigned here
    other_table = TP("t-config-changelog", 0)
    recovery.active_tps.add(other_table)
    assert not restore.take(other_table, Record(other_table, 0, b"k", b"v"))  # not registered
    assert not restore.take(ACTIVE, Record(ACTIVE, 10, None, b"v"))  # keyless


def test_records_faust_buffered_are_applied_first(
    restore: ChangelogRestore, recovery: FakeRecovery
) -> None:
    recovery.buffers["a table"] = ["an older event"]
    restore.take(ACTIVE, Record(ACTIVE, 10, b"ann", b"1"))
    restore.write()
    assert recovery.flushed == [{"a table": ["an older event"]}]


def test_a_partition_revoked_before_the_write_is_left_to_its_next_owner(
    restore: ChangelogRestore, table: Any, recovery: FakeRecovery
) -> None:
    restore.take(ACTIVE, Record(ACTIVE, 10, b"ann", b"1"))
    recovery.active_tps.clear()
    restore.write()
    assert stored(table, ACTIVE, b"ann") is None
    assert restore.applied == 0
