"""A Faust app's web side without a worker: the views register on a ``FakeApp`` and are served by
a plain aiohttp app on 127.0.0.1 (``aiohttp.test_utils``), each request dispatched by Faust's own
``View`` and answered through Faust's aiohttp response builders; the tables are dicts behind the
job's real ``JsonTable`` codecs. ``app.table_route`` always serves here (Faust's own routing is
not under test); the job's own peer lookups ask ``FakeRouter``, its requests go to
``FakeHttpClient``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

from aiohttp import web as aioweb
from aiohttp.test_utils import TestClient, TestServer
from faust.types import TableT
from faust.web.drivers.aiohttp import Web as AiohttpWeb
from faust.web.views import View
from yarl import URL

from faust_badges.core.config import BadgeConfig
from faust_badges.delivery.ledger import ProcessedOffsets
from faust_badges.events.state_codecs import (
    ISSUED_CODEC,
    LEARNER_CODEC,
    PROGRESS_CODEC,
    encode_config,
)
from faust_badges.metrics import Metrics
from faust_badges.runtime import Runtime
from faust_badges.settings import Settings
from faust_badges.tables.config import LiveConfig
from faust_badges.tables.keyed import JsonTable
from faust_badges.tables.openbadges import OpenBadgesTable
from faust_badges.web.errors import json_errors

from ..agents.fakes import FakeTopic

TOKEN = "s3cret/token+1"
ME = "http://me.example:6066"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


class FakeWeb:
    """Faust's aiohttp response builders (they read nothing of the driver but each other)."""

    text = AiohttpWeb.text
    html = AiohttpWeb.html
    json = AiohttpWeb.json
    bytes = AiohttpWeb.bytes


class DictTable:
    """The calls ``JsonTable`` makes on a Faust table, over a dict."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.data: dict[bytes, bytes] = {}
        self.changelog_topic = SimpleNamespace(get_topic_name=lambda: f"app-{name}-changelog")

    def get(self, key: bytes) -> bytes | None:
        return self.data.get(key)

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.data[key] = value

    def items(self) -> list[tuple[bytes, bytes]]:
        return list(self.data.items())


@dataclass
class PeerAnswer:
    status: int
    body: bytes
    content_type: str = "application/json"

    async def json(self, content_type: str | None = None) -> Any:
        return json.loads(self.body)

    async def read(self) -> bytes:
        return self.body


@dataclass
class FakeHttpClient:
    """The other workers, as the app's HTTP client reaches them: a scripted answer per URL."""

    answers: dict[str, PeerAnswer] = field(default_factory=dict)
    asked: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    @asynccontextmanager
    async def get(self, url: str, headers: dict[str, str] | None = None) -> AsyncIterator[Any]:
        self.asked.append((url, dict(headers or {})))
        yield self.answers[url]


class FakeRouter:
    """Faust's router: which worker holds a key (``owners``), which serve a table (``hosts``)."""

    def __init__(self) -> None:
        self.owners: dict[tuple[str, str], URL] = {}
        self.hosts: dict[str, list[str]] = {}
        #: table -> host -> changelog topic -> partitions (Faust's HostToPartitionMap)
        self.partitions: dict[str, dict[str, dict[str, list[int]]]] = {}

    def key_store(self, table: str, key: str) -> URL:
        return self.owners[(table, key)]

    def table_metadata(self, table: str) -> dict[str, dict[str, list[int]]]:
        hosts: dict[str, dict[str, list[int]]] = {host: {} for host in self.hosts.get(table, [])}
        return {**hosts, **self.partitions.get(table, {})}


def _no_sensor(*args: Any, **kwargs: Any) -> None:
    return None


class FakeApp:
    """What the views' ``register_*`` functions touch on a Faust app."""

    def __init__(self) -> None:
        self.pages: dict[str, type[View]] = {}
        self.conf = SimpleNamespace(canonical_url=URL(ME))
        self.router = FakeRouter()
        self.http_client = FakeHttpClient()
        self.tables = SimpleNamespace(recovery=SimpleNamespace(completed=asyncio.Event()))
        self.rebalancing = False
        self.consumer = SimpleNamespace(assignment=set, highwater=lambda tp: None)
        self.sensors = SimpleNamespace(
            on_web_request_start=_no_sensor, on_web_request_end=_no_sensor
        )

    def page(self, path: str) -> Callable[[Any], type[View]]:
        def register(handler: Any) -> type[View]:  # as faust.App.page does
            view: type[View] = handler if isinstance(handler, type) else View.from_handler(handler)
            view.view_path = path
            self.pages[path] = view
            return view

        return register

    def table_route(self, table: Any, match_info: str) -> Callable[[Any], Any]:
        return lambda handler: handler  # this worker holds every key (Faust's SameNode)


def make_runtime(
    config: BadgeConfig | None = None, settings: Settings | None = None
) -> tuple[Runtime, FakeApp]:
    """A runtime of dict tables, the given config live, and the ops token ``TOKEN``."""
    app, metrics = FakeApp(), Metrics()
    live = LiveConfig(metrics)
    if config is not None:
        live.load(encode_config(config))
        assert live.index().config == config, "the test's config does not pass the config checks"
    runtime = SimpleNamespace(
        app=app,
        settings=settings or Settings(ops_token=TOKEN),
        metrics=metrics,
        live_config=live,
        learners=JsonTable(cast(TableT, DictTable("learners")), LEARNER_CODEC),
        progress=JsonTable(cast(TableT, DictTable("progress")), PROGRESS_CODEC),
        issued=JsonTable(cast(TableT, DictTable("issued")), ISSUED_CODEC),
        openbadges=OpenBadgesTable(DictTable("ob_credentials")),
        config_table=SimpleNamespace(changelog_topic=FakeTopic("config")),
        processed=ProcessedOffsets(),
        providers=None,
    )
    return cast(Runtime, runtime), app


@asynccontextmanager
async def serve(app: FakeApp) -> AsyncIterator[TestClient]:
    """The app's pages behind a local HTTP server, with the job's JSON error middleware."""
    server = aioweb.Application(middlewares=[json_errors])
    for path, view_class in app.pages.items():
        view = view_class(cast(Any, app), cast(Any, FakeWeb()))

        async def dispatch(request: aioweb.Request, view: View = view) -> Any:
            return await view(request)

        for method in view.get_methods():
            server.router.add_route(method, path, dispatch)
    async with TestClient(TestServer(server)) as client:
        yield client
