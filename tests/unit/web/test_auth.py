"""Who may see the ops views: the bearer token, or the login cookie (with the CSRF header on
anything but a GET); everyone else is refused before a view runs."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast
from urllib.parse import quote

import pytest
from faust import web

from faust_badges.settings import Settings
from faust_badges.web.auth import COOKIE, CSRF_HEADER, CSRF_VALUE, refuse, token_is_right

TOKEN = "s3cret/token+1"
SETTINGS = Settings(ops_token=TOKEN)


class FakeView:
    def json(self, body: Any, status: int = 200) -> Any:
        return (status, body)


def request(
    method: str = "GET", headers: dict[str, str] | None = None, cookie: str | None = None
) -> web.Request:
    cookies = {COOKIE: cookie} if cookie is not None else {}
    return cast(web.Request, SimpleNamespace(method=method, headers=headers or {}, cookies=cookies))


def status_of(answer: Any) -> int | None:
    return None if answer is None else answer[0]


def check(req: web.Request, settings: Settings = SETTINGS) -> int | None:
    return status_of(refuse(cast(web.View, FakeView()), req, settings))


def test_the_bearer_token_lets_a_request_in() -> None:
    assert check(request(headers={"Authorization": f"Bearer {TOKEN}"})) is None
    assert check(request("POST", headers={"Authorization": f"Bearer {TOKEN}"})) is None


@pytest.mark.parametrize(
    "authorization", ["", f"Bearer {TOKEN}x", f"bearer {TOKEN}", TOKEN, "Bearer "]
)
def test_a_missing_or_wrong_token_is_a_401(authorization: str) -> None:
    assert check(request(headers={"Authorization": authorization})) == 401


def test_the_cookie_lets_a_get_in_but_a_post_needs_the_csrf_header() -> None:
    cookie = quote(TOKEN, safe="")
    assert check(request(cookie=cookie)) is None
    assert check(request("POST", cookie=cookie)) == 403
    assert check(request("POST", headers={CSRF_HEADER: CSRF_VALUE}, cookie=cookie)) is None
    assert check(request("POST", headers={CSRF_HEADER: "other"}, cookie=cookie)) == 403


def test_a_wrong_cookie_is_a_401() -> None:
    assert check(request(cookie="nope")) == 401


def test_without_a_configured_token_the_views_are_disabled() -> None:
    assert check(request(headers={"Authorization": "Bearer "}), Settings()) == 403


def test_a_header_that_is_not_utf8_is_refused_not_an_error() -> None:
    assert not token_is_right("\udcff" + TOKEN, SETTINGS)
    assert not token_is_right("", SETTINGS)
