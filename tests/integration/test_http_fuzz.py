"""Fuzzing the worker's web server (SPEC §7): seeded requests against every route the app serves
(faust_badges/web/) with fuzzed paths, query strings, bodies, methods and credentials.

Whatever a request holds, the answer is never a 5xx, and an error is JSON ``{"error": ...}``
like the views' own — but for the sign-in form, which is HTML for a person by design.
"""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import faust_badges.web
from faust_badges.core.badges import badge_uuid
from faust_badges.samples import passing_event
from tests.integration.datasets import COURSES, RELIABILITY_CONFIG
from tests.integration.fuzzed_requests import ROUTES, FuzzRequest, RequestFuzzer
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
PAGE = re.compile(r'\.page\("([^"]+)"\)')  # how a view is declared in faust_badges/web/


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
        yield Served(worker, {"username": LEARNERS, "badge_uuid": badges})


def test_the_fuzz_knows_every_route_the_app_serves() -> None:
    """A route added to faust_badges/web/ is fuzzed too (read from the source: no broker)."""
    web = Path(faust_badges.web.__file__).parent
    served = {path for module in web.glob("*.py") for path in PAGE.findall(module.read_text())}
    assert served == {route.path for route in ROUTES}


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
            path = route.path.replace("{username}", "u").replace("{badge_uuid}", str(uuid.uuid4()))
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
