"""``GET /badges/learners/{username}/``: the one view with learner PII, only with the ops token;
a learner's progress per template and where each of their badges stands at its provider (asked
of the worker that holds the badge when that is another one)."""

from __future__ import annotations

import json
import logging

import pytest
from yarl import URL

from faust_badges.core.issuing import IssuedBadge, IssueState, Recipient, Wanted
from faust_badges.core.learner import LearnerRecord
from faust_badges.core.progress import (
    Badge,
    BadgeStatus,
    Fulfilment,
    LearnerProgress,
    TemplateProgress,
)
from faust_badges.runtime import Runtime
from faust_badges.web.auth import COOKIE
from faust_badges.web.learner_view import register_learner_view

from ..core.builders import T0, course, make_config, minutes, requirement, template
from .fakes import BEARER, TOKEN, FakeApp, PeerAnswer, make_runtime, serve

BADGE = "0b7f2a6e-6b1f-4c1e-9a57-3f1f1d2b7c01"
EMAIL = "ada@example.org"
CONFIG = make_config(
    template("python", [requirement("p101", course("p101"))]),
    template("rust", [requirement("r101", course("r101"))]),
)
ADA = LearnerRecord("ada", 7, EMAIL, "Ada Lovelace", True, T0)


def ada_progress(learner: LearnerRecord | None = ADA) -> LearnerProgress:
    return LearnerProgress(
        "ada",
        templates={"python": TemplateProgress({"p101": Fulfilment("e1", minutes(1), minutes(2))})},
        badges={"python": Badge(BADGE, "python", BadgeStatus.AWARDED, minutes(1), "e1")},
        learner=learner,
    )


def issued(state: IssueState) -> IssuedBadge:
    recipient = Recipient("ada", 7, EMAIL, "Ada Lovelace", minutes(1))
    return IssuedBadge(BADGE, "python", "credly", recipient, Wanted.ISSUED, state, attempts=1)


def with_ada() -> tuple[Runtime, FakeApp]:
    runtime, app = make_runtime(CONFIG)
    runtime.progress.put("ada", ada_progress())
    runtime.issued.put(BADGE, issued(IssueState.PENDING))
    register_learner_view(runtime)
    return runtime, app


async def test_a_learner_is_shown_with_progress_badge_and_issuing_state(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, app = with_ada()

    with caplog.at_level(logging.DEBUG):
        async with serve(app) as client:
            response = await client.get("/badges/learners/ada/", headers=BEARER)
            body = await response.json()

    assert response.status == 200
    assert body["learner"]["email"] == EMAIL and body["learner"]["user_id"] == 7
    python, rust = body["templates"]
    assert (python["id"], python["ratio"], rust["id"], rust["ratio"]) == (
        "python",
        1.0,
        "rust",
        0.0,
    )
    assert python["badge"]["uuid"] == BADGE and python["badge"]["status"] == "awarded"
    assert python["badge"]["issuing"]["state"] == "pending"
    assert "email" not in python["badge"]["issuing"]
    assert EMAIL not in caplog.text and "Ada Lovelace" not in caplog.text


async def test_the_issuing_state_of_a_badge_held_elsewhere_is_asked_of_its_worker() -> None:
    runtime, app = make_runtime(CONFIG)
    runtime.progress.put("ada", ada_progress())
    register_learner_view(runtime)
    peer = f"http://peer.example:6066/badges/badges/{BADGE}/"
    app.router.owners[("issued", BADGE)] = URL("http://peer.example:6066/")
    answer = {"badge": {"badge_uuid": BADGE, "state": "accepted"}}
    app.http_client.answers[peer] = PeerAnswer(200, json.dumps(answer).encode())

    async with serve(app) as client:
        body = await (await client.get("/badges/learners/ada/", headers=BEARER)).json()

    assert body["templates"][0]["badge"]["issuing"] == answer["badge"]
    ((url, headers),) = app.http_client.asked
    assert url == peer and headers == BEARER  # the caller's credentials, nothing else


async def test_a_peer_that_does_not_know_the_badge_leaves_its_issuing_state_empty() -> None:
    runtime, app = make_runtime(CONFIG)
    runtime.progress.put("ada", ada_progress())
    register_learner_view(runtime)
    app.router.owners[("issued", BADGE)] = URL("http://peer.example:6066/")
    app.http_client.answers[f"http://peer.example:6066/badges/badges/{BADGE}/"] = PeerAnswer(
        404, b'{"error": "unknown badge"}'
    )

    async with serve(app) as client:
        response = await client.get("/badges/learners/ada/", headers=BEARER)
        body = await response.json()

    assert response.status == 200
    assert body["templates"][0]["badge"]["issuing"] is None


async def test_a_learner_seen_before_progress_held_the_record_is_found_in_learners() -> None:
    runtime, app = make_runtime(CONFIG)
    runtime.learners.put("ada", ADA)
    register_learner_view(runtime)

    async with serve(app) as client:
        body = await (await client.get("/badges/learners/ada/", headers=BEARER)).json()

    assert body["learner"]["username"] == "ada"
    assert [(t["id"], t["ratio"], t["badge"]) for t in body["templates"]] == [
        ("python", 0.0, None),
        ("rust", 0.0, None),
    ]


async def test_progress_without_a_learner_record_is_shown_without_one() -> None:
    runtime, app = make_runtime(CONFIG)
    runtime.progress.put("ada", ada_progress(learner=None))
    register_learner_view(runtime)

    async with serve(app) as client:
        body = await (await client.get("/badges/learners/ada/", headers=BEARER)).json()

    assert body["learner"] is None
    assert body["templates"][0]["badge"]["issuing"] is None  # no issued record anywhere


async def test_an_unknown_learner_is_a_404() -> None:
    _, app = with_ada()

    async with serve(app) as client:
        response = await client.get("/badges/learners/grace/", headers=BEARER)

        assert (response.status, await response.json()) == (404, {"error": "unknown learner"})


async def test_a_username_past_255_characters_is_a_400_naming_the_field() -> None:
    _, app = with_ada()

    async with serve(app) as client:
        response = await client.get(f"/badges/learners/{'a' * 256}/", headers=BEARER)
        body = await response.json()

    assert response.status == 400 and body["field"] == "username"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Cookie": f"{COOKIE}=no"}],
    ids=["no-token", "wrong-token", "not-bearer", "wrong-cookie"],
)
async def test_without_the_token_nothing_of_the_learner_is_shown(headers: dict[str, str]) -> None:
    _, app = with_ada()

    async with serve(app) as client:
        response = await client.get("/badges/learners/ada/", headers=headers)
        text = await response.text()

    assert response.status == 401
    assert EMAIL not in text and "Ada" not in text and BADGE not in text
    assert app.http_client.asked == []


async def test_the_login_cookie_lets_a_browser_see_the_learner() -> None:
    _, app = with_ada()

    async with serve(app) as client:
        response = await client.get(
            "/badges/learners/ada/", headers={"Cookie": f"{COOKIE}=s3cret%2Ftoken%2B1"}
        )
        body = await response.json()

    assert response.status == 200 and body["learner"]["email"] == EMAIL
