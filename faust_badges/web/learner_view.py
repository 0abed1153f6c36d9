"""``GET /badges/learners/{username}/``: a learner, their progress per template and their
badges with the issuing state — the one view that shows learner PII. Served by the worker that
owns the learner's partition (Faust routes the request there)."""

from __future__ import annotations

import asyncio

from faust import web

from faust_badges.runtime import Runtime
from faust_badges.web.auth import protected
from faust_badges.web.badges_views import issuing_state
from faust_badges.web.responses import error, learner_json


def register_learner_view(runtime: Runtime) -> None:
    app = runtime.app

    @app.page("/badges/learners/{username}/")
    @protected(runtime.settings)
    @app.table_route(table=runtime.progress.table, match_info="username")
    async def learner(view: web.View, request: web.Request, username: str) -> web.Response:
        if not 0 < len(username) <= 255:
            return view.json(error("a username has 1 to 255 characters", "username"), status=400)
        progress = runtime.progress.get(username)
        record = progress.learner if progress is not None else None
        if record is None:  # a learner last seen before the record moved into ``progress``
            record = runtime.learners.get(username)
        if record is None and progress is None:
            return view.json(error("unknown learner"), status=404)
        badges = list(progress.badges.values()) if progress else []
        found = await asyncio.gather(*(issuing_state(runtime, b.uuid, request) for b in badges))
        issuing = {b.uuid: state for b, state in zip(badges, found, strict=True)}
        return view.json(learner_json(record, progress, runtime.live_config.index(), issuing))
