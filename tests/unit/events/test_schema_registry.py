"""The schema-registry client against a real local registry over HTTP (no mocks)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from faust_badges.events.schema_registry import (
    SchemaRegistryClient,
    SchemaRegistryError,
    redact_url,
)
from tests.servers.schema_registry import LocalSchemaRegistry, serve

SUBJECT = "dev-learning-badges-lifecycle-value"
USER = "lms-producer"
PASSWORD = "s3cret-pw"  # must never show up in an error message
SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "CloudEvent",
    "namespace": "org.openedx.learning.course.passing.status.updated.v1",
    "fields": [{"name": "is_passing", "type": "boolean"}],
}
OTHER_SCHEMA: dict[str, Any] = {**SCHEMA, "fields": [{"name": "uuid", "type": "string"}]}
ATTEMPTS = 3


def fast_client(url: str, basic_auth: tuple[str, str] | None = None) -> SchemaRegistryClient:
    """A client with small timeout and backoff, so failure tests stay quick."""
    return SchemaRegistryClient(
        url, basic_auth=basic_auth, timeout=0.5, attempts=ATTEMPTS, backoff=0.01
    )


@pytest.fixture
def registry() -> Iterator[LocalSchemaRegistry]:
    yield from serve()


@pytest.fixture
async def client(registry: LocalSchemaRegistry) -> AsyncIterator[SchemaRegistryClient]:
    async with fast_client(registry.url) as schema_registry:
        yield schema_registry


def schema_gets(registry: LocalSchemaRegistry, schema_id: int) -> int:
    return registry.requests.count(("GET", f"/schemas/ids/{schema_id}"))


async def test_register_returns_the_global_id_and_reuses_it_for_the_same_schema(
    registry: LocalSchemaRegistry, client: SchemaRegistryClient
) -> None:
    first = await client.register(SUBJECT, SCHEMA)
    other = await client.register(SUBJECT, OTHER_SCHEMA)
    # Same schema under another subject: ids are global, one per distinct schema.
    again = await client.register("other-topic-value", dict(reversed(SCHEMA.items())))

    assert first != other
    assert again == first
    assert registry.subjects() == {SUBJECT: [first, other], "other-topic-value": [first]}
    assert registry.schema(first) == SCHEMA


async def test_register_is_cached_per_subject_and_schema(
    registry: LocalSchemaRegistry, client: SchemaRegistryClient
) -> None:
    assert await client.register(SUBJECT, SCHEMA) == await client.register(SUBJECT, SCHEMA)
    assert registry.requests == [("POST", f"/subjects/{SUBJECT}/versions")]


async def test_schema_by_id_parses_and_caches_forever(
    registry: LocalSchemaRegistry, client: SchemaRegistryClient
) -> None:
    schema_id = registry.register(SUBJECT, SCHEMA)

    assert await client.schema_by_id(schema_id) == SCHEMA
    registry.go_down()  # a cached id needs no registry
    assert await client.schema_by_id(schema_id) == SCHEMA
    assert schema_gets(registry, schema_id) == 1


async def test_concurrent_lookups_of_one_id_share_a_single_request(
    registry: LocalSchemaRegistry, client: SchemaRegistryClient
) -> None:
    schema_id = registry.register(SUBJECT, SCHEMA)
    registry.set_delay(0.1)  # keep the first request open while the others arrive

    schemas = await asyncio.gather(*(client.schema_by_id(schema_id) for _ in range(5)))

    assert schemas == [SCHEMA] * 5
    assert schema_gets(registry, schema_id) == 1


async def test_a_cancelled_caller_does_not_fail_the_others_waiting_on_the_same_id(
    registry: LocalSchemaRegistry, client: SchemaRegistryClient
) -> None:
    schema_id = registry.register(SUBJECT, SCHEMA)
    registry.set_delay(0.1)
    impatient = asyncio.ensure_future(client.schema_by_id(schema_id))
    patient = asyncio.ensure_future(client.schema_by_id(schema_id))
    await asyncio.sleep(0.02)
    impatient.cancel()

    assert await patient == SCHEMA
    assert schema_gets(registry, schema_id) == 1


async def test_unknown_id_fails_at_once_without_retrying(
    registry: LocalSchemaRegistry, client: SchemaRegistryClient
) -> None:
    forgotten = registry.register(SUBJECT, SCHEMA)
    registry.forget(forgotten)

    for schema_id in (forgotten, 99):
        with pytest.raises(SchemaRegistryError) as caught:
            await client.schema_by_id(schema_id)
        assert caught.value.reason == "unknown_schema_id"
        assert f"Schema {schema_id} not found" in str(caught.value)
        assert schema_gets(registry, schema_id) == 1


async def test_registry_down_is_unavailable_after_the_attempts_and_not_cached(
    registry: LocalSchemaRegistry, client: SchemaRegistryClient
) -> None:
    schema_id = registry.register(SUBJECT, SCHEMA)
    registry.go_down()

    with pytest.raises(SchemaRegistryError) as caught:
        await client.schema_by_id(schema_id)
    assert caught.value.reason == "registry_unavailable"
    assert "HTTP 503 after 3 attempts" in str(caught.value)
    assert schema_gets(registry, schema_id) == ATTEMPTS

    registry.come_back()
    assert await client.schema_by_id(schema_id) == SCHEMA
    assert schema_gets(registry, schema_id) == ATTEMPTS + 1


async def test_a_transient_5xx_or_malformed_answer_is_retried(
    registry: LocalSchemaRegistry, client: SchemaRegistryClient
) -> None:
    schema_id = registry.register(SUBJECT, SCHEMA)
    registry.fail_next(500)
    registry.fail_next(200, body=b"<html>proxy error</html>")

    assert await client.schema_by_id(schema_id) == SCHEMA
    assert schema_gets(registry, schema_id) == 3


async def test_429_waits_as_long_as_retry_after_says(
    registry: LocalSchemaRegistry, client: SchemaRegistryClient
) -> None:
    registry.fail_next(429, retry_after=0.3)
    started = time.monotonic()

    assert await client.register(SUBJECT, SCHEMA) == 1
    assert time.monotonic() - started >= 0.3  # not the 0.01 s backoff
    assert len(registry.requests) == 2


async def test_slow_registry_beyond_the_timeout_is_unavailable(
    registry: LocalSchemaRegistry,
) -> None:
    schema_id = registry.register(SUBJECT, SCHEMA)
    registry.set_delay(0.5)
    slow = SchemaRegistryClient(registry.url, timeout=0.1, attempts=2, backoff=0.01)
    try:
        with pytest.raises(SchemaRegistryError) as caught:
            await slow.schema_by_id(schema_id)
    finally:
        await slow.close()
    assert caught.value.reason == "registry_unavailable"
    assert "ReadTimeout after 2 attempts" in str(caught.value)
    # The server records a request when its handler thread starts, which on a loaded machine can
    # come after the client gave up on it: wait for the second one to show (never a third).
    deadline = time.monotonic() + 5
    while schema_gets(registry, schema_id) < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert schema_gets(registry, schema_id) == 2


async def test_nothing_listening_is_unavailable() -> None:
    with LocalSchemaRegistry() as gone:
        url = gone.url
    async with fast_client(url) as client:
        with pytest.raises(SchemaRegistryError) as caught:
            await client.schema_by_id(1)
    assert caught.value.reason == "registry_unavailable"
    assert "ConnectError" in str(caught.value)


@pytest.fixture
def secured() -> Iterator[LocalSchemaRegistry]:
    yield from serve(basic_auth=(USER, PASSWORD))


async def test_basic_auth_from_the_argument(secured: LocalSchemaRegistry) -> None:
    async with fast_client(secured.url, (USER, PASSWORD)) as client:
        schema_id = await client.register(SUBJECT, SCHEMA)
        assert await client.schema_by_id(schema_id) == SCHEMA


async def test_basic_auth_from_the_url_userinfo(secured: LocalSchemaRegistry) -> None:
    url = secured.url.replace("http://", f"http://{USER}:{PASSWORD}@")
    async with fast_client(url) as client:
        assert PASSWORD not in client.base_url
        assert await client.register(SUBJECT, SCHEMA) == 1


@pytest.mark.parametrize("credentials", [None, (USER, "wrong-pw")])
async def test_missing_or_wrong_credentials_are_rejected_at_once(
    secured: LocalSchemaRegistry, credentials: tuple[str, str] | None
) -> None:
    async with fast_client(secured.url, credentials) as client:
        with pytest.raises(SchemaRegistryError) as caught:
            await client.register(SUBJECT, SCHEMA)
    assert caught.value.reason == "registry_rejected"
    assert "HTTP 401 Unauthorized" in str(caught.value)
    assert len(secured.requests) == 1


async def test_credentials_never_appear_in_errors(secured: LocalSchemaRegistry) -> None:
    url = secured.url.replace("http://", f"http://{USER}:{PASSWORD}@")
    async with fast_client(url) as client:
        secured.go_down()
        with pytest.raises(SchemaRegistryError) as down:
            await client.schema_by_id(1)
        secured.come_back()
        with pytest.raises(SchemaRegistryError) as unknown:
            await client.schema_by_id(1)
    for caught in (down, unknown):
        assert PASSWORD not in str(caught.value)
        assert PASSWORD not in repr(caught.value)
    assert secured.url in str(down.value)  # the redacted base URL still says where


async def test_other_4xx_is_rejected_at_once(
    registry: LocalSchemaRegistry, client: SchemaRegistryClient
) -> None:
    # The local registry takes any JSON object, so an injected 422 stands for a real rejection.
    registry.fail_next(422, body=b'{"error_code": 42201, "message": "Invalid schema"}')
    with pytest.raises(SchemaRegistryError) as caught:
        await client.register(SUBJECT, OTHER_SCHEMA)
    assert caught.value.reason == "registry_rejected"
    assert str(caught.value).endswith("HTTP 422 Invalid schema")
    assert len(registry.requests) == 1
    assert await client.register(SUBJECT, OTHER_SCHEMA) == 1  # the rejection was not cached


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("https://user:s3cret-pw@sr.example.org:8081", "https://***@sr.example.org:8081"),
        ("https://key@sr.example.org/base/?a=b", "https://***@sr.example.org/base/?a=b"),
        ("https://user:pa/ss@w@sr.example.org/x", "https://***@sr.example.org/x"),
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081"),
        ("http://sr.example.org/p?email=a@b", "http://sr.example.org/p?email=a@b"),
    ],
)
def test_redact_url(url: str, redacted: str) -> None:
    assert redact_url(url) == redacted


def test_an_invalid_url_is_reported_redacted() -> None:
    with pytest.raises(ValueError) as caught:
        SchemaRegistryClient(f"http://{USER}:{PASSWORD}@sr.example.org:port")
    assert PASSWORD not in str(caught.value)
