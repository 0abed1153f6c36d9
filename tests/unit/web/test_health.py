"""``GET /health``: no token; 503 while the tables recover, then 200 ("ok", or "warning" with
the reasons while a partition is held at missing offsets)."""

from __future__ import annotations

import time

from faust.types import TP

from faust_badges.core.index import ConfigIndex
from faust_badges.delivery.ledger import HOLE_WARNING_AFTER
from faust_badges.settings import Settings
from faust_badges.web.health import register_health_view

from ..core.builders import course, make_config, requirement, template
from .fakes import make_runtime, serve

CONFIG = make_config(
    template("python", [requirement("p101", course("p101"))]),
    template("idle", [requirement("x", course("x"))], active=False),
)
SETTINGS = Settings(app_id="health-test")  # and no ops token: /health needs none


async def test_while_the_tables_recover_the_worker_is_not_ready() -> None:
    runtime, app = make_runtime(CONFIG, SETTINGS)
    register_health_view(runtime)

    async with serve(app) as client:
        response = await client.get("/health")
        body = await response.json()

    assert response.status == 503
    assert body == {
        "status": "recovering",
        "app_id": "health-test",
        "rebalancing": False,
        "config_revision": ConfigIndex.build(CONFIG).revision,
        "templates": 2,
        "warnings": [],
    }


async def test_once_recovered_the_worker_is_ok() -> None:
    runtime, app = make_runtime(CONFIG, SETTINGS)
    register_health_view(runtime)
    app.tables.recovery.completed.set()
    app.rebalancing = True

    async with serve(app) as client:
        response = await client.get("/health")
        body = await response.json()

    assert response.status == 200
    assert (body["status"], body["rebalancing"], body["warnings"]) == ("ok", True, [])


async def test_a_partition_held_at_missing_offsets_is_a_warning_that_keeps_200() -> None:
    runtime, app = make_runtime(CONFIG, SETTINGS)
    register_health_view(runtime)
    app.tables.recovery.completed.set()
    offsets = runtime.processed.for_agent("progress", ["input"])
    offsets.hole_opened(TP("input", 3), 77, time.monotonic() - HOLE_WARNING_AFTER - 30)
    offsets.hole_opened(TP("input", 4), 12, time.monotonic())  # too recent to warn about

    async with serve(app) as client:
        response = await client.get("/health")
        body = await response.json()

    assert response.status == 200 and body["status"] == "warning"
    (warning,) = body["warnings"]
    assert "progress" in warning and "offset 77 of input/3" in warning


async def test_a_warning_while_recovering_is_still_recovering() -> None:
    runtime, app = make_runtime(CONFIG, SETTINGS)
    register_health_view(runtime)
    runtime.processed.for_agent("progress", ["input"]).hole_opened(TP("input", 3), 77, 0.0)

    async with serve(app) as client:
        response = await client.get("/health")
        body = await response.json()

    assert (response.status, body["status"], len(body["warnings"])) == (503, "recovering", 1)
