"""``GET /badges/``: the dashboard for a person; ``POST /badges/login`` lets a browser in (the
ops token typed once is kept in an HttpOnly cookie for the ops views) and ``POST
/badges/logout`` forgets it.

Without a token the dashboard answers 401 with the login form (a browser cannot send a bearer
header when it opens a page); the page itself is static, its data comes from the JSON views.
"""

from __future__ import annotations

from importlib import resources
from urllib.parse import quote

from aiohttp.http_exceptions import BadHttpMessage
from faust import web

from faust_badges.runtime import Runtime
from faust_badges.web.auth import COOKIE, refuse, token_is_right
from faust_badges.web.responses import error

LOGIN_FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>faust-badges — sign in</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;color:#1f2933}}
input,button{{font-size:1rem;padding:.4rem}} .error{{color:#b42318}}</style></head>
<body><h1>faust-badges</h1><p>Sign in with the ops token of this deployment
(<code>BADGES_OPS_TOKEN</code>).</p>{message}
<form method="post" action="/badges/login"><label for="token">Ops token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button id="sign-in" type="submit">Sign in</button></form></body></html>"""


def _dashboard_html() -> str:
    return (resources.files("faust_badges.web") / "static" / "dashboard.html").read_text("utf-8")


def register_dashboard(runtime: Runtime) -> None:
    app, settings = runtime.app, runtime.settings

    @app.page("/badges/")
    async def dashboard(view: web.View, request: web.Request) -> web.Response:
        if refuse(view, request, settings) is not None:
            return view.html(LOGIN_FORM.format(message=""), status=401)
        return view.html(_dashboard_html())

    @app.page("/badges/login")
    class Login(web.View):
        async def post(self, request: web.Request) -> web.Response:
            try:
                form = await request.post()
            # A body that is no form (e.g. multipart without its boundary, a line past 8 KiB, or
            # not in its charset): no browser sends one.
            except (ValueError, BadHttpMessage):
                return self.json(error("the body is not a form"), status=400)
            token = str(form.get("token", ""))
            if settings.ops_token is None:  # no token can be right: say why
                message = (
                    '<p class="error">The ops views are disabled: set BADGES_OPS_TOKEN on the '
                    "worker.</p>"
                )
                return self.html(LOGIN_FORM.format(message=message), status=403)
            if not token_is_right(token, settings):
                message = '<p class="error">That token is not right.</p>'
                return self.html(LOGIN_FORM.format(message=message), status=401)
            # Percent-encoded: a cookie value cannot hold every character a token may have.
            cookie = _cookie(quote(token, safe=""), request)
            return self.text("", status=303, headers={"Location": "/badges/", "Set-Cookie": cookie})

    @app.page("/badges/logout")
    class Logout(web.View):
        # No token needed: forgetting one's own cookie harms nobody.
        async def post(self, request: web.Request) -> web.Response:
            cookie = _cookie("", request) + "; Max-Age=0"
            return self.text("", status=303, headers={"Location": "/badges/", "Set-Cookie": cookie})


def _cookie(value: str, request: web.Request) -> str:
    """The session cookie; ``Secure`` when the browser came over HTTPS (here or at a proxy)."""
    cookie = f"{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/badges"
    if request.url.scheme == "https" or request.headers.get("X-Forwarded-Proto") == "https":
        cookie += "; Secure"
    return cookie
