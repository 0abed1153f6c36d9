"""Log lines: LOG_LEVEL=debug reaches the output although Faust's handlers are at INFO."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from faust_badges.logs import log_kv, open_handlers_to


@pytest.fixture
def info_handler() -> Iterator[io.StringIO]:
    """A root handler at INFO, as ``faust worker -l info`` installs."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    ours = logging.getLogger("faust_badges.test")
    previous = ours.level
    ours.setLevel(logging.DEBUG)
    yield out
    ours.setLevel(previous)
    root.removeHandler(handler)


def test_debug_lines_of_ours_pass_an_info_handler_once_opened(info_handler: io.StringIO) -> None:
    ours = logging.getLogger("faust_badges.test")
    log_kv(ours, logging.DEBUG, "batch_started", agent="progress")
    assert info_handler.getvalue() == ""  # what LOG_LEVEL=debug got before
    open_handlers_to(logging.DEBUG)
    log_kv(ours, logging.DEBUG, "batch_started", agent="progress")
    assert info_handler.getvalue() == "batch_started agent=progress\n"


def test_other_loggers_keep_the_root_level(info_handler: io.StringIO) -> None:
    open_handlers_to(logging.DEBUG)
    logging.getLogger("faust.something").debug("chatty")
    assert info_handler.getvalue() == ""
