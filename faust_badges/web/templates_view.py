"""``GET /badges/templates/``: the configured templates, requirements and penalties."""

from __future__ import annotations

from faust import web

from faust_badges.runtime import Runtime
from faust_badges.web.auth import protected
from faust_badges.web.responses import template_json


def register_templates_view(runtime: Runtime) -> None:
    @runtime.app.page("/badges/templates/")
    @protected(runtime.settings)
    async def templates(view: web.View, request: web.Request) -> web.Response:
        index = runtime.live_config.index()
        return view.json(
            {
                "revision": index.revision,
                "templates": [template_json(plan) for plan in index.templates.values()],
            }
        )
