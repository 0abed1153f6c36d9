"""Who may see the ops views (every path but ``/health``): the bearer token, or, for a person in
a browser, the same token in a cookie set by the login form.

A POST authenticated by the cookie must also carry ``X-Requested-With: faust-badges``: a
cross-site form cannot set that header, so the cookie cannot be ridden (CSRF).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any
from urllib.parse import unquote

from faust import web

from faust_badges.settings import Settings

COOKIE = "badges_ops_token"
CSRF_HEADER = "X-Requested-With"
CSRF_VALUE = "faust-badges"


def token_is_right(given: str, settings: Settings) -> bool:
    if settings.ops_token is None or not given:
        return False
    # Constant-time comparison: the token is a secret. aiohttp decodes header bytes that are
    # not UTF-8 as lone surrogates, which a plain encode refuses (a 500 for a garbled header);
    # surrogatepass encodes them, as bytes no UTF-8 token has.
    given_bytes = given.encode("utf-8", "surrogatepass")
    return hmac.compare_digest(given_bytes, settings.ops_token.get_secret_value().encode())


def refuse(view: web.View, request: web.Request, settings: Settings) -> web.Response | None:
    """None when the request is authenticated; otherwise the JSON error response to send."""
    if settings.ops_token is None:
        return view.json(
            {"error": "ops views are disabled: set BADGES_OPS_TOKEN on the worker"}, status=403
        )
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer ") and token_is_right(header[len("Bearer ") :], settings):
        return None
    cookie = unquote(request.cookies.get(COOKIE, ""))
    if token_is_right(cookie, settings):
        if request.method != "GET" and request.headers.get(CSRF_HEADER) != CSRF_VALUE:
            return view.json(
                {
                    "error": f"a cookie-authenticated {request.method} needs "
                    f"the {CSRF_HEADER} header"
                },
                status=403,
            )
        return None
    return view.json({"error": "missing or wrong bearer token"}, status=401)


Handler = Callable[..., Awaitable[web.Response]]


def protected(settings: Settings) -> Callable[[Handler], Handler]:
    """Decorate a view function: refuse unauthenticated requests before doing anything else."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(view: web.View, request: web.Request, *args: Any, **kw: Any) -> Any:
            refused = refuse(view, request, settings)
            if refused is not None:
                return refused
            return await handler(view, request, *args, **kw)

        return guarded

    return decorate
