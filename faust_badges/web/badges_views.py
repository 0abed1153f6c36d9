"""Issued badges: ``GET /badges/badges/?state=`` (every worker's part, merged), ``GET
/badges/badges/{uuid}/`` and ``POST /badges/badges/{uuid}/retry/`` (served by the owner)."""

from __future__ import annotations

import asyncio
from typing import Any

from faust import web

from faust_badges.core.issuing import IssuedBadge, IssueState, NotInError, retry_command
from faust_badges.events.issuer_messages import command_record
from faust_badges.runtime import Runtime
from faust_badges.web.auth import protected
from faust_badges.web.peers import get_json, owner_url, peer_urls
from faust_badges.web.responses import error, issuing_json, not_a_uuid

ISSUED = "issued"
STATES = {str(state) for state in IssueState}


async def issuing_state(
    runtime: Runtime, badge_uuid: str, request: web.Request
) -> dict[str, Any] | None:
    """Where a badge stands at its provider, from this worker or from the one that owns it."""
    url = owner_url(runtime, ISSUED, badge_uuid)
    if url is None:
        return issuing_json(runtime.issued.get(badge_uuid))
    status, body = await get_json(runtime, url.with_path(f"/badges/badges/{badge_uuid}/"), request)
    if status != 200 or not isinstance(body, dict):
        return None
    badge: dict[str, Any] | None = body.get("badge")
    return badge


def _lookup(runtime: Runtime, view: web.View, badge_uuid: str) -> IssuedBadge | web.Response:
    """The badge's issued record, or the 400 / 404 answer that says why there is none."""
    if not_a_uuid(badge_uuid):
        return view.json(error("not a uuid", "uuid"), status=400)
    record = runtime.issued.get(badge_uuid)
    if record is None:
        return view.json(error("unknown badge"), status=404)
    return record


def register_badges_views(runtime: Runtime) -> None:
    app = runtime.app
    table = runtime.issued.table

    @app.page("/badges/badges/")
    @protected(runtime.settings)
    async def by_state(view: web.View, request: web.Request) -> web.Response:
        state = request.query.get("state")
        if state is not None and state not in STATES:
            return view.json(error(f"state must be one of {sorted(STATES)}", "state"), status=400)
        try:
            limit = int(request.query.get("limit", "500"))
        except ValueError:
            return view.json(error("limit must be a number", "limit"), status=400)
        records = _local(runtime, state)
        if request.query.get("local") != "1":
            records += await _from_peers(runtime, request)
        return view.json({"badges": newest_first(records, limit)})

    @app.page("/badges/badges/{badge_uuid}/")
    @protected(runtime.settings)
    @app.table_route(table=table, match_info="badge_uuid")
    async def one(view: web.View, request: web.Request, badge_uuid: str) -> web.Response:
        record = _lookup(runtime, view, badge_uuid)
        if not isinstance(record, IssuedBadge):  # (Faust's Response is not aiohttp's class)
            return record
        return view.json({"badge": issuing_json(record, with_user=True)})

    @protected(runtime.settings)
    @app.table_route(table=table, match_info="badge_uuid")
    async def retry(view: web.View, request: web.Request, badge_uuid: str) -> web.Response:
        record = _lookup(runtime, view, badge_uuid)
        if not isinstance(record, IssuedBadge):  # (Faust's Response is not aiohttp's class)
            return record
        try:
            command = retry_command(record)
        except NotInError as exc:
            return view.json(error(f"the badge is {exc.state}, not error"), status=409)
        key, value = command_record(command)
        await runtime.topics.issuer_commands[record.provider].send(key=key, value=value)
        return view.json({"queued": True, "badge_uuid": badge_uuid}, status=202)

    @app.page("/badges/badges/{badge_uuid}/retry/")
    class Retry(web.View):
        post = retry


def newest_first(records: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """One answer per badge, the most recently updated first, at most ``limit``: standby copies
    of a partition may answer too, and the newest copy wins."""
    newest: dict[str, dict[str, Any]] = {}
    for record in records:
        kept = newest.get(record["badge_uuid"])
        if kept is None or (record["updated_at"] or "") > (kept["updated_at"] or ""):
            newest[record["badge_uuid"]] = record
    ordered = sorted(newest.values(), key=lambda r: r["updated_at"] or "", reverse=True)
    return ordered[: max(0, limit)]


def _local(runtime: Runtime, state: str | None) -> list[dict[str, Any]]:
    return [
        issuing_json(record, with_user=True) or {}
        for _, record in runtime.issued.items()
        if state is None or record.state == state
    ]


async def _from_peers(runtime: Runtime, request: web.Request) -> list[dict[str, Any]]:
    others, _ = peer_urls(runtime, ISSUED)
    query = {**request.query, "local": "1"}
    answers = await asyncio.gather(
        *(
            get_json(runtime, url.with_path("/badges/badges/").with_query(query), request)
            for url in others
        ),
        return_exceptions=True,
    )
    records: list[dict[str, Any]] = []
    for answer in answers:
        if isinstance(answer, tuple) and answer[0] == 200 and isinstance(answer[1], dict):
            records += answer[1].get("badges", [])
    return records
