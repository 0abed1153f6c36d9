"""The Accredible client against a real local Accredible API over HTTP (no mocks)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from faust_badges.providers import AccredibleClient, IssueResult, ProviderError
from tests.servers.accredible import LocalAccredible

API_KEY = "accredible-secret-key-0001"  # must never show up in an error message or a repr
NAME, EMAIL = "Zoë King Lovelace", "zoe.lovelace@example.org"
AWARDED_AT = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
TIMEOUT = 0.2  # seconds; the timeout test delays the server past it


@pytest.fixture
def accredible() -> Iterator[LocalAccredible]:
    with LocalAccredible(api_key=API_KEY) as server:
        yield server


@pytest.fixture
def group_id(accredible: LocalAccredible) -> int:
    return accredible.add_group(course_name="Python Fundamentals", primary_design_id=77)


@pytest.fixture
async def client(accredible: LocalAccredible) -> AsyncIterator[AccredibleClient]:
    async with AccredibleClient(API_KEY, api_base_url=accredible.url, timeout=TIMEOUT) as api:
        yield api


async def issue(client: AccredibleClient, group_id: int, email: str = EMAIL) -> IssueResult:
    return await client.issue(
        group_id=group_id,
        recipient_name=NAME,
        recipient_email=email,
        credential_name="Python Fundamentals",
        issued_on=AWARDED_AT,
    )


async def test_issue_posts_the_documented_credential_with_a_bearer_key(
    accredible: LocalAccredible, client: AccredibleClient, group_id: int
) -> None:
    result = await issue(client, group_id)

    [request] = accredible.requests
    assert (request.method, request.path) == ("POST", "/v1/credentials")
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["Accept"] == request.headers["Content-Type"] == "application/json"
    assert request.json == {
        "credential": {
            "recipient": {"name": NAME, "email": EMAIL},
            "group_id": group_id,
            "name": "Python Fundamentals",
            "issued_on": "2026-03-01T12:30:00+00:00",
            "complete": True,
        }
    }
    [credential] = accredible.credentials()
    assert isinstance(credential["id"], int)
    assert result == IssueResult(str(credential["id"]), "accepted", already_existed=False)


async def test_revoke_expires_the_credential_with_a_zoned_time(
    accredible: LocalAccredible, client: AccredibleClient, group_id: int
) -> None:
    issued = await issue(client, group_id)
    revoked_at = datetime(2026, 4, 2, 8, 0, tzinfo=timezone(timedelta(hours=-5)))

    state = await client.revoke(issued.external_id, revoked_at)

    assert state == "expired"
    request = accredible.requests[-1]
    assert (request.method, request.path) == ("PATCH", f"/v1/credentials/{issued.external_id}")
    assert request.json == {"credential": {"expired_on": "2026-04-02T08:00:00-05:00"}}
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert [c["expired_on"] for c in accredible.credentials()] == ["2026-04-02T08:00:00-05:00"]


async def test_naive_times_are_refused_before_any_request(
    accredible: LocalAccredible, client: AccredibleClient, group_id: int
) -> None:
    with pytest.raises(ValueError, match="time zone"):
        await client.revoke("50000001", datetime(2026, 4, 2, 8, 0))
    with pytest.raises(ValueError, match="time zone"):
        await client.issue(
            group_id=group_id,
            recipient_name=NAME,
            recipient_email=EMAIL,
            credential_name="Python Fundamentals",
            issued_on=datetime(2026, 3, 1),
        )
    assert accredible.requests == []


async def test_groups_lists_every_group(
    accredible: LocalAccredible, client: AccredibleClient, group_id: int
) -> None:
    other = accredible.add_group(course_name="Data Science", course_description="Numbers")

    groups = await client.groups()

    assert [group["id"] for group in groups] == [group_id, other]
    assert groups[0]["course_name"] == "Python Fundamentals"
    assert groups[0]["primary_design_id"] == 77
    assert set(groups[1]) >= {"id", "course_name", "course_description", "created_at"}
    assert [(r.method, r.path) for r in accredible.requests] == [
        ("GET", "/v1/issuer/all_groups?page=1&page_size=100")
    ]


async def test_groups_follow_every_page(
    accredible: LocalAccredible, client: AccredibleClient, group_id: int
) -> None:
    others = [accredible.add_group(course_name=f"Course {i}") for i in range(4)]
    accredible.max_groups_per_page = 2  # 5 groups: pages of 2, 2, 1

    groups = await client.groups()

    assert [group["id"] for group in groups] == [group_id, *others]
    pages = [r.path.split("?")[1] for r in accredible.requests]
    assert pages == [f"page={n}&page_size=100" for n in (1, 2, 3)]


async def test_groups_from_an_api_that_ignores_pages_are_read_once(
    accredible: LocalAccredible, client: AccredibleClient, group_id: int
) -> None:
    other = accredible.add_group(course_name="Data Science")
    accredible.paginates = False  # every group on every page, no meta

    assert [group["id"] for group in await client.groups()] == [group_id, other]
    assert len(accredible.requests) == 1


async def test_a_next_page_that_repeats_the_last_ends_the_listing(
    accredible: LocalAccredible, client: AccredibleClient, group_id: int
) -> None:
    for i in range(4):
        accredible.add_group(course_name=f"Course {i}")
    accredible.max_groups_per_page = 2
    accredible.ignores_page = True  # meta says there is a page 2, which is page 1 again

    assert len(await client.groups()) == 2
    assert len(accredible.requests) == 2


async def test_issuing_a_credential_already_held_returns_it_without_a_second_one(
    accredible: LocalAccredible, client: AccredibleClient, group_id: int
) -> None:
    first = await issue(client, group_id)
    again = await issue(client, group_id, email=EMAIL.upper())

    assert again == IssueResult(first.external_id, "accepted", already_existed=True)
    assert len(accredible.credentials()) == 1
    search = accredible.requests[-1]
    assert (search.method, search.path) == ("POST", "/v1/credentials/search")
    assert search.json == {"group_id": group_id, "recipient_email": EMAIL.upper()}


async def test_an_expired_credential_is_not_held(
    accredible: LocalAccredible, client: AccredibleClient, group_id: int
) -> None:
    first = await issue(client, group_id)
    await client.revoke(first.external_id, datetime.now(UTC) - timedelta(seconds=1))

    assert await client.find(group_id, EMAIL) is None
    again = await issue(client, group_id)
    assert (again.already_existed, again.external_id != first.external_id) == (False, True)


async def test_a_duplicate_the_search_does_not_show_yet_is_transient(
    accredible: LocalAccredible, client: AccredibleClient, group_id: int
) -> None:
    accredible.fail_next(422, body={"errors": ["credential already exists"]})
    with pytest.raises(ProviderError) as caught:
        await issue(client, group_id)
    assert caught.value.kind == "transient"


async def test_an_unknown_group_is_permanent(
    accredible: LocalAccredible, client: AccredibleClient
) -> None:
    with pytest.raises(ProviderError) as caught:
        await issue(client, group_id=999)
    assert (caught.value.kind, caught.value.status) == ("permanent", 422)


Injector = Callable[[LocalAccredible], None]
FAILURES: list[tuple[str, Injector, str, int | None, float | None]] = [
    ("timeout", lambda s: s.delay_next(TIMEOUT * 3), "transient", None, None),
    ("429", lambda s: s.fail_next(429, retry_after=7), "transient", 429, 7.0),
    ("500", lambda s: s.fail_next(500), "transient", 500, None),
    ("502 HTML", lambda s: s.fail_next(502, body=b"<html>bad</html>"), "transient", 502, None),
    ("malformed JSON", lambda s: s.malformed_next(), "transient", 200, None),
    (
        "wrong JSON shape",
        lambda s: s.fail_next(200, body={"credential": {}}),
        "transient",
        200,
        None,
    ),
    ("connection refused", lambda s: s.go_down(), "transient", None, None),
    ("400", lambda s: s.fail_next(400), "permanent", 400, None),
    ("404", lambda s: s.fail_next(404), "permanent", 404, None),
    ("401 wrong key", lambda s: setattr(s, "api_key", "rotated"), "permanent", 401, None),
]


@pytest.mark.parametrize(
    ("inject", "kind", "status", "retry_after"),
    [failure[1:] for failure in FAILURES],
    ids=[failure[0] for failure in FAILURES],
)
async def test_failures_are_classified(
    accredible: LocalAccredible,
    client: AccredibleClient,
    group_id: int,
    inject: Injector,
    kind: str,
    status: int | None,
    retry_after: float | None,
) -> None:
    inject(accredible)
    with pytest.raises(ProviderError) as caught:
        await issue(client, group_id)
    error = caught.value
    assert (error.kind, error.status, error.retry_after) == (kind, status, retry_after)
    assert str(error).startswith("accredible issue: ")
    for secret in (API_KEY, EMAIL, NAME):
        assert secret not in str(error)
    assert len(accredible.requests) <= 1  # one attempt: the issuer agent owns retries


async def test_failures_of_revoke_and_groups_are_classified_the_same_way(
    accredible: LocalAccredible, client: AccredibleClient, group_id: int
) -> None:
    issued = await issue(client, group_id)
    accredible.fail_next(503, retry_after=2)
    with pytest.raises(ProviderError) as caught:
        await client.revoke(issued.external_id, AWARDED_AT)
    assert (caught.value.kind, caught.value.retry_after) == ("transient", 2.0)
    with pytest.raises(ProviderError) as caught:
        await client.revoke("12345", AWARDED_AT)  # not a credential of ours
    assert (caught.value.kind, caught.value.status) == ("permanent", 404)
    accredible.malformed_next()
    with pytest.raises(ProviderError) as caught:
        await client.groups()
    assert caught.value.kind == "transient"


async def test_errors_scrub_the_key_and_learner_details_echoed_by_the_provider(
    accredible: LocalAccredible, client: AccredibleClient, group_id: int
) -> None:
    echo = [
        f"recipient {NAME} <{EMAIL}> is invalid",
        "surname Lovelace and first name ZOË are too long",  # parts of the name, any case
        f"token {API_KEY} is not allowed here",
    ]
    accredible.fail_next(422, body={"errors": echo})
    with pytest.raises(ProviderError) as caught:
        await issue(client, group_id)
    message = str(caught.value)
    assert (caught.value.kind, caught.value.status) == ("permanent", 422)
    for secret in (API_KEY, EMAIL, NAME, "Lovelace", "ZOË"):
        assert secret not in message
    assert "is invalid" in message and "are too long" in message
    assert API_KEY not in repr(client)


async def test_sandbox_and_override_choose_the_base_url() -> None:
    async with (
        AccredibleClient(API_KEY) as production,
        AccredibleClient(API_KEY, sandbox=True) as sandbox,
        AccredibleClient(API_KEY, api_base_url="http://127.0.0.1:9/v1/", sandbox=True) as local,
    ):
        assert production.base_url == "https://api.accredible.com/v1/"
        assert sandbox.base_url == "https://sandbox.api.accredible.com/v1/"
        assert local.base_url == "http://127.0.0.1:9/v1/"
        assert API_KEY not in repr(sandbox)
