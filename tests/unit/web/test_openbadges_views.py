"""The public Open Badges views (no token): the issuer profile with its public key, achievements,
credentials byte for byte as signed, status lists (from the worker owning their partition) and
the badge page for people, which never shows an email and a name only when configured."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from faust_badges.core.config import (
    BadgeConfig,
    OpenBadgesIssuer,
    OpenBadgesProfile,
    OpenBadgesProvider,
    Providers,
    Template,
)
from faust_badges.core.issuing import IssuedBadge, IssueState, Recipient, Wanted
from faust_badges.openbadges.keys import generate_pem, parse_signing_key
from faust_badges.openbadges.records import StatusList, StoredCredential
from faust_badges.runtime import Runtime
from faust_badges.settings import Settings
from faust_badges.web.openbadges_views import FORWARDED, register_openbadges_views

from ..core.builders import course, requirement, template
from .fakes import FakeApp, PeerAnswer, make_runtime, serve

BASE = "https://badges.example.org"
KEY_ENV = "FAUST_BADGES_TEST_OB_KEY"
BADGE = "2b1c8f0e-0000-4000-8000-000000000001"
EMAIL = "ada@example.org"
PEER = "http://peer.example:6066"


def ob_config(show_recipient_name: bool = False) -> BadgeConfig:
    return BadgeConfig(
        templates=(
            Template(
                id="python",
                name="Python Fundamentals",
                description="Passed the core courses",
                issuer=OpenBadgesIssuer(provider="openbadges", criteria="Pass Python 101"),
                requirements=(requirement("p101", course("p101")),),
            ),
            template("plain", [requirement("x", course("x"))]),
        ),
        providers=Providers(
            openbadges=OpenBadgesProvider(
                public_base_url=BASE,
                issuer=OpenBadgesProfile(name="Example University", url="https://example.org"),
                signing_key_env=KEY_ENV,
                show_recipient_name=show_recipient_name,
            )
        ),
    )


# Stored as signed, spacing and all: served byte for byte, never re-serialized.
CREDENTIAL = json.dumps(
    {
        "id": f"{BASE}/ob/credentials/{BADGE}",
        "validFrom": "2026-03-01T12:30:15Z",
        "issuer": {"name": "Example University", "url": "https://example.org"},
        "credentialSubject": {
            "identifier": [{"identityHash": "sha256$abc", "salt": "f00d"}],
            "achievement": {
                "name": "Python Fundamentals",
                "description": "Passed the core courses",
                "criteria": {"narrative": "Pass Python 101"},
            },
        },
    },
    indent=1,
)


def stored(revoked_at: datetime | None = None) -> StoredCredential:
    moment = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    return StoredCredential(BADGE, "python", CREDENTIAL, "0-0", 7, moment, revoked_at)


def ob_app(
    config: BadgeConfig | None = None, settings: Settings | None = None
) -> tuple[Runtime, FakeApp]:
    runtime, app = make_runtime(config, settings)
    register_openbadges_views(runtime)
    return runtime, app


async def get(app: FakeApp, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    async with serve(app) as client:
        response = await client.get(path, headers=headers)
        return response.status, await response.text()


@pytest.mark.parametrize("path", ["/ob/issuer", "/ob/achievements/python", f"/ob/badges/{BADGE}"])
async def test_without_open_badges_configured_its_views_are_404(path: str) -> None:
    _, app = ob_app()

    status, text = await get(app, path)

    assert (status, json.loads(text)) == (404, {"error": "Open Badges issuing is not configured"})


async def test_the_issuer_profile_publishes_the_public_key_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pem = generate_pem()
    monkeypatch.setenv(KEY_ENV, pem)
    key = parse_signing_key(pem.encode())
    _, app = ob_app(ob_config())

    async with serve(app) as client:
        response = await client.get("/ob/issuer")
        text = await response.text()

    assert response.status == 200 and response.content_type == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = json.loads(text)
    assert document["id"] == f"{BASE}/ob/issuer" and document["name"] == "Example University"
    (method,) = document["verificationMethod"]
    assert method["publicKeyMultibase"] == key.public_multibase
    assert "PRIVATE" not in text and '"d"' not in text  # neither the PEM nor a JWK's d


async def test_an_issuer_without_its_key_is_a_503_that_names_only_where_it_was_looked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    _, app = ob_app(ob_config())

    status, text = await get(app, "/ob/issuer")

    assert status == 503 and KEY_ENV in json.loads(text)["error"]


async def test_an_achievement_of_an_open_badges_template() -> None:
    _, app = ob_app(ob_config())

    async with serve(app) as client:
        response = await client.get("/ob/achievements/python")
        document = json.loads(await response.text())

    assert response.status == 200 and response.content_type == "application/ld+json"
    assert document["id"] == f"{BASE}/ob/achievements/python"
    assert document["name"] == "Python Fundamentals"
    assert document["criteria"] == {"narrative": "Pass Python 101"}
    assert len(document["@context"]) == 2


@pytest.mark.parametrize("template_id", ["plain", "unknown"])
async def test_a_template_not_issued_as_an_open_badge_has_no_achievement(template_id: str) -> None:
    _, app = ob_app(ob_config())

    status, text = await get(app, f"/ob/achievements/{template_id}")

    assert (status, json.loads(text)) == (404, {"error": "unknown achievement"})


async def test_a_credential_is_served_byte_for_byte_as_signed() -> None:
    runtime, app = ob_app()  # served even once the provider is gone from the config
    runtime.openbadges.put_credential(stored())

    async with serve(app) as client:
        response = await client.get(f"/ob/credentials/{BADGE}")
        body = await response.read()

    assert response.status == 200 and body == CREDENTIAL.encode()
    assert response.content_type == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/ob/credentials/not-a-uuid", 400, {"error": "not a uuid", "field": "uuid"}),
        (f"/ob/credentials/{BADGE}", 404, {"error": "unknown credential"}),
        ("/ob/badges/not-a-uuid", 400, {"error": "not a uuid", "field": "uuid"}),
        (f"/ob/badges/{BADGE}", 404, {"error": "unknown badge"}),
    ],
)
async def test_a_bad_or_unknown_badge_uuid(path: str, status: int, error: dict[str, str]) -> None:
    _, app = ob_app(ob_config())

    answer_status, text = await get(app, path)

    assert (answer_status, json.loads(text)) == (status, error)


def status_list(list_id: str = "0-0") -> StatusList:
    document = json.dumps({"id": f"{BASE}/ob/status/{list_id}", "type": ["Status"]})
    return StatusList(list_id, 8, (3,), document, datetime(2026, 3, 2, tzinfo=UTC))


async def test_a_status_list_held_here_is_served() -> None:
    runtime, app = ob_app(settings=Settings(topic_partitions=4))
    runtime.openbadges.put_status_list(status_list("3-1"))

    async with serve(app) as client:
        response = await client.get("/ob/status/3-1")
        body = await response.read()

    assert response.status == 200 and response.content_type == "application/ld+json"
    assert body == status_list("3-1").credential.encode()


@pytest.mark.parametrize("list_id", ["4-0", "x-0", "0", "0-0-0", "1234567-0", "0-0"])
async def test_a_status_list_that_is_not_there_is_a_404(list_id: str) -> None:
    _, app = ob_app(settings=Settings(topic_partitions=4))

    status, text = await get(app, f"/ob/status/{list_id}")

    assert (status, json.loads(text)) == (404, {"error": "unknown status list", "field": "list"})
    assert app.http_client.asked == []


def owned_by_peer(runtime: Runtime, app: FakeApp, partition: int) -> None:
    table = runtime.openbadges.table
    changelog = table.changelog_topic.get_topic_name()
    app.router.partitions[table.name] = {PEER: {changelog: [partition]}}


async def test_a_status_list_of_another_workers_partition_is_fetched_from_it() -> None:
    runtime, app = ob_app()
    runtime.openbadges.put_status_list(status_list("2-0"))  # a stale copy here: not served
    owned_by_peer(runtime, app, 2)
    peer_copy = b'{"id": "the owner\'s copy"}'
    app.http_client.answers[f"{PEER}/ob/status/2-0"] = PeerAnswer(200, peer_copy)

    async with serve(app) as client:
        response = await client.get("/ob/status/2-0")
        body = await response.read()

    assert response.status == 200 and body == peer_copy
    assert response.content_type == "application/ld+json"
    assert app.http_client.asked == [(f"{PEER}/ob/status/2-0", {FORWARDED: "1"})]


async def test_the_owners_error_is_passed_on() -> None:
    runtime, app = ob_app()
    owned_by_peer(runtime, app, 2)
    app.http_client.answers[f"{PEER}/ob/status/2-0"] = PeerAnswer(404, b'{"error": "gone"}')

    status, text = await get(app, "/ob/status/2-0")

    assert (status, json.loads(text)) == (404, {"error": "gone"})


async def test_a_forwarded_request_is_answered_from_what_this_worker_holds() -> None:
    runtime, app = ob_app()
    runtime.openbadges.put_status_list(status_list("2-0"))
    owned_by_peer(runtime, app, 2)  # (a moment ago, as the forwarding worker saw it)

    status, text = await get(app, "/ob/status/2-0", headers={FORWARDED: "1"})

    assert status == 200 and text == status_list("2-0").credential
    assert app.http_client.asked == []


def issued_to_ada() -> IssuedBadge:
    recipient = Recipient("ada", 7, EMAIL, "Ada Lovelace", datetime(2026, 3, 1, tzinfo=UTC))
    return IssuedBadge(BADGE, "python", "openbadges", recipient, Wanted.ISSUED, IssueState.ACCEPTED)


@pytest.mark.parametrize("show_name", [False, True])
async def test_the_badge_page_shows_the_name_only_when_configured_and_never_the_email(
    show_name: bool,
) -> None:
    runtime, app = ob_app(ob_config(show_recipient_name=show_name))
    runtime.openbadges.put_credential(stored())
    runtime.issued.put(BADGE, issued_to_ada())

    async with serve(app) as client:
        response = await client.get(f"/ob/badges/{BADGE}")
        page = await response.text()

    assert response.status == 200 and response.content_type == "text/html"
    assert "<h1>Python Fundamentals</h1>" in page and "Not revoked" in page
    assert f'href="{BASE}/ob/credentials/{BADGE}"' in page
    assert ("Ada Lovelace" in page) is show_name
    assert EMAIL not in page


async def test_a_revoked_badge_page_says_so() -> None:
    runtime, app = ob_app(ob_config())
    runtime.openbadges.put_credential(stored(revoked_at=datetime(2026, 3, 5, 8, tzinfo=UTC)))

    status, page = await get(app, f"/ob/badges/{BADGE}")

    assert status == 200 and "Revoked on 2026-03-05" in page and "Not revoked" not in page
