"""A real local Accredible API (v1) over HTTP, with failure injection for tests.

    with LocalAccredible(api_key=API_KEY) as accredible:
        group_id = accredible.add_group(course_name="Python Fundamentals")
        ...  # AccredibleClient(API_KEY, api_base_url=accredible.url)

The HTTP plumbing (threads, request log, injected failures, going down) is shared with the
local Credly: ``LocalProviderServer`` in ``tests.servers.credly``.
"""

from __future__ import annotations

import hmac
import itertools
import math
from datetime import UTC, datetime
from typing import Any

from tests.servers.provider_http import LocalProviderServer, RecordedRequest, Reply

__all__ = ["LocalAccredible", "RecordedRequest"]
RECIPIENT = ("name", "email")  # required, non-empty


class LocalAccredible(LocalProviderServer):
    """One account's groups and credentials in memory."""

    name = "local-accredible"

    def __init__(self, *, api_key: str) -> None:
        super().__init__()
        self.api_key = api_key
        self._groups: dict[int, dict[str, Any]] = {}
        self._credentials: dict[int, dict[str, Any]] = {}
        self._group_ids = itertools.count(1001)
        self.max_groups_per_page = 100  # a larger page_size asked for is cut to this
        self.paginates = True  # False: every group on every page, no ``meta`` (an older API)
        self.ignores_page = False  # True: always the first page, with ``meta`` as if not
        self._credential_ids = itertools.count(50_000_001)  # Accredible ids are integers

    # -- state, set up and inspected by tests ------------------------------------------------

    def add_group(
        self,
        group_id: int | None = None,
        *,
        course_name: str = "A course",
        course_description: str = "",
        primary_design_id: int | None = None,
        created_at: str = "2026-01-05T10:00:00.000Z",
    ) -> int:
        with self._lock:
            group_id = group_id if group_id is not None else next(self._group_ids)
            self._groups[group_id] = {
                "id": group_id,
                "name": course_name.lower().replace(" ", "-"),
                "course_name": course_name,
                "course_description": course_description,
                "primary_design_id": primary_design_id,
                "created_at": created_at,
            }
        return group_id

    def credentials(self) -> list[dict[str, Any]]:
        """Every credential issued, in issue order (copies)."""
        with self._lock:
            return [_copy(credential) for credential in self._credentials.values()]

    def forget_all(self) -> None:
        """Lose every credential (as a reset sandbox does); groups stay."""
        with self._lock:
            self._credentials.clear()

    # -- the API ------------------------------------------------------------------------------

    def _error_body(self, message: str) -> Any:
        return {"errors": [message]}

    def _route(self, request: RecordedRequest, parts: list[str], query: dict[str, str]) -> Reply:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {self.api_key}".encode()):
            return 401, self._error_body("Unauthorized"), {}
        with self._lock:
            match request.method, parts:
                case "POST", ["credentials"]:
                    return self._issue(request.json)
                case "PATCH", ["credentials", number] if number.isdigit():
                    return self._expire(int(number), request.json)
                case "POST", ["credentials", "search"]:
                    return self._search(request.json)
                case "GET", ["issuer", "all_groups"]:
                    return self._groups_page(query)
        return 404, self._error_body("Not found"), {}

    def _groups_page(self, query: dict[str, str]) -> Reply:
        groups = [dict(group) for group in self._groups.values()]
        if not self.paginates:
            return 200, {"groups": groups}, {}
        try:
            page = int(query.get("page", "1"))
            size = min(int(query.get("page_size", "50")), self.max_groups_per_page)
        except ValueError:
            size = page = 0
        if size < 1 or page < 1:
            return 400, self._error_body("page and page_size are positive numbers"), {}
        pages = max(math.ceil(len(groups) / size), 1)
        meta = {
            "current_page": page,
            "next_page": page + 1 if page < pages else None,
            "prev_page": page - 1 if page > 1 else None,
            "total_pages": pages,
            "total_count": len(groups),
            "page_size": size,
        }
        start = 0 if self.ignores_page else (page - 1) * size
        return 200, {"groups": groups[start : start + size], "meta": meta}, {}

    def _issue(self, body: Any) -> Reply:
        credential = body.get("credential") if isinstance(body, dict) else None
        recipient = credential.get("recipient") if isinstance(credential, dict) else None
        if (
            not isinstance(recipient, dict)
            or not all(isinstance(recipient.get(f), str) and recipient[f] for f in RECIPIENT)
            or not isinstance(credential.get("name"), str)
            or not isinstance(credential.get("group_id"), int)
            or _moment(credential.get("issued_on")) is None
        ):
            return 422, self._error_body("Invalid credential"), {}
        if credential["group_id"] not in self._groups:
            return 422, self._error_body("Group not found"), {}
        held = self._matching(credential["group_id"], recipient["email"])
        if any(not _expired(found) for found in held):
            return 422, self._error_body("credential already exists"), {}
        credential_id = next(self._credential_ids)
        self._credentials[credential_id] = {
            "id": credential_id,
            "name": credential["name"],
            "group_id": credential["group_id"],
            "recipient": {"name": recipient["name"], "email": recipient["email"]},
            "issued_on": credential["issued_on"],
            "expired_on": None,
            "complete": bool(credential.get("complete", False)),
            "url": f"https://credentials.example.org/{credential_id}",
        }
        return 200, {"credential": _copy(self._credentials[credential_id])}, {}

    def _expire(self, credential_id: int, body: Any) -> Reply:
        credential = self._credentials.get(credential_id)
        if credential is None:
            return 404, self._error_body("Credential not found"), {}
        change = body.get("credential") if isinstance(body, dict) else None
        expired_on = change.get("expired_on") if isinstance(change, dict) else None
        if _moment(expired_on) is None:
            return 422, self._error_body("expired_on must be a date with a time zone"), {}
        credential["expired_on"] = expired_on
        return 200, {"credential": _copy(credential)}, {}

    def _search(self, body: Any) -> Reply:
        body = body if isinstance(body, dict) else {}
        found = self._matching(body.get("group_id"), body.get("recipient_email"))
        meta = {"current_page": 1, "total_count": len(found), "total_pages": 1}
        return 200, {"credentials": found, "meta": meta}, {}

    def _matching(self, group_id: int | None, email: str | None) -> list[dict[str, Any]]:
        """Copies of the credentials in that group for that email (None: any)."""
        return [
            _copy(credential)
            for credential in self._credentials.values()
            if group_id in (None, credential["group_id"])
            and (email is None or email.casefold() == credential["recipient"]["email"].casefold())
        ]


def _moment(value: Any) -> datetime | None:
    """An ISO 8601 time with a time zone, or None for anything else."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def _expired(credential: dict[str, Any]) -> bool:
    expired_on = _moment(credential["expired_on"])
    return expired_on is not None and expired_on <= datetime.now(UTC)


def _copy(credential: dict[str, Any]) -> dict[str, Any]:
    return {**credential, "recipient": dict(credential["recipient"])}
