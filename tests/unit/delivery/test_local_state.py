"""Local table stores survive a restart only after a clean stop."""

from __future__ import annotations

from pathlib import Path

from faust_badges.delivery.local_state import CLEAN_MARK, LocalState, mark_clean, open_local_state


def make_store(tabledir: Path, name: str) -> Path:
    store = tabledir / name
    store.mkdir(parents=True)
    (store / "000001.sst").write_bytes(b"rows")
    return store


def test_a_first_start_finds_nothing(tmp_path: Path) -> None:
    assert open_local_state(tmp_path / "tables") is LocalState.EMPTY
    tmp_path.joinpath("tables").mkdir()
    assert open_local_state(tmp_path / "tables") is LocalState.EMPTY


def test_stores_left_by_a_crash_are_deleted(tmp_path: Path) -> None:
    progress = make_store(tmp_path, "app-progress-0.db")
    learners = make_store(tmp_path, "app-learners-3.db")
    assert open_local_state(tmp_path) is LocalState.DISCARDED
    assert not progress.exists() and not learners.exists()
    assert tmp_path.exists()  # the directory stays, for Faust to restore into


def test_stores_of_a_clean_stop_are_kept_once(tmp_path: Path) -> None:
    progress = make_store(tmp_path, "app-progress-0.db")
    mark_clean(tmp_path)
    assert open_local_state(tmp_path) is LocalState.KEPT
    assert progress.exists()
    assert not (tmp_path / CLEAN_MARK).exists()  # consumed: a crash from now on leaves none
    # The run after this one crashed (no new mark): the stores go.
    assert open_local_state(tmp_path) is LocalState.DISCARDED
    assert not progress.exists()


def test_a_mark_without_stores_is_just_removed(tmp_path: Path) -> None:
    mark_clean(tmp_path / "tables")
    assert open_local_state(tmp_path / "tables") is LocalState.EMPTY
    assert list((tmp_path / "tables").iterdir()) == []
