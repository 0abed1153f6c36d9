"""A real local Credly API (v1) over HTTP, with failure injection for tests.

    with LocalCredly(organizations={ORG: API_KEY}) as credly:
        credly.add_template(ORG, TEMPLATE_ID, name="Python Fundamentals")
        ...  # CredlyClient(ORG, API_KEY, api_base_url=credly.url)

The HTTP plumbing it shares with ``tests.servers.accredible`` is in ``provider_http``.
"""

from __future__ import annotations

import base64
import hmac
import math
import uuid
from datetime import datetime
from typing import Any

from tests.servers.provider_http import LocalProviderServer, RecordedRequest, Reply

ISSUE_FIELDS = (
    "recipient_email",
    "issued_to_first_name",
    "issued_to_last_name",
    "badge_template_id",
    "issued_at",
)
HOLDING = ("pending", "accepted")  # states in which a learner "already has this badge"


class LocalCredly(LocalProviderServer):
    """Organizations, badge templates, issued badges and events in memory."""

    name = "local-credly"

    def __init__(
        self, *, organizations: dict[str, str], page_size: int = 50, initial_state: str = "pending"
    ) -> None:
        super().__init__()
        self.organizations = dict(organizations)  # id -> API key
        self.page_size = page_size
        self.initial_state = initial_state  # "accepted" models an org with auto-accept
        self.page_url_base: str | None = None  # set to make next_page_url point elsewhere
        self._templates: dict[str, list[dict[str, Any]]] = {}
        self._badges: dict[str, dict[str, Any]] = {}
        self._events: dict[tuple[str, str], dict[str, Any]] = {}

    # -- state, set up and inspected by tests ------------------------------------------------

    def add_template(
        self,
        organization_id: str,
        template_id: str | None = None,
        *,
        name: str = "A badge",
        state: str = "active",
        description: str = "",
        image_url: str | None = None,
    ) -> str:
        template_id = template_id or str(uuid.uuid4())
        template = {
            "id": template_id,
            "name": name,
            "description": description,
            "image_url": image_url,
            "state": state,
        }
        with self._lock:
            self._templates.setdefault(organization_id, []).append(template)
        return template_id

    def add_event(self, organization_id: str, event_id: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._events[organization_id, event_id] = dict(data)

    def badges(self) -> list[dict[str, Any]]:
        """Every badge issued, in issue order (copies)."""
        with self._lock:
            return [dict(badge) for badge in self._badges.values()]

    def forget_all(self) -> None:
        """Lose every issued badge (as a reset sandbox does); templates and events stay."""
        with self._lock:
            self._badges.clear()

    # -- the API ------------------------------------------------------------------------------

    def _error_body(self, message: str) -> Any:
        return {"data": {"message": message}}

    def _route(self, request: RecordedRequest, parts: list[str], query: dict[str, str]) -> Reply:
        parts = [part for part in parts if part]  # trailing slashes are optional
        if len(parts) < 3 or parts[0] != "organizations":
            return 404, self._error_body("Not found"), {}
        org, resource, rest = parts[1], parts[2], parts[3:]
        key = self.organizations.get(org)
        if key is None:
            return 404, self._error_body("Organization not found"), {}
        expected = "Basic " + base64.b64encode(key.encode()).decode()
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return 401, self._error_body("Unauthorized"), {}
        with self._lock:
            match request.method, resource, rest:
                case "POST", "badges", []:
                    return self._issue(org, request.json)
                case "GET", "badges", []:
                    return self._find(org, query.get("filter", ""))
                case "PUT", "badges", [badge_id, "revoke"]:
                    return self._revoke(org, badge_id, request.json)
                case "GET", "badge_templates", []:
                    return self._template_page(org, query)
                case "GET", "events", [event_id] if (org, event_id) in self._events:
                    return 200, {"data": self._events[org, event_id]}, {}
        return 404, self._error_body("Not found"), {}

    def _issue(self, org: str, body: Any) -> Reply:
        fields = ISSUE_FIELDS
        if not isinstance(body, dict) or any(not isinstance(body.get(f), str) for f in fields):
            return 422, self._error_body("Missing or invalid fields"), {}
        try:
            datetime.strptime(body["issued_at"], "%Y-%m-%d %H:%M:%S %z")
        except ValueError:
            return 422, self._error_body("issued_at is not a valid time"), {}
        templates = {t["id"]: t for t in self._templates.get(org, [])}
        template = templates.get(body["badge_template_id"])
        if template is None or template["state"] == "archived":
            return 422, self._error_body("Badge template not found"), {}
        held = self._matching(org, body["recipient_email"], template["id"])
        if any(badge["state"] in HOLDING for badge in held):
            return 422, self._error_body("User already has this badge"), {}
        badge = {
            "id": str(uuid.uuid4()),
            "organization_id": org,
            "state": self.initial_state,
            "badge_template": {"id": template["id"], "name": template["name"]},
            **{f: body[f] for f in fields if f != "badge_template_id"},
        }
        self._badges[badge["id"]] = badge
        return 201, {"data": dict(badge)}, {}

    def _find(self, org: str, filters: str) -> Reply:
        wanted = dict(part.split("::", 1) for part in filters.split("|") if "::" in part)
        found = self._matching(org, wanted.get("recipient_email"), wanted.get("badge_template_id"))
        return 200, {"data": found, "metadata": {"total_count": len(found)}}, {}

    def _matching(self, org: str, email: str | None, template_id: str | None) -> list[Any]:
        """Copies of the org's badges for that email and template (None: any)."""
        return [
            dict(badge)
            for badge in self._badges.values()
            if badge["organization_id"] == org
            and (email is None or email.casefold() == badge["recipient_email"].casefold())
            and template_id in (None, badge["badge_template"]["id"])
        ]

    def _revoke(self, org: str, badge_id: str, body: Any) -> Reply:
        badge = self._badges.get(badge_id)
        if badge is None or badge["organization_id"] != org:
            return 404, self._error_body("Badge not found"), {}
        if not isinstance(body, dict) or not isinstance(body.get("reason"), str):
            return 422, self._error_body("reason is required"), {}
        # Revoking twice answers as the first time did: a retried revoke must not fail.
        badge.update(state="revoked", revoke_reason=body["reason"])
        return 200, {"data": dict(badge)}, {}

    def _template_page(self, org: str, query: dict[str, str]) -> Reply:
        state_filter = query.get("filter", "")
        state = state_filter.split("::", 1)[1] if state_filter.startswith("state::") else None
        chosen = [t for t in self._templates.get(org, []) if state in (None, t["state"])]
        page = max(int(query.get("page", "1")), 1)
        total_pages = max(math.ceil(len(chosen) / self.page_size), 1)
        start = (page - 1) * self.page_size
        # Absolute links, as Credly gives them; page_url_base lets a test point them elsewhere.
        base = f"{self.page_url_base or self.url}organizations/{org}/badge_templates/?"
        base += f"filter={state_filter}&" if state_filter else ""
        metadata = {
            "count": len(chosen[start : start + self.page_size]),
            "current_page": page,
            "total_count": len(chosen),
            "total_pages": total_pages,
            "per": self.page_size,
            "previous_page_url": f"{base}page={page - 1}" if page > 1 else None,
            "next_page_url": f"{base}page={page + 1}" if page < total_pages else None,
        }
        data = [dict(t) for t in chosen[start : start + self.page_size]]
        return 200, {"data": data, "metadata": metadata}, {}
