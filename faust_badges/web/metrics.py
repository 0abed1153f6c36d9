"""``GET /metrics``: Prometheus text format."""

from __future__ import annotations

from faust import web

from faust_badges.runtime import Runtime


def register_metrics_view(runtime: Runtime) -> None:
    app = runtime.app

    @app.page("/metrics")
    async def metrics(view: web.View, request: web.Request) -> web.Response:
        return view.text(runtime.metrics.render(), content_type="text/plain; version=0.0.4")
