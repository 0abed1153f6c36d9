"""Credly (formerly Acclaim) REST API v1: issue and revoke badges, list templates, read events."""

from __future__ import annotations

import base64
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import quote

import httpx

from faust_badges.providers.base import (
    DEFAULT_TIMEOUT,
    MAX_PAGES,
    IssueResult,
    ProviderClient,
    as_id,
    as_objects,
    aware,
)

HOLDING_STATES = ("pending", "accepted")  # a badge the learner still has (or may still accept)


class CredlyClient(ProviderClient):
    """One Credly organization, authenticated by its API key (HTTP Basic, key alone)."""

    provider = "credly"
    production_url = "https://api.credly.com/v1/"
    sandbox_url = "https://sandbox-api.credly.com/v1/"

    def __init__(
        self,
        organization_id: str,
        api_key: str,
        *,
        sandbox: bool = False,
        api_base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            api_key,
            sandbox=sandbox,
            api_base_url=api_base_url,
            timeout=timeout,
            transport=transport,
        )
        self.organization_id = organization_id
        self._org = f"organizations/{quote(organization_id, safe='')}/"

    def _authorization(self, api_key: str) -> str:
        # base64 of the key alone (no "user:password" colon), as the Open edX reference sends it.
        return "Basic " + base64.b64encode(api_key.encode()).decode("ascii")

    def __repr__(self) -> str:
        return f"CredlyClient(organization_id={self.organization_id!r}, base_url={self.base_url!r})"

    async def issue(
        self,
        *,
        recipient_email: str,
        first_name: str,
        last_name: str,
        template_id: str,
        issued_at: datetime,
    ) -> IssueResult:
        """Issue the template's badge; one the learner already holds is returned, not doubled."""
        aware(issued_at, "issued_at")
        payload = {
            "recipient_email": recipient_email,
            "issued_to_first_name": first_name,
            "issued_to_last_name": last_name,
            "badge_template_id": template_id,
            # Credly's documented form, e.g. "2014-04-01 09:41:00 -0500".
            "issued_at": issued_at.strftime("%Y-%m-%d %H:%M:%S %z"),
        }
        pii = (recipient_email, first_name, last_name)
        url = self._org + "badges/"
        response = await self._send("POST", url, "issue", body=payload, pii=pii, allow=(422,))
        if response.status_code == 422:
            held = partial(self.find, recipient_email, template_id)
            return await self._adopt_duplicate(response, pii, _says_already_has_badge, held)
        return self._parse(response, "issue", _issue_result)

    async def revoke(self, badge_id: str, reason: str) -> str:
        """Revoke an issued badge; returns its new state (``revoked``)."""
        url = f"{self._org}badges/{quote(badge_id, safe='')}/revoke/"
        response = await self._send("PUT", url, "revoke", body={"reason": reason})
        return self._parse(response, "revoke", lambda answer: as_id(answer["data"]["state"]))

    async def badge_templates(self) -> list[dict[str, Any]]:
        """Every active badge template of the organization, across all pages."""
        url: str | httpx.URL = self._org + "badge_templates/?filter=state::active"
        templates: list[dict[str, Any]] = []
        seen: set[str] = set()
        while len(seen) < MAX_PAGES:
            seen.add(str(url))
            response = await self._send("GET", url, "badge_templates")
            page, next_url = self._parse(response, "badge_templates", _template_page)
            templates.extend(page)
            if not next_url:
                return templates
            # The link is absolute; the key goes along with it, so it must stay on our host.
            url = self._on_base_host(next_url)
            if str(url) in seen:
                break
        raise self._error("badge_templates", "pagination does not end", "permanent")

    async def event(self, event_id: str) -> dict[str, Any]:
        """An organization event as Credly has it (how webhooks are authenticated)."""
        url = f"{self._org}events/{quote(event_id, safe='')}/"
        response = await self._send("GET", url, "event")
        return self._parse(response, "event", lambda answer: _object(answer["data"]))

    async def find(self, recipient_email: str, template_id: str) -> IssueResult | None:
        """The badge of this template the learner holds (pending or accepted), if any.

        For an issue whose outcome is unknown (a timeout), before revoking or issuing again.
        """
        # Modelled on Credly's documented filter syntax (`field::value`, joined by "|"); the
        # filter names for this lookup are an assumption to check against the sandbox. The
        # answer is filtered again here, so an ignored filter can never adopt another's badge.
        filters = f"recipient_email::{recipient_email}|badge_template_id::{template_id}"
        url, pii = self._org + "badges", (recipient_email,)
        response = await self._send("GET", url, "find", params={"filter": filters}, pii=pii)
        badges = self._parse(response, "find", lambda answer: as_objects(answer["data"]))
        for badge in badges:
            template = badge.get("badge_template") or {}
            held_template = badge.get("badge_template_id") or template.get("id")
            email = str(badge.get("recipient_email", ""))
            if (
                held_template == template_id
                and email.casefold() == recipient_email.casefold()
                and badge.get("state") in HOLDING_STATES
            ):
                return IssueResult(as_id(badge["id"]), str(badge["state"]), already_existed=True)
        return None

    def _on_base_host(self, url: str) -> httpx.URL:
        base = httpx.URL(self.base_url)
        try:
            target = base.join(url)
        except httpx.InvalidURL:
            raise self._error("badge_templates", "malformed next_page_url", "transient") from None
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise self._error("badge_templates", "next_page_url leaves the API host", "permanent")
        return target


def _says_already_has_badge(response: httpx.Response) -> bool:
    try:
        message = response.json()["data"]["message"]
    except (ValueError, KeyError, TypeError):
        return False  # some other 422 (a validation error): the caller reports it
    return "already has this badge" in str(message).lower()


def _issue_result(answer: Any) -> IssueResult:
    data = answer["data"]
    return IssueResult(as_id(data["id"]), as_id(data["state"]), already_existed=False)


def _template_page(answer: Any) -> tuple[list[dict[str, Any]], str | None]:
    next_url = (answer.get("metadata") or {}).get("next_page_url")
    return as_objects(answer["data"]), (as_id(next_url) if next_url else None)


def _object(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else TypeError."""
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    return value
