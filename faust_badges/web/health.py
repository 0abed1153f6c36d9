"""``GET /health``: liveness and readiness, the one path that needs no token.

Faust 0.15.3 starts its web server before table recovery, so readiness is read from the
recovery service itself: 503 until the tables have been recovered once, 200 after.
"""

from __future__ import annotations

from typing import cast

from faust import web
from faust.tables.manager import TableManager

from faust_badges.runtime import Runtime


def register_health_view(runtime: Runtime) -> None:
    app = runtime.app

    @app.page("/health")
    async def health(view: web.View, request: web.Request) -> web.Response:
        index = runtime.config.current()
        recovered = cast(TableManager, app.tables).recovery.completed.is_set()
        body = {
            "status": "ok" if recovered else "recovering",
            "app_id": runtime.settings.app_id,
            "rebalancing": bool(app.rebalancing),
            "config_revision": index.revision,
            "templates": len(index.config.templates),
        }
        return view.json(body, status=200 if recovered else 503)
