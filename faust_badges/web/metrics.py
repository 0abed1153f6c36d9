"""``GET /metrics``: Prometheus text format, behind the ops token."""

from __future__ import annotations

import time

from faust import web

from faust_badges.metrics import Gauge, Labels
from faust_badges.runtime import Runtime
from faust_badges.web.auth import protected


def register_metrics_view(runtime: Runtime) -> None:
    app = runtime.app
    runtime.metrics.add_gauge(
        Gauge(
            "badges_consumer_lag",
            "Messages not yet handled, per source partition this worker consumes",
            lambda: _lag(runtime),
        )
    )

    runtime.metrics.add_gauge(
        Gauge(
            "badges_offset_hole_seconds",
            "How long an agent has held a partition at offsets it is waiting for (seeking back)",
            lambda: _holes(runtime),
        )
    )
    runtime.metrics.add_gauge(
        Gauge(
            "badges_offset_gap_skipped_total",
            "Offsets moved past because the log does not hold them (retention, compaction)",
            lambda: _gaps_skipped(runtime),
            kind="counter",
        )
    )

    restore = getattr(app, "changelog_restore", None)
    if restore is not None:
        runtime.metrics.add_gauge(
            Gauge(
                "badges_changelog_records_restored_total",
                "Changelog records written to the local tables in bulk (recovery and standbys)",
                lambda: [((), float(restore.applied))],
                kind="counter",
            )
        )

    @app.page("/metrics")
    @protected(runtime.settings)
    async def metrics(view: web.View, request: web.Request) -> web.Response:
        return view.text(runtime.metrics.render(), content_type="text/plain; version=0.0.4")


def _lag(runtime: Runtime) -> list[tuple[Labels, float]]:
    consumer, ledger = runtime.app.consumer, runtime.processed
    samples: list[tuple[Labels, float]] = []
    for tp in sorted(ledger.partitions() & consumer.assignment()):
        handled = ledger.committable(tp)
        end = consumer.highwater(tp)
        if handled is not None and end is not None:
            labels = (("topic", tp.topic), ("partition", str(tp.partition)))
            samples.append((labels, float(max(0, end - handled))))
    return samples


def _holes(runtime: Runtime) -> list[tuple[Labels, float]]:
    now = time.monotonic()
    return [
        (
            (
                ("agent", hole.agent),
                ("topic", hole.tp.topic),
                ("partition", str(hole.tp.partition)),
            ),
            round(now - hole.opened_at, 1),
        )
        for hole in sorted(runtime.processed.holes.values(), key=lambda h: (h.agent, h.tp))
    ]


def _gaps_skipped(runtime: Runtime) -> list[tuple[Labels, float]]:
    return [
        (
            (("agent", agent), ("topic", tp.topic), ("partition", str(tp.partition))),
            float(count),
        )
        for (agent, tp), count in sorted(runtime.processed.gaps_skipped.items())
    ]
