"""What every provider client shares: base URL, auth header, one attempt per call, error classes."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

import httpx

from faust_badges.core.errors import BadgesError
from faust_badges.core.retry import is_transient_status, parse_retry_after
from faust_badges.providers.names import scrub

T = TypeVar("T")
ErrorKind = Literal["transient", "permanent"]
JSON = "application/json"
DEFAULT_TIMEOUT = 10.0  # seconds, as the Open edX reference clients use
MAX_PAGES = 1000  # a guard against a provider whose pagination never runs out


class ProviderError(BadgesError):
    """A failed call; ``kind``: can a later retry help? The message holds no API key, no PII."""

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.status = status
        self.retry_after = retry_after  # seconds, from a numeric Retry-After header

    @property
    def transient(self) -> bool:
        return self.kind == "transient"


@dataclass(frozen=True)
class IssueResult:
    """The provider's record of a badge; ``already_existed``: found there, not created by us."""

    external_id: str
    state: str
    already_existed: bool = False


class ProviderClient:
    """One provider account over ``httpx.AsyncClient``; subclasses add the API's operations.

    One attempt per call, no retry loop: the issuer agent owns retries (through its retry topic,
    honouring ``ProviderError.retry_after``), and a loop here would multiply its attempts.
    """

    provider = "provider"
    production_url = ""
    sandbox_url = ""

    def __init__(
        self,
        api_key: str,
        *,
        sandbox: bool = False,
        api_base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not api_key:
            raise ValueError(f"{self.provider}: the API key is empty")
        url = api_base_url or (self.sandbox_url if sandbox else self.production_url)
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"{self.provider}: the API base URL must be http(s)")
        # httpx joins relative paths under the base only when it ends with "/".
        self.base_url = url if url.endswith("/") else url + "/"
        authorization = self._authorization(api_key)
        # Everything that could leak the key, for scrubbing error details.
        self._secrets = (api_key, authorization.split(" ", 1)[-1])
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={"Accept": JSON, "Content-Type": JSON, "Authorization": authorization},
        )

    def _authorization(self, api_key: str) -> str:
        """The Authorization header value for ``api_key``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ProviderClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _send(
        self,
        method: str,
        url: str | httpx.URL,
        what: str,
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
        pii: tuple[str, ...] = (),
        allow: tuple[int, ...] = (),
    ) -> httpx.Response:
        """Send once; return a 2xx (or ``allow``-ed) response, else raise a ProviderError."""
        try:
            response = await self._http.request(method, url, json=body, params=params)
        except httpx.TimeoutException:
            # "from None": httpx errors carry the request, whose URL may hold an email.
            raise self._error(what, "timed out", "transient") from None
        except httpx.RequestError as exc:  # refused, reset, DNS: the provider may be back soon
            raise self._error(what, type(exc).__name__, "transient") from None
        status = response.status_code
        if response.is_success or status in allow:
            return response
        reason = f"HTTP {status}: {self._detail(response, pii)}"
        if is_transient_status(status):  # a 503 may carry Retry-After too
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise self._error(what, reason, "transient", status, retry_after=retry_after)
        raise self._rejected(response, what, pii)

    def _rejected(self, response: httpx.Response, what: str, pii: tuple[str, ...]) -> ProviderError:
        """The permanent error for an answer the provider would give again (4xx)."""
        reason = f"HTTP {response.status_code}: {self._detail(response, pii)}"
        return self._error(what, reason, "permanent", response.status_code)

    async def _adopt_duplicate(
        self,
        response: httpx.Response,
        pii: tuple[str, ...],
        says_duplicate: Callable[[httpx.Response], bool],
        find: Callable[[], Awaitable[IssueResult | None]],
    ) -> IssueResult:
        """A 422 to an issue: the learner already holds the badge (look it up and count it as
        issued), or some other validation error (a rejection)."""
        if not says_duplicate(response):
            raise self._rejected(response, "issue", pii)
        found = await find()
        if found is None:
            # The provider says it exists but does not show it (yet): asking later may help.
            raise self._error("issue", "duplicate reported but not found", "transient")
        return found

    def _parse(self, response: httpx.Response, what: str, read: Callable[[Any], T]) -> T:
        """``read`` applied to the JSON body; a body not JSON or not of that shape is transient
        (most likely a proxy's page, and an issue may well have gone through: retry finds it)."""
        try:
            return read(response.json())
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            status = response.status_code
            raise self._error(what, "malformed response", "transient", status) from None

    def _error(
        self,
        what: str,
        reason: str,
        kind: ErrorKind,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> ProviderError:
        message = f"{self.provider} {what}: {reason}"
        return ProviderError(message, kind=kind, status=status, retry_after=retry_after)

    def _detail(self, response: httpx.Response, pii: tuple[str, ...]) -> str:
        """The provider's error text, short, with the key and learner details scrubbed."""
        try:
            # Not ASCII-escaped: "Zoë" must stay "Zoë" for scrub() to find it.
            text = json.dumps(response.json(), separators=(",", ":"), ensure_ascii=False)
        except ValueError:
            return "non-JSON body"  # an HTML error page says nothing an operator can act on
        return scrub(text, secrets=self._secrets, pii=pii)


def aware(moment: datetime, what: str) -> None:
    """Reject a naive datetime: the APIs want a time zone, and guessing one shifts awards."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} needs a time zone")


def as_objects(value: Any) -> list[dict[str, Any]]:
    """``value`` if it is a list of JSON objects, else TypeError (a malformed answer)."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise TypeError("expected a list of objects")
    return value


def as_id(value: Any) -> str:
    """An id or state: a non-empty string or an integer (not a bool, not null)."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise TypeError("expected an id")
    return str(value)
