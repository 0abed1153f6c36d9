"""Asking the worker that owns a key (or every worker) for its part of an answer.

Tables are partitioned across workers; Faust knows from its partition assignment which worker
serves which partition, and each worker serves its own part of a view.
"""

from __future__ import annotations

from typing import Any

from faust import web
from yarl import URL

from faust_badges.runtime import Runtime

_FORWARDED = ("Authorization", "Cookie", "X-Requested-With")


def owner_url(runtime: Runtime, table: str, key: str) -> URL | None:
    """The web URL of the worker holding ``key``; None when it is this worker (or unknown)."""
    app = runtime.app
    try:
        url = app.router.key_store(table, key)
    except KeyError:
        return None
    return None if _same(url, URL(str(app.conf.canonical_url))) else url


def peer_urls(runtime: Runtime, table: str) -> tuple[list[URL], bool]:
    """The other workers' URLs for a table's partitions, and whether this worker has some."""
    app = runtime.app
    me = URL(str(app.conf.canonical_url))
    hosts = [URL(str(url)) for url in app.router.table_metadata(table)]
    others = [url for url in hosts if not _same(url, me)]
    return others, len(others) < len(hosts) or not hosts


async def get_json(runtime: Runtime, url: URL, request: web.Request) -> tuple[int, Any]:
    """GET ``url`` from a peer with the caller's credentials; (status, JSON body or None)."""
    headers = {name: request.headers[name] for name in _FORWARDED if name in request.headers}
    async with runtime.app.http_client.get(str(url), headers=headers) as response:
        try:
            body = await response.json(content_type=None)
        except ValueError:
            body = None
        return response.status, body


def _same(a: URL, b: URL) -> bool:
    return (a.host, a.port) == (b.host, b.port)
