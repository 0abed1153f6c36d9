"""Seeded HTTP requests for the web fuzz test (test_http_fuzz.py): the routes the app serves
(faust_badges/web/), and requests with fuzzed paths, query strings, bodies, methods and
credentials, some of them valid so that the views themselves are reached."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from tests.integration.harness import OPS_TOKEN


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with {username} / {badge_uuid} / ... where the route takes a parameter
    query: tuple[str, ...] = ()  # the parameters it reads
    html: bool = False  # answers a person's browser (the sign-in form), not a program


ROUTES = [
    Route("GET", "/health"),
    Route("GET", "/metrics"),
    Route("GET", "/badges/", html=True),
    Route("POST", "/badges/login", html=True),
    Route("POST", "/badges/logout"),
    Route("POST", "/badges/credly/webhook/"),
    Route("GET", "/badges/templates/"),
    Route("GET", "/badges/learners/{username}/"),
    Route("GET", "/badges/badges/", query=("state", "limit", "local")),
    Route("GET", "/badges/badges/{badge_uuid}/"),
    Route("POST", "/badges/badges/{badge_uuid}/retry/"),
    Route("GET", "/badges/awards/", query=("since",)),
    Route("GET", "/ob/issuer"),
    Route("GET", "/ob/achievements/{template_id}"),
    Route("GET", "/ob/credentials/{badge_uuid}"),
    Route("GET", "/ob/status/{list_id}"),
    Route("GET", "/ob/badges/{badge_uuid}"),
]
#: Valid ISO 8601 times at the calendar's ends, and one without a date.
EDGE_TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31", "T12:00"]
CONTENT_TYPES = [b"application/json", b"application/x-www-form-urlencoded", b"text/plain"]
CONTENT_TYPES += [b"multipart/form-data; boundary=x", b"\xff/\xfe"]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]
LINE_LIMIT = 8000  # bytes of path and query: under aiohttp's max_line_size (8190)


@dataclass(frozen=True)
class FuzzRequest:
    kind: str
    route: Route
    method: str
    raw_path: bytes  # path and query, percent-encoded as sent
    headers: list[tuple[bytes, bytes]]
    body: bytes | None


class RequestFuzzer:
    """Seeded requests; ``known`` are real parameter values, so that some requests succeed."""

    def __init__(self, seed: int, known: dict[str, list[str]]) -> None:
        self.rng = random.Random(seed)
        self.known = known

    # --- pieces ---------------------------------------------------------------------------------

    def text(self, longest: int = 40) -> str:
        alphabet = "abcXYZ019 -_.~!$&'()*+,;=:@/?#[]%\"<>\\^`{|}\x00\x7f\u00e9\u4e2d\U0001f600"
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randrange(longest)))

    def escaped(self, longest: int = 40) -> str:
        """Percent-encoded text, or bytes that are not UTF-8 once unescaped (%FF, %C3%28)."""
        choice = self.rng.randrange(4)
        if choice == 0:
            raw = self.rng.randbytes(self.rng.randrange(1, longest))
            return "".join(f"%{b:02X}" for b in raw)
        if choice == 1:
            return self.rng.choice(["%FF", "%C3%28", "%ED%A0%80", "%", "%Z1", "%2", "%00", "%2F"])
        if choice == 2:
            return quote(self.text(longest), safe="")
        return "x" * self.rng.randrange(1000, 3000)  # long (the request line is cut below)

    def segment(self, name: str) -> str:
        pick = self.rng.random()
        if pick < 0.25 and self.known.get(name):
            return quote(self.rng.choice(self.known[name]), safe="")
        if pick < 0.35:
            return str(uuid.UUID(int=self.rng.getrandbits(128)))  # well-formed, unknown
        return self.escaped()

    def path_of(self, route: Route) -> str:
        path = route.path.replace("{username}", self.segment("username"))
        for name in ("badge_uuid", "template_id", "list_id"):
            path = path.replace("{" + name + "}", self.segment(name))
        return path

    def query(self, route: Route) -> str:
        pairs = []
        for _ in range(self.rng.randrange(1, 6)):
            names = [*route.query, *route.query, "", "x", "state", "limit", "since", "local"]
            name = self.rng.choice(names) if self.rng.random() < 0.7 else self.escaped(10)
            value = self.query_value(name)
            pairs.append(f"{name}={value}" if self.rng.random() < 0.9 else name)
            if self.rng.random() < 0.2:
                pairs.append(pairs[-1])  # a repeated key
        return "&".join(pairs)

    def query_value(self, name: str) -> str:
        good = {
            "state": ["error", "pending", "accepted", "revoked", "ERROR", ""],
            "limit": ["0", "-1", "1", "10", "1e3", "9" * 5000, " 5 ", "NaN", "0x10"],
            "since": [*EDGE_TIMES, "2026-01-01", "2026-13-01", "now", "1970-01-01T00:00:00Z"],
            "local": ["1", "0", ""],
        }
        if name in good and self.rng.random() < 0.6:
            return quote(self.rng.choice(good[name]), safe="")
        return self.escaped()

    def body(self) -> bytes:
        choice = self.rng.randrange(7)
        if choice == 0:
            return self.rng.randbytes(self.rng.randrange(0, 2000))
        if choice == 1:
            return b"\xff\xfe" + self.text().encode()
        if choice == 2:
            shapes: list[Any] = [[], 1, "x", None, {}, {"id": 5}, {"id": "e", "x": []}]
            shape = self.rng.choice(shapes)
            return json.dumps(shape).encode()
        if choice == 3:
            fields = {"id": self.text(), "organization_id": self.text(), "event_type": self.text()}
            if self.rng.random() < 0.5:
                fields["event_type"] = "badge_template.created"
            return json.dumps(fields).encode()
        if choice == 4:
            depth = self.rng.randrange(1000, 100_000)
            return b"[" * depth + b"]" * depth
        if choice == 5:
            return ("token=" + self.escaped()).encode()
        return b"x" * self.rng.choice([2**20 + 1, 3 * 2**20])  # past aiohttp's 1 MiB bound

    def credentials(self) -> list[tuple[bytes, bytes]]:
        pick = self.rng.random()
        if pick < 0.6:
            return [(b"Authorization", f"Bearer {OPS_TOKEN}".encode())]
        options: list[list[tuple[bytes, bytes]]] = [
            [],
            [(b"Authorization", b"Bearer wrong")],
            [(b"Authorization", b"Bearer")],
            [(b"Authorization", b"Bearer " + OPS_TOKEN.encode() + b"\xff")],
            [(b"Authorization", b"Bearer \xc3\xa9\xff\xfe")],
            [(b"Authorization", b"Basic " + self.rng.randbytes(8).hex().encode())],
            [(b"Cookie", b"badges_ops_token=" + quote(OPS_TOKEN).encode())],
            [(b"Cookie", b"badges_ops_token=" + self.escaped().encode())],
            [(b"Cookie", b"badges_ops_token=%FF%FE; other=\xff")],
            [(b"Cookie", b'badges_ops_token="unterminated')],
        ]
        return self.rng.choice(options)

    # --- requests -------------------------------------------------------------------------------

    def request(self) -> FuzzRequest:
        route = self.rng.choice(ROUTES)
        kind = self.rng.choice(["path", "query", "body", "method", "extra path"])
        method, path, body = route.method, route.path, None
        query = ""
        if kind == "path":
            path = self.path_of(route)
        elif kind == "extra path":
            path = self.path_of(route)
            variants = [path.rstrip("/"), path + self.escaped(), f"{path}/{self.escaped()}"]
            variants += ["/" + path, path.upper(), path.replace("/", "//"), path + "%2e%2e/"]
            path = self.rng.choice(variants)
        else:
            path = self.path_of(route) if self.rng.random() < 0.5 else self.known_path(route)
        if kind == "query" or self.rng.random() < 0.2:
            query = self.query(route)
        if kind == "method":
            method = self.rng.choice(METHODS)
        if method == "POST" and (kind == "body" or self.rng.random() < 0.5):
            body = self.body()
        headers = self.credentials()
        if body is not None:
            headers.append((b"Content-Type", self.rng.choice(CONTENT_TYPES)))
        if self.rng.random() < 0.1:
            headers.append((b"X-Requested-With", b"faust-badges"))
        # Within aiohttp's request line limit: past it the HTTP parser answers, in plain text
        # (see test_requests_the_http_parser_refuses_get_a_4xx).
        raw_path = (path + ("?" + query if query else "")).encode()[:LINE_LIMIT]
        return FuzzRequest(kind, route, method, raw_path, headers, body)

    def known_path(self, route: Route) -> str:
        path = route.path
        for name in ("username", "badge_uuid"):
            if self.known.get(name):
                path = path.replace("{" + name + "}", quote(self.rng.choice(self.known[name])))
        return path
