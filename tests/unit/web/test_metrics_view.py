"""``GET /metrics``: the worker's counters and gauges in Prometheus text format, behind the ops
token; consumer lag per partition this worker consumes."""

from __future__ import annotations

from types import SimpleNamespace

from faust.types import TP

from faust_badges.web.metrics import register_metrics_view

from .fakes import BEARER, make_runtime, serve

INPUT_0, INPUT_1, OTHER = TP("input", 0), TP("input", 1), TP("input", 2)


def samples(text: str) -> dict[str, float]:
    return {
        name: float(value)
        for line in text.splitlines()
        if line and not line.startswith("#")
        for name, value in [line.rsplit(" ", 1)]
    }


async def test_the_counters_are_served_in_prometheus_text_format() -> None:
    runtime, app = make_runtime()
    register_metrics_view(runtime)
    runtime.metrics.awards.inc(template="python")
    runtime.metrics.awards.inc(template="python")
    runtime.metrics.issuer_calls.inc(provider="credly", call="issue", result="ok")

    async with serve(app) as client:
        response = await client.get("/metrics", headers=BEARER)
        text = await response.text()

    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE badges_awarded_total counter" in text
    found = samples(text)
    assert found['badges_awarded_total{template="python"}'] == 2
    assert found['badges_issuer_calls_total{provider="credly",call="issue",result="ok"}'] == 1


async def test_lag_is_reported_for_assigned_partitions_whose_position_is_known() -> None:
    runtime, app = make_runtime()
    register_metrics_view(runtime)
    offsets = runtime.processed.for_agent("progress", ["input"])
    offsets.set(INPUT_0, 90)
    offsets.set(INPUT_1, 500)
    offsets.set(OTHER, 10)  # handled here once, no longer assigned
    highwaters = {INPUT_0: 100, INPUT_1: 400, OTHER: 50}
    app.consumer = SimpleNamespace(assignment=lambda: {INPUT_0, INPUT_1}, highwater=highwaters.get)

    async with serve(app) as client:
        text = await (await client.get("/metrics", headers=BEARER)).text()

    lag = {k: v for k, v in samples(text).items() if k.startswith("badges_consumer_lag")}
    assert lag == {
        'badges_consumer_lag{topic="input",partition="0"}': 10,
        'badges_consumer_lag{topic="input",partition="1"}': 0,  # never negative
    }


async def test_bulk_restored_changelog_records_are_counted_when_the_app_restores() -> None:
    runtime, app = make_runtime()
    app.changelog_restore = SimpleNamespace(applied=1234)  # type: ignore[attr-defined]
    register_metrics_view(runtime)

    async with serve(app) as client:
        text = await (await client.get("/metrics", headers=BEARER)).text()

    assert samples(text)["badges_changelog_records_restored_total"] == 1234


async def test_without_the_token_no_metric_is_shown() -> None:
    runtime, app = make_runtime()
    register_metrics_view(runtime)
    runtime.metrics.awards.inc(template="python")

    async with serve(app) as client:
        response = await client.get("/metrics")
        text = await response.text()

    assert response.status == 401 and "badges_" not in text
