"""``GET /badges/`` (the dashboard, or the login form without a token), ``POST /badges/login``
(the token into an HttpOnly cookie) and ``POST /badges/logout``."""

from __future__ import annotations

from http.cookies import SimpleCookie
from importlib import resources
from urllib.parse import unquote

import pytest

from faust_badges.settings import Settings
from faust_badges.web.auth import COOKIE
from faust_badges.web.dashboard import register_dashboard

from .fakes import BEARER, TOKEN, FakeApp, make_runtime, serve

DASHBOARD = (resources.files("faust_badges.web") / "static" / "dashboard.html").read_text("utf-8")
LOGIN_FORM = '<form method="post" action="/badges/login">'
NOT_RIGHT = "That token is not right."


def dashboard_app(settings: Settings | None = None) -> FakeApp:
    runtime, app = make_runtime(settings=settings)
    register_dashboard(runtime)
    return app


def session_cookie(set_cookie: str) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(set_cookie)
    return cookie


async def test_with_the_token_the_dashboard_page_is_served() -> None:
    async with serve(dashboard_app()) as client:
        response = await client.get("/badges/", headers=BEARER)
        text = await response.text()

    assert response.status == 200 and response.content_type == "text/html"
    assert text == DASHBOARD


@pytest.mark.parametrize("settings", [None, Settings()], ids=["wrong-token", "no-ops-token"])
async def test_without_the_token_the_login_form_is_a_401(settings: Settings | None) -> None:
    async with serve(dashboard_app(settings)) as client:
        response = await client.get("/badges/", headers={"Authorization": "Bearer nope"})
        text = await response.text()

    assert response.status == 401 and response.content_type == "text/html"
    assert LOGIN_FORM in text and NOT_RIGHT not in text and text != DASHBOARD


async def test_signing_in_sets_an_httponly_cookie_that_lets_the_browser_in() -> None:
    token = "s3cret/token+1; with=odd chars"
    async with serve(dashboard_app(Settings(ops_token=token))) as client:
        response = await client.post("/badges/login", data={"token": token}, allow_redirects=False)
        set_cookie = response.headers["Set-Cookie"]
        morsel = session_cookie(set_cookie)[COOKIE]
        page = await client.get("/badges/")  # the cookie sent back, as a browser does
        page_text = await page.text()

    assert (response.status, response.headers["Location"]) == (303, "/badges/")
    assert unquote(morsel.value) == token
    assert morsel["httponly"] and morsel["samesite"] == "Strict" and morsel["path"] == "/badges"
    assert not morsel["secure"]  # plain HTTP: a Secure cookie would never come back
    assert page.status == 200 and page_text == DASHBOARD


@pytest.mark.parametrize("form", [{"token": "wrong"}, {"token": ""}, {}])
async def test_a_wrong_token_shows_the_form_again_with_an_error(form: dict[str, str]) -> None:
    async with serve(dashboard_app()) as client:
        response = await client.post("/badges/login", data=form, allow_redirects=False)
        text = await response.text()

    assert response.status == 401 and "Set-Cookie" not in response.headers
    assert NOT_RIGHT in text and LOGIN_FORM in text


async def test_behind_a_tls_proxy_the_cookie_is_secure() -> None:
    async with serve(dashboard_app()) as client:
        response = await client.post(
            "/badges/login",
            data={"token": TOKEN},
            headers={"X-Forwarded-Proto": "https"},
            allow_redirects=False,
        )

    assert response.status == 303
    assert session_cookie(response.headers["Set-Cookie"])[COOKIE]["secure"]


async def test_a_body_that_is_no_form_is_a_json_400() -> None:
    async with serve(dashboard_app()) as client:
        response = await client.post(
            "/badges/login",
            data=b"--x\r\n",
            headers={"Content-Type": "multipart/form-data"},  # no boundary
            allow_redirects=False,
        )
        body = await response.json()

    assert (response.status, body) == (400, {"error": "the body is not a form"})


async def test_signing_out_expires_the_cookie_without_a_token() -> None:
    async with serve(dashboard_app()) as client:
        response = await client.post("/badges/logout", allow_redirects=False)

    assert (response.status, response.headers["Location"]) == (303, "/badges/")
    set_cookie = response.headers["Set-Cookie"]
    assert set_cookie.startswith(f"{COOKIE}=;") and "Max-Age=0" in set_cookie
    assert session_cookie(set_cookie)[COOKIE]["path"] == "/badges"


async def test_signing_in_on_a_worker_without_an_ops_token_says_why() -> None:
    async with serve(dashboard_app(Settings())) as client:
        response = await client.post("/badges/login", data={"token": "x"}, allow_redirects=False)
        page = await response.text()
    assert response.status == 403
    assert "BADGES_OPS_TOKEN" in page and "not right" not in page
    assert "Set-Cookie" not in response.headers
