"""Fuzzing the worker's web server (SPEC §7): seeded requests against every route the app serves
(faust_badges/web/) with fuzzed paths, query strings, bodies, methods and credentials.

Whatever a request holds, the answer is never a 5xx, and an error is JSON ``{"error": ...}``
like the views' own — but for the sign-in form, which is HTML for a person by design.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from faust_badges.core.badges import badge_uuid
from faust_badges.samples import passing_event
from tests.integration.datasets import COURSES, RELIABILITY_CONFIG
from tests.integration.harness import (
    OPS_TOKEN,
    Deployment,
    WorkerProcess,
    running_worker,
    wait_for_inputs_handled,
)

pytestmark = pytest.mark.integration

SEED = 7
REQUESTS = 3000
TIME_BUDGET = 60.0
LEARNERS = [f"http-fuzz-{i}" for i in range(5)]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with {username} / {uuid} where the route takes a parameter
    query: tuple[str, ...] = ()  # the parameters it reads
    body: bool = False  # it reads a body
    html: bool = False  # answers a person's browser (the sign-in form), not a program


ROUTES = [
    Route("GET", "/health"),
    Route("GET", "/metrics"),
    Route("GET", "/badges/", html=True),
    Route("POST", "/badges/login", body=True, html=True),
    Route("POST", "/badges/logout"),
    Route("POST", "/badges/credly/webhook/", body=True),
    Route("GET", "/badges/templates/"),
    Route("GET", "/badges/learners/{username}/"),
    Route("GET", "/badges/badges/", query=("state", "limit", "local")),
    Route("GET", "/badges/badges/{uuid}/"),
    Route("POST", "/badges/badges/{uuid}/retry/", body=True),
    Route("GET", "/badges/awards/", query=("since",)),
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
        return path.replace("{uuid}", self.segment("uuid"))

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
        for name in ("username", "uuid"):
            if self.known.get(name):
                path = path.replace("{" + name + "}", quote(self.rng.choice(self.known[name])))
        return path


@dataclass(frozen=True)
class Served:
    worker: WorkerProcess
    known: dict[str, list[str]]  # real values of the routes' parameters


@pytest.fixture(scope="module")
def served(kafka: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A worker with a few learners and their badges, so that some requests find something."""
    deployment = Deployment(kafka, f"http-{uuid.uuid4().hex[:6]}", tmp_path_factory.mktemp("http"))
    deployment.create_topics()
    deployment.apply_config(RELIABILITY_CONFIG)
    with running_worker(deployment) as worker:
        deployment.send(passing_event(70 + i, u, COURSES[0]) for i, u in enumerate(LEARNERS))
        wait_for_inputs_handled([worker], len(LEARNERS))
        badges = [badge_uuid(deployment.namespace, u, "first-pass") for u in LEARNERS]
        yield Served(worker, {"username": LEARNERS, "uuid": badges})


def problem(request: FuzzRequest, response: httpx.Response) -> str | None:
    """What is wrong with the answer to one request, or None."""
    if response.status_code >= 500:
        return f"status {response.status_code}"
    if response.status_code < 400 or request.method == "HEAD":
        return None
    content_type = response.headers.get("content-type", "")
    sign_in_form = request.route.html and request.method == request.route.method
    if sign_in_form and response.status_code == 401 and content_type.startswith("text/html"):
        return None
    if not content_type.startswith("application/json"):
        return f"status {response.status_code} with {content_type or 'no content type'}"
    try:
        body = json.loads(response.content)
    except ValueError:
        return "an error body that is not JSON"
    if not (isinstance(body, dict) and isinstance(body.get("error"), str)):
        return f"an error body without an error message: {body!r:.80}"
    return None


def send(client: httpx.Client, worker: WorkerProcess, request: FuzzRequest) -> httpx.Response:
    url = httpx.URL(scheme="http", host="127.0.0.1", port=worker.port, raw_path=request.raw_path)
    return client.request(request.method, url, headers=request.headers, content=request.body)


def run_fuzz(
    worker: WorkerProcess, requests: list[FuzzRequest]
) -> tuple[list[str], Counter[int], float]:
    """Send the requests in order: (what was wrong with the answers, statuses, seconds)."""
    problems: list[str] = []
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    with httpx.Client(timeout=10.0) as client:
        for request in requests:
            response = send(client, worker, request)
            statuses[response.status_code] += 1
            found = problem(request, response)
            if found is not None:
                problems.append(
                    f"{request.method} {request.raw_path[:100]!r} ({request.kind}): {found}: "
                    f"{response.content[:80]!r} headers={request.headers!r:.120}"
                )
    return problems, statuses, time.monotonic() - started


