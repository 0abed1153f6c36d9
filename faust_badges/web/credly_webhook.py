"""``POST /badges/credly/webhook/``: Credly's badge template events keep the config in step.

Credly does not sign its webhooks: the event is trusted only once Credly itself returns it for
the organization named in it (the reference system's approach). The ops token is not asked for,
since Credly cannot send it; an unknown organization is a 404, a bad body a 400.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from faust import web

from faust_badges.core.config_checks import InvalidConfig, parse_config
from faust_badges.core.sync import remove_credly_template, sync_credly_templates
from faust_badges.events.state_codecs import CONFIG_KEY, encode_config
from faust_badges.logs import log_kv
from faust_badges.providers.base import ProviderError
from faust_badges.runtime import Runtime

logger = logging.getLogger(__name__)

HANDLED = ("badge_template.created", "badge_template.changed", "badge_template.deleted")


def register_credly_webhook(runtime: Runtime) -> None:
    app = runtime.app

    @app.page("/badges/credly/webhook/")
    class CredlyWebhook(web.View):
        async def post(self, request: web.Request) -> web.Response:
            return await handle_credly_webhook(self, request, runtime)


async def handle_credly_webhook(
    view: web.View, request: web.Request, runtime: Runtime
) -> web.Response:
    try:
        body = json.loads(await request.read())
    except (ValueError, RecursionError):  # RecursionError: nested past Python's limit
        return view.json({"error": "the body is not JSON"}, status=400)
    given = body if isinstance(body, dict) else {}
    event_id, organization, event_type = (
        given.get(name) for name in ("id", "organization_id", "event_type")
    )
    if not (isinstance(event_id, str) and isinstance(organization, str)):
        return view.json({"error": "id and organization_id are required strings"}, status=400)
    if event_type not in HANDLED:
        return view.json({"error": f"unsupported event_type {event_type!r}"}, status=400)
    config = runtime.live_config.index().config
    if organization not in {o.id for o in config.providers.credly.organizations}:
        return view.json({"error": "unknown organization"}, status=404)
    try:
        event = await runtime.providers.credly(organization, config).event(event_id)
    except ProviderError as exc:
        if exc.transient:  # Credly retries its webhooks: ask it to
            return view.json({"error": "Credly could not be reached"}, status=503)
        return view.json({"error": "Credly does not know this event"}, status=403)
    # The body is not signed: what it says happened must be what Credly says (a changed event
    # posted again as "deleted" would otherwise deactivate a live template). Credly's answer
    # names the type; when it does not, the body's stands, as in the reference system.
    if event.get("event_type", event_type) != event_type:
        return view.json({"error": "the event_type is not Credly's for this event"}, status=403)
    template = event.get("badge_template")
    if not isinstance(template, dict) or not isinstance(template.get("id"), str):
        return view.json({"error": "the event carries no badge template"}, status=422)
    problem = _template_problem(template)
    if problem is not None:
        return view.json({"error": f"Credly's badge template {problem}"}, status=422)
    owner = (template.get("owner") or {}).get("id")
    if owner not in (None, organization):
        return view.json({"error": "the template belongs to another organization"}, status=403)
    if event_type == "badge_template.deleted":
        updated, summary = remove_credly_template(config, organization, template["id"])
    else:
        updated, summary = sync_credly_templates(config, organization, [template])
    if updated != config and not await _publish(runtime, updated.model_dump(mode="json")):
        return view.json({"error": "the updated config is not valid; nothing changed"}, status=422)
    log_kv(
        logger,
        logging.INFO,
        "credly_webhook",
        event_type=event_type,
        template=template["id"],
        result=str(summary),
    )
    return view.json({"result": str(summary)}, status=200)


def _template_problem(template: dict[str, Any]) -> str | None:
    """What makes Credly's template unusable here (None: nothing). Checked before the sync, so
    that odd data is a clear 422 and not a crash halfway."""
    if not isinstance(template.get("owner") or {}, dict):
        return "has an owner that is not an object"
    for name in ("name", "description", "image_url", "state"):
        if not isinstance(template.get(name) or "", str):
            return f"has a {name} that is not a string"
    return None


async def _publish(runtime: Runtime, document: dict[str, Any]) -> bool:
    """Publish the updated config; False when it does not validate (the current one stays)."""
    try:
        config = parse_config(document)
    except InvalidConfig as exc:  # would not load on any worker: keep the current one
        log_kv(logger, logging.ERROR, "credly_webhook_rejected", error=str(exc).splitlines()[0])
        return False
    await runtime.config_table.changelog_topic.send(key=CONFIG_KEY, value=encode_config(config))
    return True
