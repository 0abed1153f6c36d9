"""The JSON error middleware: aiohttp's own errors and an exception a view let out are JSON,
and a 500 says nothing of the request."""

from __future__ import annotations

import json
import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from faust_badges.web.errors import json_errors


async def answer(handler: object) -> web.Response:
    response = await json_errors(make_mocked_request("GET", "/badges/learners/ada/"), handler)  # type: ignore[arg-type]
    assert isinstance(response, web.Response)
    return response


def body(response: web.Response) -> object:
    assert response.text is not None
    return json.loads(response.text)


async def test_a_not_found_is_a_json_404() -> None:
    async def missing(request: web.Request) -> web.StreamResponse:
        raise web.HTTPNotFound()

    response = await answer(missing)

    assert response.status == 404 and body(response) == {"error": "Not Found"}


async def test_a_wrong_method_is_a_json_405_that_keeps_allow() -> None:
    async def wrong_method(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMethodNotAllowed("DELETE", ["GET", "POST"])

    response = await answer(wrong_method)

    assert response.status == 405 and response.headers["Allow"] == "GET,POST"


async def test_an_exception_is_a_json_500_naming_no_input(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(request: web.Request) -> web.StreamResponse:
        raise RuntimeError("learner ada@example.org broke it")

    with caplog.at_level(logging.ERROR):
        response = await answer(broken)

    assert response.status == 500 and body(response) == {"error": "internal error"}
    assert "ada@example.org" not in caplog.text and "RuntimeError" in caplog.text


async def test_a_redirect_passes_through() -> None:
    async def moved(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/badges/")

    with pytest.raises(web.HTTPFound):
        await answer(moved)


async def test_a_good_answer_is_left_as_it_is() -> None:
    async def fine(request: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": True})

    assert body(await answer(fine)) == {"ok": True}
