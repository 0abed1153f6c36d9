"""Local RocksDB state is trusted only after a clean stop; otherwise it is rebuilt from Kafka.

A table write lands in RocksDB at once and in its changelog topic later. A worker that dies
in between leaves a store *ahead* of its changelog, and Faust cannot tell: on restart it
replays the changelog from the last offset it saw acknowledged (nothing, here), the agents
then meet those events again, the per-learner duplicate check takes them as applied, and the
writes never reach the changelog. The next worker to restore that partition loses them for
good (issue 14).

So a worker that stopped cleanly (every agent idle, every record acknowledged) leaves a mark in
its table directory. At the next start the mark is consumed; without it, the table stores are
deleted and Faust restores them from the changelogs, which then hold exactly what was
acknowledged, and the uncommitted input is processed again against that state.
"""

from __future__ import annotations

import os
import shutil
from enum import StrEnum
from pathlib import Path

CLEAN_MARK = "clean-shutdown"


class LocalState(StrEnum):
    """What the start found in the table directory."""

    EMPTY = "empty"  # first start, or a new disk
    KEPT = "kept"  # the last stop was clean: the stores equal their changelogs
    DISCARDED = "discarded"  # no mark: the stores were deleted, to be restored from Kafka


def open_local_state(tabledir: Path) -> LocalState:
    """Decide whether the table stores in ``tabledir`` can be used; call before any opens.

    The mark is removed before the stores are used, so a crash from now on leaves none.
    """
    mark = tabledir / CLEAN_MARK
    entries = [e for e in tabledir.iterdir() if e.name != CLEAN_MARK] if tabledir.is_dir() else []
    if mark.exists():
        mark.unlink()
        _sync_dir(tabledir)
        return LocalState.KEPT if entries else LocalState.EMPTY
    if not entries:
        return LocalState.EMPTY
    for entry in entries:
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    _sync_dir(tabledir)
    return LocalState.DISCARDED


def mark_clean(tabledir: Path) -> None:
    """Record that every table write in ``tabledir`` is in its changelog (call after the stop)."""
    tabledir.mkdir(parents=True, exist_ok=True)
    mark = tabledir / CLEAN_MARK
    with mark.open("w") as handle:
        handle.write("every table write of the last run reached its changelog\n")
        handle.flush()
        os.fsync(handle.fileno())
    _sync_dir(tabledir)


def _sync_dir(path: Path) -> None:
    """Make a file's creation or removal in ``path`` survive a power loss, not only a kill."""
    if not path.is_dir():
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
