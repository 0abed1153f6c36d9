"""``GET /metrics``: Prometheus text format, behind the ops token."""

from __future__ import annotations

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
