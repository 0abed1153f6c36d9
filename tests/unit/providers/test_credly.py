"""The Credly client against a real local Credly API over HTTP (no mocks)."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from faust_badges.providers import CredlyClient, IssueResult, ProviderError, split_name
from tests.servers.credly import LocalCredly

ORG = "6d3f3a46-0000-4000-8000-000000000001"
OTHER_ORG = "6d3f3a46-0000-4000-8000-000000000002"
API_KEY = "credly-secret-key-0001"  # must never show up in an error message or a repr
AUTHORIZATION = "Basic " + base64.b64encode(API_KEY.encode()).decode()
TEMPLATE = "0b9d3e62-0000-4000-8000-00000000000a"
EMAIL, FIRST, LAST = "ada.lovelace@example.org", "Augusta", "Lovelace"
AWARDED_AT = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
TIMEOUT = 0.2  # seconds; the timeout tests delay the server past it


@pytest.fixture
def credly() -> Iterator[LocalCredly]:
    with LocalCredly(organizations={ORG: API_KEY, OTHER_ORG: "other-key"}, page_size=2) as server:
        server.add_template(ORG, TEMPLATE, name="Python Fundamentals")
        yield server


@pytest.fixture
async def client(credly: LocalCredly) -> AsyncIterator[CredlyClient]:
    async with CredlyClient(ORG, API_KEY, api_base_url=credly.url, timeout=TIMEOUT) as credly_api:
        yield credly_api


async def issue(client: CredlyClient, email: str = EMAIL) -> IssueResult:
    return await client.issue(
        recipient_email=email,
        first_name=FIRST,
        last_name=LAST,
        template_id=TEMPLATE,
        issued_at=AWARDED_AT,
    )


async def test_issue_posts_the_documented_badge_with_basic_auth_of_the_key(
    credly: LocalCredly, client: CredlyClient
) -> None:
    result = await issue(client)

    [request] = credly.requests
    assert (request.method, request.path) == ("POST", f"/v1/organizations/{ORG}/badges/")
    assert request.headers["Authorization"] == AUTHORIZATION
    assert request.headers["Accept"] == request.headers["Content-Type"] == "application/json"
    assert request.json == {
        "recipient_email": EMAIL,
        "issued_to_first_name": FIRST,
        "issued_to_last_name": LAST,
        "badge_template_id": TEMPLATE,
        "issued_at": "2026-03-01 12:30:00 +0000",
    }
    [badge] = credly.badges()
    assert result == IssueResult(badge["id"], "pending", already_existed=False)


async def test_issued_at_keeps_the_award_time_zone(
    credly: LocalCredly, client: CredlyClient
) -> None:
    paris = timezone(timedelta(hours=2))
    await client.issue(
        recipient_email=EMAIL,
        first_name=FIRST,
        last_name=LAST,
        template_id=TEMPLATE,
        issued_at=datetime(2026, 6, 1, 9, 5, 7, tzinfo=paris),
    )
    assert credly.requests[0].json["issued_at"] == "2026-06-01 09:05:07 +0200"


async def test_a_naive_award_time_is_refused_before_any_request(
    credly: LocalCredly, client: CredlyClient
) -> None:
    with pytest.raises(ValueError, match="time zone"):
        await client.issue(
            recipient_email=EMAIL,
            first_name=FIRST,
            last_name=LAST,
            template_id=TEMPLATE,
            issued_at=datetime(2026, 3, 1, 12, 30),
        )
    assert credly.requests == []


async def test_an_organization_that_auto_accepts_answers_accepted() -> None:
    with LocalCredly(organizations={ORG: API_KEY}, initial_state="accepted") as server:
        server.add_template(ORG, TEMPLATE)
        async with CredlyClient(ORG, API_KEY, api_base_url=server.url) as credly_api:
            assert (await issue(credly_api)).state == "accepted"


async def test_revoke_puts_the_reason_and_returns_revoked(
    credly: LocalCredly, client: CredlyClient
) -> None:
    issued = await issue(client)

    state = await client.revoke(issued.external_id, "Open edX badge was revoked")

    assert state == "revoked"
    request = credly.requests[-1]
    assert request.method == "PUT"
    assert request.path == f"/v1/organizations/{ORG}/badges/{issued.external_id}/revoke/"
    assert request.json == {"reason": "Open edX badge was revoked"}
    assert request.headers["Authorization"] == AUTHORIZATION
    assert [badge["state"] for badge in credly.badges()] == ["revoked"]


async def test_issuing_a_badge_already_held_returns_it_without_a_second_badge(
    credly: LocalCredly, client: CredlyClient
) -> None:
    first = await issue(client)
    again = await issue(client, email=EMAIL.upper())  # Credly compares emails ignoring case

    assert again == IssueResult(first.external_id, "pending", already_existed=True)
    assert len(credly.badges()) == 1
    lookup = credly.requests[-1]
    split = urlsplit(lookup.path)
    assert (lookup.method, split.path) == ("GET", f"/v1/organizations/{ORG}/badges")
    assert parse_qs(split.query) == {
        "filter": [f"recipient_email::{EMAIL.upper()}|badge_template_id::{TEMPLATE}"]
    }


async def test_find_sees_only_badges_the_learner_still_holds(
    credly: LocalCredly, client: CredlyClient
) -> None:
    assert await client.find(EMAIL, TEMPLATE) is None
    issued = await issue(client)
    found = await client.find(EMAIL, TEMPLATE)
    assert found == IssueResult(issued.external_id, "pending", already_existed=True)
    await client.revoke(issued.external_id, "reset")
    assert await client.find(EMAIL, TEMPLATE) is None


async def test_a_duplicate_credly_cannot_list_yet_is_transient(
    credly: LocalCredly, client: CredlyClient
) -> None:
    credly.fail_next(422, body={"data": {"message": "User already has this badge"}})
    with pytest.raises(ProviderError) as caught:
        await issue(client)
    assert caught.value.kind == "transient"
    assert credly.badges() == []


async def test_an_issue_that_timed_out_is_found_when_retried(
    credly: LocalCredly, client: CredlyClient
) -> None:
    credly.delay_next(TIMEOUT + 0.1)  # Credly is slow: we give up, it issues anyway
    with pytest.raises(ProviderError) as caught:
        await issue(client)
    assert (caught.value.kind, caught.value.status) == ("transient", None)
    # The server finishes the slow request in its own thread: poll without blocking the loop.
    deadline = time.monotonic() + 2
    while not credly.badges() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert credly.badges(), "Credly never finished the request the client gave up on"

    retried = await issue(client)

    assert retried == IssueResult(credly.badges()[0]["id"], "pending", already_existed=True)
    assert len(credly.badges()) == 1


async def test_badge_templates_follows_next_page_url_across_pages(
    credly: LocalCredly, client: CredlyClient
) -> None:
    more = [credly.add_template(ORG, name=f"Badge {n}") for n in range(4)]
    credly.add_template(ORG, name="Old badge", state="archived")
    credly.add_template(OTHER_ORG, name="Not ours")

    templates = await client.badge_templates()

    assert [template["id"] for template in templates] == [TEMPLATE, *more]
    assert set(templates[0]) >= {"id", "name", "description", "image_url", "state"}
    first = f"/v1/organizations/{ORG}/badge_templates/?filter=state::active"
    assert [(r.method, r.path) for r in credly.requests] == [
        ("GET", first),
        ("GET", first + "&page=2"),
        ("GET", first + "&page=3"),
    ]
    assert all(r.headers["Authorization"] == AUTHORIZATION for r in credly.requests)


@pytest.mark.parametrize(
    "elsewhere",
    ["http://badges.example.org/v1/", "https://127.0.0.1:{port}/v1/", "http://127.0.0.1:1/v1/"],
)
async def test_a_next_page_url_off_the_api_host_is_not_followed(
    credly: LocalCredly, client: CredlyClient, elsewhere: str
) -> None:
    for n in range(3):
        credly.add_template(ORG, name=f"Badge {n}")
    credly.page_url_base = elsewhere.format(port=urlsplit(credly.url).port)

    with pytest.raises(ProviderError) as caught:
        await client.badge_templates()

    assert caught.value.kind == "permanent"
    assert len(credly.requests) == 1  # the key was not sent anywhere else


async def test_event_lookup_returns_the_event_data(
    credly: LocalCredly, client: CredlyClient
) -> None:
    event = {"id": "evt-1", "event_type": "badge_template.created", "badge_template": {}}
    credly.add_event(ORG, "evt-1", event)

    assert await client.event("evt-1") == event
    assert credly.requests[-1].path == f"/v1/organizations/{ORG}/events/evt-1/"
    with pytest.raises(ProviderError) as caught:
        await client.event("evt-unknown")
    assert (caught.value.kind, caught.value.status) == ("permanent", 404)


Injector = Callable[[LocalCredly], None]
FAILURES: list[tuple[str, Injector, str, int | None, float | None]] = [
    ("timeout", lambda s: s.delay_next(TIMEOUT * 3), "transient", None, None),
    ("429", lambda s: s.fail_next(429, retry_after=7), "transient", 429, 7.0),
    ("429 without Retry-After", lambda s: s.fail_next(429), "transient", 429, None),
    ("500", lambda s: s.fail_next(500), "transient", 500, None),
    ("503", lambda s: s.fail_next(503), "transient", 503, None),
    ("malformed JSON", lambda s: s.malformed_next(), "transient", 200, None),
    ("wrong JSON shape", lambda s: s.fail_next(201, body={"data": []}), "transient", 201, None),
    ("connection refused", lambda s: s.go_down(), "transient", None, None),
    ("400", lambda s: s.fail_next(400), "permanent", 400, None),
    ("403", lambda s: s.fail_next(403), "permanent", 403, None),
    ("422 validation", lambda s: s.fail_next(422), "permanent", 422, None),
    ("401 wrong key", lambda s: s.organizations.update({ORG: "rotated"}), "permanent", 401, None),
]


@pytest.mark.parametrize(
    ("inject", "kind", "status", "retry_after"),
    [failure[1:] for failure in FAILURES],
    ids=[failure[0] for failure in FAILURES],
)
async def test_failures_are_classified(
    credly: LocalCredly,
    client: CredlyClient,
    inject: Injector,
    kind: str,
    status: int | None,
    retry_after: float | None,
) -> None:
    inject(credly)
    with pytest.raises(ProviderError) as caught:
        await issue(client)
    error = caught.value
    assert (error.kind, error.status, error.retry_after) == (kind, status, retry_after)
    assert error.transient is (kind == "transient")
    assert str(error).startswith("credly issue: ")
    assert error.__cause__ is None  # no httpx error (with its URL) chained behind it
    for secret in (API_KEY, AUTHORIZATION.split()[1], EMAIL, FIRST, LAST):
        assert secret not in str(error)


async def test_one_attempt_per_call_and_the_next_call_succeeds(
    credly: LocalCredly, client: CredlyClient
) -> None:
    credly.fail_next(500)
    with pytest.raises(ProviderError):
        await issue(client)
    assert len(credly.requests) == 1  # no retry loop in the client: the issuer agent retries
    assert (await issue(client)).already_existed is False


async def test_an_outage_for_a_time_fails_every_call_until_it_ends(
    credly: LocalCredly, client: CredlyClient
) -> None:
    credly.fail_all(503)
    for _ in range(3):
        with pytest.raises(ProviderError) as caught:
            await issue(client)
        assert (caught.value.kind, caught.value.status) == ("transient", 503)
    credly.reset_failures()
    assert (await issue(client)).already_existed is False
    assert [status for _request, status in credly.answered] == [503, 503, 503, 201]


async def test_a_provider_back_up_on_the_same_port_is_reached_again(
    credly: LocalCredly, client: CredlyClient
) -> None:
    await client.badge_templates()  # a pooled keep-alive connection must not hide the outage
    credly.go_down()
    with pytest.raises(ProviderError) as caught:
        await client.badge_templates()
    assert caught.value.kind == "transient"
    credly.come_back()
    assert len(await client.badge_templates()) == 1


async def test_errors_scrub_the_key_and_learner_details_echoed_by_the_provider(
    credly: LocalCredly, client: CredlyClient
) -> None:
    echo = f"{FIRST} {LAST} <{EMAIL}> and someone.else@example.org: bad token {API_KEY}"
    credly.fail_next(400, body={"data": {"message": echo, "token": AUTHORIZATION}})
    with pytest.raises(ProviderError) as caught:
        await issue(client)
    message = str(caught.value)
    for secret in (API_KEY, AUTHORIZATION.split()[1], EMAIL, FIRST, LAST, "someone.else"):
        assert secret not in message
    assert "bad token" in message  # the rest of the detail is kept for operators
    assert API_KEY not in repr(client) and AUTHORIZATION.split()[1] not in repr(client)


async def test_sandbox_and_override_choose_the_base_url() -> None:
    async with (
        CredlyClient(ORG, API_KEY) as production,
        CredlyClient(ORG, API_KEY, sandbox=True) as sandbox,
        CredlyClient(ORG, API_KEY, sandbox=True, api_base_url="http://127.0.0.1:9/v1") as local,
    ):
        assert production.base_url == "https://api.credly.com/v1/"
        assert sandbox.base_url == "https://sandbox-api.credly.com/v1/"
        assert local.base_url == "http://127.0.0.1:9/v1/"  # the override wins, slash added
        assert API_KEY not in repr(sandbox)


@pytest.mark.parametrize(
    ("full_name", "parts"),
    [
        ("Ada Lovelace", ("Ada", "Lovelace")),
        ("Ada", ("Ada", "")),
        ("Ada King Lovelace", ("Ada", "King Lovelace")),
        ("  Ada   King  Lovelace ", ("Ada", "King Lovelace")),
        ("", ("", "")),
    ],
)
def test_split_name(full_name: str, parts: tuple[str, str]) -> None:
    assert split_name(full_name) == parts
