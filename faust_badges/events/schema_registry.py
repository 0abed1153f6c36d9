"""Async client for a Confluent-compatible Schema Registry (what ``edx-event-bus-kafka`` uses)."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import random
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from faust_badges.core.errors import BadgesError
from faust_badges.core.retry import backoff_delay, is_transient_status, parse_retry_after
from faust_badges.logs import log_kv

logger = logging.getLogger(__name__)

T = TypeVar("T")
CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
SCHEMA_NOT_FOUND = 40403
#: Seconds at most between two tries: a long Retry-After must not stall the ingest agent.
MAX_RETRY_AFTER = 10.0
_RNG = random.Random()


class SchemaRegistryError(BadgesError):
    """The registry could not answer; ``reason`` is a short code for metrics and dead letters.

    ``registry_unavailable`` (retries exhausted), ``unknown_schema_id`` or ``registry_rejected``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def redact_url(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``***@``, safe for logs and errors."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    # Up to the query, not just the first "/": a password may hold an unescaped "/" or "@".
    head = rest.split("?", 1)[0].split("#", 1)[0]
    if "@" in head:
        rest = "***@" + rest[head.rindex("@") + 1 :]
    return f"{scheme}{sep}{rest}"


def _schema_text(body: Any) -> dict[str, Any]:
    schema = json.loads(body["schema"])
    if not isinstance(schema, dict):
        raise ValueError("schema is not a JSON object")
    return schema


def _schema_id(body: Any) -> int:
    schema_id = body["id"]
    if not isinstance(schema_id, int):
        raise ValueError("id is not an integer")
    return schema_id


class SchemaRegistryClient:
    """Looks schemas up by id (cached forever: ids are immutable) and registers schemas."""

    def __init__(
        self,
        url: str,
        *,
        basic_auth: tuple[str, str] | None = None,
        timeout: float = 5.0,
        attempts: int = 3,
        backoff: float = 0.2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            raise ValueError(f"invalid schema registry URL {redact_url(url)}") from None
        if basic_auth is None and parsed.userinfo:
            basic_auth = (parsed.username, parsed.password)
        # Credentials travel only in the Authorization header, never in a URL we could print.
        self.base_url = str(parsed.copy_with(userinfo=b""))
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=httpx.BasicAuth(*basic_auth) if basic_auth else None,
            timeout=timeout,
            headers={"Accept": f"{CONTENT_TYPE}, application/json"},
            transport=transport,
        )
        self._schemas: dict[int, dict[str, Any]] = {}
        self._pending: dict[int, asyncio.Task[dict[str, Any]]] = {}
        self._registered: dict[tuple[str, str], int] = {}

    async def schema_by_id(self, schema_id: int) -> dict[str, Any]:
        """The parsed schema with this id (shared and cached: do not mutate it)."""
        if schema_id in self._schemas:
            return self._schemas[schema_id]
        task = self._pending.get(schema_id)
        if task is None:
            path = f"/schemas/ids/{schema_id}"
            task = asyncio.ensure_future(self._request("GET", path, _schema_text))
            self._pending[schema_id] = task
            task.add_done_callback(functools.partial(self._settle, schema_id))
        # Shielded: one caller being cancelled must not fail the others waiting on the same id.
        return await asyncio.shield(task)

    def _settle(self, schema_id: int, task: asyncio.Task[dict[str, Any]]) -> None:
        del self._pending[schema_id]
        # Only successes are kept: after a failure the next call asks again (the registry may be
        # back). Reading the exception also marks it seen when every waiter was cancelled.
        if not task.cancelled() and task.exception() is None:
            self._schemas[schema_id] = task.result()

    async def register(self, subject: str, schema: dict[str, Any]) -> int:
        """Register ``schema`` under ``subject`` and return its global id."""
        text = json.dumps(schema, sort_keys=True, separators=(",", ":"))
        key = (subject, text)
        if key not in self._registered:
            body = json.dumps({"schema": text}).encode()
            path = f"/subjects/{quote(subject, safe='')}/versions"
            self._registered[key] = await self._request("POST", path, _schema_id, body)
        return self._registered[key]

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> SchemaRegistryClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _request(
        self, method: str, path: str, parse: Callable[[Any], T], body: bytes | None = None
    ) -> T:
        """Send with bounded retries; ``parse`` turns a 2xx JSON body into the result."""
        headers = {"Content-Type": CONTENT_TYPE} if body is not None else None
        failure = ""
        for attempt in range(1, self._attempts + 1):
            retry_after: float | None = None
            try:
                response = await self._http.request(method, path, content=body, headers=headers)
            except httpx.RequestError as exc:  # connection errors and timeouts
                failure = type(exc).__name__  # not str(exc): keep any URL out of the message
            else:
                status = response.status_code
                if response.is_success:
                    try:
                        return parse(response.json())
                    except (ValueError, KeyError, TypeError):
                        failure = "malformed response"  # a proxy's error page, most likely
                elif is_transient_status(status):
                    failure = f"HTTP {status}"
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                else:
                    raise _rejection(response, f"{method} {path}")
            if attempt < self._attempts:
                log_kv(
                    logger,
                    logging.WARNING,
                    "schema_registry_retry",
                    request=f"{method} {path}",
                    attempt=attempt,
                    failure=failure,
                )
                wait = backoff_delay(
                    attempt,
                    base_delay=self._backoff,
                    max_delay=MAX_RETRY_AFTER,
                    jitter=0.2,
                    retry_after=retry_after,
                    rng=_RNG,
                )
                await asyncio.sleep(wait)
        raise SchemaRegistryError(
            "registry_unavailable",
            f"{method} {path} at {self.base_url}: {failure} after {self._attempts} attempts",
        )


def _rejection(response: httpx.Response, request: str) -> SchemaRegistryError:
    try:
        answer = response.json()
        code, detail = answer.get("error_code"), str(answer.get("message", ""))[:200]
    except (ValueError, AttributeError):
        code, detail = None, ""
    if response.status_code == 404 and code == SCHEMA_NOT_FOUND:
        return SchemaRegistryError("unknown_schema_id", f"{request}: {detail or 'not found'}")
    detail = f"HTTP {response.status_code} {detail}".strip()
    return SchemaRegistryError("registry_rejected", f"{request}: {detail}")