def test_fuzzed_requests_get_json_errors_and_never_a_5xx(served: Served) -> None:
    worker = served.worker
    fuzzer = RequestFuzzer(SEED, served.known)
    requests = [fuzzer.request() for _ in range(REQUESTS)]
    problems, statuses, elapsed = run_fuzz(worker, requests)
    assert not problems, f"{len(problems)} bad answers, e.g.:\n" + "\n".join(problems[:30])
    assert elapsed < TIME_BUDGET, f"{REQUESTS} requests took {elapsed:.0f}s"
    # The fuzz reached the views, not only the router and the token check.
    assert statuses[200] > 100 and statuses[400] > 100 and statuses[404] > 100, statuses
    assert worker.process is not None and worker.process.poll() is None
    assert worker.crash_lines() == []


def test_requests_the_http_parser_refuses_get_a_4xx(served: Served) -> None:
    """Request lines and headers past aiohttp's limits never reach a handler (nor the JSON
    errors): its HTTP parser refuses them itself. Still a 4xx, and the worker serves on."""
    rng = random.Random(SEED)
    statuses: Counter[int] = Counter()
    with httpx.Client(timeout=10.0) as client:
        for _ in range(40):
            route = rng.choice(ROUTES)
            path = route.path.replace("{username}", "u").replace("{uuid}", str(uuid.uuid4()))
            long = "%FF" * rng.randrange(3000, 10_000)
            headers = [(b"Authorization", f"Bearer {OPS_TOKEN}".encode())]
            if rng.random() < 0.5:
                raw_path = f"{path}?q={long}".encode()
            else:
                raw_path = path.encode()
                headers.append((b"X-Fuzz", long.encode()))
            url = httpx.URL(
                scheme="http", host="127.0.0.1", port=served.worker.port, raw_path=raw_path
            )
            statuses[client.request(route.method, url, headers=headers).status_code] += 1
    assert statuses and all(400 <= status < 500 for status in statuses), statuses
    assert served.worker.get("/health") is not None


TOKEN = [(b"Authorization", f"Bearer {OPS_TOKEN}".encode())]
MULTIPART = (b"Content-Type", b"multipart/form-data; boundary=x")


@pytest.mark.parametrize(
    ("method", "raw_path", "headers", "body", "status"),
    [
        # Each was a 500, or a plain-text error, before the fuzz above found it.
        pytest.param(
            "GET",
            b"/badges/templates/",
            [(b"Authorization", f"Bearer {OPS_TOKEN}".encode() + b"\xff")],
            None,
            401,
            id="token-header-not-utf8",
        ),
        pytest.param("POST", b"/badges/login", [MULTIPART], b"token=x", 400, id="no-boundary"),
        pytest.param(
            "POST", b"/badges/login", [MULTIPART], b"--x\r\n" + b"a" * 9000, 400, id="long-line"
        ),
        pytest.param(
            "POST",
            b"/badges/login",
            [(b"Content-Type", b"application/x-www-form-urlencoded; charset=utf-8")],
            b"token=\xff\xfe",
            400,
            id="form-not-in-its-charset",
        ),
        pytest.param(
            "POST", b"/badges/credly/webhook/", [], b"[" * 100_000, 400, id="webhook-deep-json"
        ),
        pytest.param(
            "GET",
            b"/badges/awards/?since=0001-01-01T00:00:00%2B14:00",
            TOKEN,
            None,
            200,
            id="year-1",
        ),
        pytest.param("GET", b"/badges/no-such-view/", TOKEN, None, 404, id="no-route"),
        pytest.param("PUT", b"/badges/templates/", TOKEN, None, 405, id="wrong-method"),
        pytest.param(
            "POST", b"/badges/credly/webhook/", [], b"{" * 2**21, 413, id="body-past-1-MiB"
        ),
    ],
)
def test_requests_the_fuzz_found_answering_500_or_text(
    served: Served,
    method: str,
    raw_path: bytes,
    headers: list[tuple[bytes, bytes]],
    body: bytes | None,
    status: int,
) -> None:
    worker = served.worker
    url = httpx.URL(scheme="http", host="127.0.0.1", port=worker.port, raw_path=raw_path)
    response = httpx.request(method, url, headers=headers, content=body, timeout=10.0)
    assert response.status_code == status, response.text[:200]
    assert response.headers["content-type"].startswith("application/json")
    if status >= 400:
        assert isinstance(response.json()["error"], str)
    if status == 405:
        assert "GET" in response.headers["Allow"]
