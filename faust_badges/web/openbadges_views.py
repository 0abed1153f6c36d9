"""The public Open Badges views (no token: verifiers and learners read them by design).

``GET /ob/issuer`` the issuer profile and its public key; ``GET /ob/credentials/{uuid}`` a
badge's signed credential, byte for byte as stored; ``GET /ob/status/{list}`` a signed status
list; ``GET /ob/achievements/{template}`` an achievement; ``GET /ob/badges/{uuid}`` the badge's
page for people. Credentials and lists are served by the worker owning their partition (others
forward the request); no view shows an email, and the page shows a name only when configured.
"""

from __future__ import annotations

import json
import re

from faust import web
from yarl import URL

from faust_badges.core.config import OpenBadgesProvider
from faust_badges.openbadges.credential import issuer_document
from faust_badges.openbadges.jsonld import CREDENTIALS_V2, OB_V3P0
from faust_badges.openbadges.keys import SigningKeyError, load_signing_key
from faust_badges.providers.openbadges import achievement_of, credential_url, issuer_of
from faust_badges.runtime import Runtime
from faust_badges.web.badge_page import badge_page
from faust_badges.web.responses import error, not_a_uuid

JSON_LD = "application/ld+json"
_LIST_ID = re.compile(r"^(\d{1,6})-(\d{1,6})$")
#: Set on a request one worker forwards to another, which then answers from what it holds.
FORWARDED = "X-Badges-Forwarded"


def _settings(runtime: Runtime) -> OpenBadgesProvider | None:
    return runtime.live_config.index().config.providers.openbadges


def _not_configured(view: web.View) -> web.Response:
    return view.json(error("Open Badges issuing is not configured"), status=404)


def _document(view: web.View, text: str | bytes) -> web.Response:
    body = text.encode() if isinstance(text, str) else text
    headers = {"Access-Control-Allow-Origin": "*"}  # verifiers in browsers read these
    return view.bytes(body, content_type=JSON_LD, headers=headers)


def register_openbadges_views(runtime: Runtime) -> None:
    app, store = runtime.app, runtime.openbadges

    @app.page("/ob/issuer")
    async def issuer(view: web.View, request: web.Request) -> web.Response:
        settings = _settings(runtime)
        if settings is None:
            return _not_configured(view)
        try:
            key = load_signing_key(env_var=settings.signing_key_env, file=settings.signing_key_file)
        except SigningKeyError as exc:  # names where the key was looked for, never the key
            return view.json(error(str(exc)), status=503)
        document = issuer_document(issuer_of(settings), key)
        return _document(view, json.dumps(document, separators=(",", ":")))

    @app.page("/ob/achievements/{template_id}")
    async def achievement(view: web.View, request: web.Request, template_id: str) -> web.Response:
        settings = _settings(runtime)
        if settings is None:
            return _not_configured(view)
        plan = runtime.live_config.index().templates.get(template_id)
        if plan is None or plan.template.issuer.provider != "openbadges":
            return view.json(error("unknown achievement"), status=404)
        body = {
            "@context": [CREDENTIALS_V2, OB_V3P0],
            **achievement_of(settings, plan.template).as_json(),
        }
        return _document(view, json.dumps(body, separators=(",", ":")))

    @app.page("/ob/credentials/{badge_uuid}")
    @app.table_route(table=store.table, match_info="badge_uuid")
    async def credential(view: web.View, request: web.Request, badge_uuid: str) -> web.Response:
        if not_a_uuid(badge_uuid):
            return view.json(error("not a uuid", "uuid"), status=400)
        stored = store.credential(badge_uuid)
        if stored is None:
            return view.json(error("unknown credential"), status=404)
        return _document(view, stored.credential)

    @app.page("/ob/status/{list_id}")
    async def status_list(view: web.View, request: web.Request, list_id: str) -> web.Response:
        match = _LIST_ID.match(list_id)
        if match is None or int(match.group(1)) >= runtime.settings.topic_partitions:
            return view.json(error("unknown status list", "list"), status=404)
        forwarded = await _from_partition_owner(runtime, view, request, int(match.group(1)))
        if forwarded is not None:
            return forwarded
        found = store.status_list(list_id)
        if found is None:
            return view.json(error("unknown status list", "list"), status=404)
        return _document(view, found.credential)

    @app.page("/ob/badges/{badge_uuid}")
    @app.table_route(table=store.table, match_info="badge_uuid")
    async def page(view: web.View, request: web.Request, badge_uuid: str) -> web.Response:
        settings = _settings(runtime)
        if settings is None:
            return _not_configured(view)
        if not_a_uuid(badge_uuid):
            return view.json(error("not a uuid", "uuid"), status=400)
        stored = store.credential(badge_uuid)
        if stored is None:  # JSON, as every error of the job's views
            return view.json(error("unknown badge"), status=404)
        name = None
        if settings.show_recipient_name:
            record = runtime.issued.get(badge_uuid)  # same key, same partition, same worker
            name = record.recipient.name if record is not None else None
        return view.html(
            badge_page(
                json.loads(stored.credential),
                revoked_at=stored.revoked_at,
                recipient_name=name,
                credential_url=credential_url(settings, badge_uuid),
            )
        )


async def _from_partition_owner(
    runtime: Runtime, view: web.View, request: web.Request, partition: int
) -> web.Response | None:
    """The answer of the worker that owns ``partition`` of the table, or None when that is this
    worker (or the request was forwarded already, or the owner is not known yet).

    Faust's router finds a key's worker by hashing the key; a status list belongs to a partition
    (the one whose badges it covers), so its worker is the one the router's table metadata
    lists for that changelog partition."""
    app = runtime.app
    if request.headers.get(FORWARDED):
        return None
    table = runtime.openbadges.table
    changelog = table.changelog_topic.get_topic_name()
    owner = next(
        (
            host
            for host, partitions in app.router.table_metadata(table.name).items()
            if partition in partitions.get(changelog, ())
        ),
        None,
    )
    if owner is None:
        return None
    target, me = URL(str(owner)), URL(str(app.conf.canonical_url))
    if (target.host, target.port) == (me.host, me.port):
        return None
    routed = request.url.with_host(target.host or "").with_port(target.port)
    async with app.http_client.get(str(routed), headers={FORWARDED: "1"}) as response:
        body = await response.read()
        if response.status != 200:
            return view.bytes(body, content_type=response.content_type, status=response.status)
        return _document(view, body)
