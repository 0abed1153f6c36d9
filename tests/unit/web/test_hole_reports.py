"""Partitions held at missing offsets show on ``/health`` and ``/metrics`` (never silently)."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import cast

from faust.types import TP

from faust_badges.delivery.ledger import HOLE_WARNING_AFTER, ProcessedOffsets
from faust_badges.runtime import Runtime
from faust_badges.web.health import hole_warnings
from faust_badges.web.metrics import _gaps_skipped, _holes

INPUT = TP("input", 2)


def ledger_with_a_hole(opened_at: float) -> ProcessedOffsets:
    ledger = ProcessedOffsets()
    ledger.for_agent("progress", ["input"]).hole_opened(INPUT, 1234, opened_at)
    return ledger


def test_a_hole_is_a_health_warning_once_it_outlives_the_grace_time() -> None:
    ledger = ledger_with_a_hole(opened_at=100.0)

    assert hole_warnings(ledger, now=100.0 + HOLE_WARNING_AFTER - 1) == []
    (warning,) = hole_warnings(ledger, now=100.0 + HOLE_WARNING_AFTER + 15)
    assert "progress" in warning and "offset 1234 of input/2" in warning
    assert f"{HOLE_WARNING_AFTER + 15:.0f} s" in warning


def test_a_closed_or_revoked_hole_is_no_longer_reported() -> None:
    ledger = ledger_with_a_hole(opened_at=0.0)
    ledger.for_agent("progress", ["input"]).hole_closed(INPUT)
    assert hole_warnings(ledger, now=1e6) == []

    ledger = ledger_with_a_hole(opened_at=0.0)
    ledger.revoke({INPUT})
    assert hole_warnings(ledger, now=1e6) == []


def test_metrics_show_the_open_hole_and_the_skipped_offsets() -> None:
    ledger = ledger_with_a_hole(opened_at=time.monotonic() - 42)
    ledger.for_agent("progress", ["input"]).gap_skipped(INPUT, 3)
    runtime = cast(Runtime, SimpleNamespace(processed=ledger))

    ((labels, age),) = _holes(runtime)
    assert labels == (("agent", "progress"), ("topic", "input"), ("partition", "2"))
    assert 42 <= age < 60
    assert _gaps_skipped(runtime) == [(labels, 3.0)]
