"""``GET /health``: liveness and readiness, the one path that needs no token.

Faust 0.15.3 starts its web server before table recovery, so readiness is read from the
recovery service itself: 503 until the tables have been recovered once, 200 after.
"""

from __future__ import annotations

import time
from typing import cast

from faust import web
from faust.tables.manager import TableManager

from faust_badges.delivery.ledger import HOLE_WARNING_AFTER, ProcessedOffsets
from faust_badges.runtime import Runtime


def register_health_view(runtime: Runtime) -> None:
    app = runtime.app

    @app.page("/health")
    async def health(view: web.View, request: web.Request) -> web.Response:
        index = runtime.live_config.index()
        recovered = cast(TableManager, app.tables).recovery.completed.is_set()
        warnings = hole_warnings(runtime.processed, time.monotonic())
        body = {
            "status": ("warning" if warnings else "ok") if recovered else "recovering",
            "app_id": runtime.settings.app_id,
            "rebalancing": bool(app.rebalancing),
            "config_revision": index.revision,
            "templates": len(index.config.templates),
            "warnings": warnings,
        }
        # A warning keeps 200: the worker is alive and serving; restarting it would not help.
        return view.json(body, status=200 if recovered else 503)


def hole_warnings(ledger: ProcessedOffsets, now: float) -> list[str]:
    """One line per partition held at missing offsets for longer than ``HOLE_WARNING_AFTER``."""
    return [
        f"{hole.agent} has waited {now - hole.opened_at:.0f} s for offset {hole.missing_from} "
        f"of {hole.tp.topic}/{hole.tp.partition}; the partition is held there (seeking back)"
        for hole in sorted(ledger.holes.values(), key=lambda h: (h.agent, h.tp))
        if now - hole.opened_at >= HOLE_WARNING_AFTER
    ]
