"""Bearer-token check of the ops views (every path but ``/health``)."""

from __future__ import annotations

import hmac

from faust import web

from faust_badges.settings import Settings


def refuse(view: web.View, request: web.Request, settings: Settings) -> web.Response | None:
    """None when the request carries the ops token; otherwise the JSON error response to send."""
    if settings.ops_token is None:
        return view.json(
            {"error": "ops views are disabled: set BADGES_OPS_TOKEN on the worker"}, status=403
        )
    expected = f"Bearer {settings.ops_token.get_secret_value()}"
    given = request.headers.get("Authorization", "")
    # Constant-time comparison: the token is a secret.
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return view.json({"error": "missing or wrong bearer token"}, status=401)
    return None
