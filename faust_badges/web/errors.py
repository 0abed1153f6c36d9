"""JSON for the errors no view writes: aiohttp's own answers (no such path: 404, a method the
route does not take: 405, a body past the size limit: 413) and an exception a view let out (500).
Without this they are plain text, while every view answers its own errors in JSON.

(A request the HTTP parser refuses, such as a request line past 8 KiB, is answered before any
handler runs, in aiohttp's plain text.)
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from faust_badges.logs import log_kv

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise  # a redirect, not an error
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return web.json_response({"error": exc.reason}, status=exc.status, headers=headers)
    except Exception as exc:
        # The route, not the path: a path may hold a learner's username.
        route = request.match_info.route.resource
        where = route.canonical if route is not None else "?"
        log_kv(logger, logging.ERROR, "web_error", route=where, error=type(exc).__name__)
        logger.debug("web_error traceback", exc_info=True)  # its messages may quote input
        return web.json_response({"error": "internal error"}, status=500)
