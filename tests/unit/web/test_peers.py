"""Which worker answers for a key or a table, and what is forwarded to it: the caller's
credentials (so the peer checks them itself), nothing else of the request."""

from __future__ import annotations

from typing import cast

import pytest
from aiohttp.test_utils import make_mocked_request
from faust import web
from yarl import URL

from faust_badges.web.peers import get_json, owner_url, peer_urls

from .fakes import ME, PeerAnswer, make_runtime

PEER = "http://peer.example:6066"


def mocked_request(method: str, path: str, headers: dict[str, str] | None = None) -> web.Request:
    return cast(web.Request, make_mocked_request(method, path, headers=headers))


def test_a_key_held_by_another_worker_is_asked_of_it() -> None:
    runtime, app = make_runtime()
    app.router.owners[("issued", "b1")] = URL(f"{PEER}/")

    assert owner_url(runtime, "issued", "b1") == URL(f"{PEER}/")


@pytest.mark.parametrize(
    "owner", [ME, f"{ME}/", "http://me.example:6066/some/path", "https://me.example:6066"]
)
def test_a_key_held_here_is_answered_here(owner: str) -> None:
    runtime, app = make_runtime()
    app.router.owners[("issued", "b1")] = URL(owner)

    assert owner_url(runtime, "issued", "b1") is None


def test_a_key_whose_worker_is_not_known_is_answered_here() -> None:
    runtime, _ = make_runtime()
    assert owner_url(runtime, "issued", "b1") is None


def test_another_port_on_the_same_host_is_another_worker() -> None:
    runtime, app = make_runtime()
    app.router.owners[("issued", "b1")] = URL("http://me.example:6067")

    assert owner_url(runtime, "issued", "b1") == URL("http://me.example:6067")


@pytest.mark.parametrize(
    ("hosts", "others", "mine"),
    [
        ([ME, PEER], [PEER], True),
        ([PEER, "http://third.example:6066"], [PEER, "http://third.example:6066"], False),
        ([ME], [], True),
        ([], [], True),  # nothing assigned yet: this worker answers from what it holds
    ],
    ids=["shared", "none-here", "all-here", "unassigned"],
)
def test_the_other_workers_of_a_table(hosts: list[str], others: list[str], mine: bool) -> None:
    runtime, app = make_runtime()
    app.router.hosts["issued"] = hosts

    assert peer_urls(runtime, "issued") == ([URL(u) for u in others], mine)


async def test_a_peer_is_asked_with_the_callers_credentials_only() -> None:
    runtime, app = make_runtime()
    url = URL(f"{PEER}/badges/badges/?local=1")
    app.http_client.answers[str(url)] = PeerAnswer(200, b'{"badges": []}')
    request = mocked_request(
        "GET",
        "/badges/badges/",
        headers={
            "Authorization": "Bearer t",
            "Cookie": "badges_ops_token=t",
            "X-Requested-With": "faust-badges",
            "X-Forwarded-For": "10.0.0.1",
            "Accept-Language": "fr",
        },
    )

    answer = await get_json(runtime, url, request)

    assert answer == (200, {"badges": []})
    assert app.http_client.asked == [
        (
            str(url),
            {
                "Authorization": "Bearer t",
                "Cookie": "badges_ops_token=t",
                "X-Requested-With": "faust-badges",
            },
        )
    ]


async def test_a_peer_answer_that_is_not_json_has_no_body() -> None:
    runtime, app = make_runtime()
    url = URL(f"{PEER}/badges/badges/")
    app.http_client.answers[str(url)] = PeerAnswer(502, b"<html>Bad Gateway</html>", "text/html")

    assert await get_json(runtime, url, mocked_request("GET", "/")) == (502, None)
