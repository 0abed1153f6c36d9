"""``GET /health``: liveness and readiness, the one path that needs no token.

Faust starts its web server only after table recovery, so an answer here means the worker has
recovered its tables and is processing.
"""

from __future__ import annotations

from faust import web

from faust_badges.runtime import Runtime


def register_health_view(runtime: Runtime) -> None:
    app = runtime.app

    @app.page("/health")
    async def health(view: web.View, request: web.Request) -> web.Response:
        index = runtime.config.current()
        return view.json(
            {
                "status": "ok",
                "app_id": runtime.settings.app_id,
                "config_revision": index.revision,
                "templates": len(index.config.templates),
            }
        )
