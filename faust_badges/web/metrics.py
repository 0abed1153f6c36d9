"""``GET /metrics``: Prometheus text format, behind the ops token."""

from __future__ import annotations

from faust import web

from faust_badges.runtime import Runtime
from faust_badges.web.auth import protected


def register_metrics_view(runtime: Runtime) -> None:
    app = runtime.app

    @app.page("/metrics")
    @protected(runtime.settings)
    async def metrics(view: web.View, request: web.Request) -> web.Response:
        return view.text(runtime.metrics.render(), content_type="text/plain; version=0.0.4")
