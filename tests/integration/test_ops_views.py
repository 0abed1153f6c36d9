"""The ops views (SPEC §7) on real workers: auth everywhere but /health, JSON errors, PII only
in the learner view, no secrets anywhere, requests routed to the worker owning the key."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from faust_badges.core.badges import badge_uuid
from faust_badges.samples import passing_event
from tests.integration.harness import (
    OPS_TOKEN,
    Deployment,
    WorkerProcess,
    running_worker,
    wait_until,
)
from tests.integration.test_issuer import (
    ACCREDIBLE_KEY,
    CREDLY_KEY,
    ORG,
    SECRETS,
    config,
)
from tests.servers.accredible import LocalAccredible
from tests.servers.credly import LocalCredly

pytestmark = pytest.mark.integration

PROTECTED_GETS = [
    "/metrics",
    "/badges/templates/",
    "/badges/learners/someone/",
    "/badges/badges/",
    "/badges/badges/?state=error",
    f"/badges/badges/{uuid.uuid4()}/",
    "/badges/awards/",
]


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[LocalCredly, LocalAccredible]]:
    with (
        LocalCredly(organizations={ORG: CREDLY_KEY}) as credly,
        LocalAccredible(api_key=ACCREDIBLE_KEY) as accredible,
    ):
        from tests.integration.test_issuer import CREDLY_TEMPLATE, GROUP

        credly.add_template(ORG, CREDLY_TEMPLATE, name="Credly Badge")
        accredible.add_group(GROUP, course_name="Accredible Badge")
        yield credly, accredible


@pytest.fixture(scope="module")
def deployment(
    kafka: str,
    servers: tuple[LocalCredly, LocalAccredible],
    tmp_path_factory: pytest.TempPathFactory,
) -> Deployment:
    deployment = Deployment(
        kafka, f"ops-{uuid.uuid4().hex[:6]}", tmp_path_factory.mktemp("ops"), extra_env=SECRETS
    )
    deployment.create_topics()
    deployment.apply_config(config(*servers))
    return deployment


@pytest.fixture(scope="module")
def workers(deployment: Deployment) -> Iterator[list[WorkerProcess]]:
    with running_worker(deployment, "a") as first, running_worker(deployment, "b") as second:
        yield [first, second]


def passes(deployment: Deployment, username: str, provider: str, passing: bool = True) -> None:
    course = f"course-v1:Issue+{provider}+2026"
    deployment.send([passing_event(11, username, course, passing)])


def issued_state(worker: WorkerProcess, badge: str) -> str | None:
    status_body = worker.get(f"/badges/badges/{badge}/")
    return None if not isinstance(status_body, dict) else status_body["badge"]["state"]


def test_every_path_but_health_needs_the_token(workers: list[WorkerProcess]) -> None:
    worker = workers[0]
    for path in PROTECTED_GETS:
        assert worker.status(path, token=None) == 401, path
        assert worker.status(path, token="wrong") == 401, path
    assert worker.status("/badges/", token=None) == 401  # the login form, for a browser
    assert worker.post(f"/badges/badges/{uuid.uuid4()}/retry/", {}, token=None)[0] == 401
    assert worker.status("/health", token=None) == 200


def test_bad_requests_get_json_errors_naming_the_field(workers: list[WorkerProcess]) -> None:
    worker = workers[0]
    assert worker.post("/badges/badges/not-a-uuid/retry/", {})[1]["field"] == "uuid"
    status, body = _get(worker, "/badges/badges/not-a-uuid/")
    assert (status, body["field"]) == (400, "uuid")
    status, body = _get(worker, "/badges/awards/?since=yesterday")
    assert (status, body["field"]) == (400, "since")
    status, body = _get(worker, "/badges/badges/?state=lost")
    assert (status, body["field"]) == (400, "state")
    status, body = _get(worker, f"/badges/badges/{uuid.uuid4()}/")
    assert (status, body) == (404, {"error": "unknown badge"})
    status, body = _get(worker, f"/badges/learners/nobody-{uuid.uuid4().hex}/")
    assert (status, body) == (404, {"error": "unknown learner"})
    status, body = worker.post(f"/badges/badges/{uuid.uuid4()}/retry/", {})
    assert (status, body) == (404, {"error": "unknown badge"})


def test_templates_view_lists_the_configuration(workers: list[WorkerProcess]) -> None:
    body = workers[1].get("/badges/templates/")
    assert [t["id"] for t in body["templates"]] == ["credly", "accredible"]
    credly = body["templates"][0]
    assert credly["groups"] == [["pass"]] and credly["penalties"][0]["requirements"] == ["pass"]
    assert CREDLY_KEY not in json.dumps(body)


def test_a_learner_is_served_by_any_worker_and_only_that_view_has_their_pii(
    deployment: Deployment,
    workers: list[WorkerProcess],
    servers: tuple[LocalCredly, LocalAccredible],
) -> None:
    usernames = [f"ops-{uuid.uuid4().hex[:6]}" for _ in range(6)]
    for username in usernames:
        passes(deployment, username, "credly")
    badges = [badge_uuid(deployment.namespace, u, "credly") for u in usernames]
    for badge in badges:
        wait_until(
            lambda b=badge: issued_state(workers[0], b) in ("pending", "accepted"),
            60,
            f"badge {badge} issued",
        )
    for username, badge in zip(usernames, badges, strict=True):
        answers = [w.get(f"/badges/learners/{username}/") for w in workers]
        assert answers[0] == answers[1]  # routed to the owner from either worker
        [credly_card] = [t for t in answers[0]["templates"] if t["id"] == "credly"]
        assert credly_card["ratio"] == 1.0 and credly_card["requirements"][0]["fulfilled"]
        assert credly_card["badge"]["uuid"] == badge
        assert credly_card["badge"]["issuing"]["state"] in ("pending", "accepted")
        assert answers[0]["learner"]["email"] == f"{username}@example.org"
    others = json.dumps(
        [
            w.get(p)
            for w in workers
            for p in ("/badges/badges/", "/badges/templates/", "/badges/awards/")
        ]
    )
    assert "@example.org" not in others and usernames[0] not in others


def test_failed_issues_are_listed_and_retried_from_the_view(
    deployment: Deployment,
    workers: list[WorkerProcess],
    servers: tuple[LocalCredly, LocalAccredible],
) -> None:
    credly, _ = servers
    username = f"ops-fail-{uuid.uuid4().hex[:6]}"
    badge = badge_uuid(deployment.namespace, username, "credly")
    credly.fail_next(400)
    passes(deployment, username, "credly")
    wait_until(lambda: issued_state(workers[0], badge) == "error", 60, "the badge in error")
    for worker in workers:  # every worker gives the whole cluster's list
        failed = worker.get("/badges/badges/?state=error")["badges"]
        assert badge in [b["badge_uuid"] for b in failed]
    status, body = workers[1].post(f"/badges/badges/{badge}/retry/", {})
    assert (status, body) == (202, {"queued": True, "badge_uuid": badge})
    wait_until(lambda: issued_state(workers[0], badge) in ("pending", "accepted"), 60, "re-issued")
    assert workers[0].post(f"/badges/badges/{badge}/retry/", {})[0] == 409


def test_awards_over_time_count_this_deployments_badges(
    deployment: Deployment, workers: list[WorkerProcess]
) -> None:
    wait_until(
        lambda: sum(b["awarded"] for b in workers[0].get("/badges/awards/")["buckets"]) > 0,
        30,
        "awards in the chart data",
    )
    assert workers[1].get("/badges/awards/")["bucket"] == "day"  # a week by default
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    body = workers[1].get(f"/badges/awards/?since={quote(an_hour_ago)}")
    assert body["bucket"] == "hour"
    assert sum(b["awarded"] for b in body["buckets"]) == len(
        [e for e in deployment.badge_events() if e.status == "awarded"]
    )


def test_no_secret_in_any_answer_or_log(
    deployment: Deployment, workers: list[WorkerProcess]
) -> None:
    answers = json.dumps([w.get(p) for w in workers for p in PROTECTED_GETS[1:]])
    logs = "".join(w.log_path.read_text() for w in workers)
    for secret in (CREDLY_KEY, ACCREDIBLE_KEY, OPS_TOKEN):
        assert secret not in answers
        assert secret not in logs


def test_a_browser_session_signs_in_posts_with_the_csrf_header_and_signs_out(
    workers: list[WorkerProcess],
) -> None:
    worker = workers[0]
    assert _raw(worker, "POST", "/badges/login", form={"token": "wrong"})[0] == 401
    status, headers = _raw(worker, "POST", "/badges/login", form={"token": OPS_TOKEN})
    assert (status, headers["location"]) == (303, "/badges/")
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    session = {"Cookie": cookie.split(";")[0]}
    assert _raw(worker, "GET", "/badges/templates/", session)[0] == 200
    retry = f"/badges/badges/{uuid.uuid4()}/retry/"
    assert _raw(worker, "POST", retry, session)[0] == 403  # a cross-site form cannot add it
    csrf = {**session, "X-Requested-With": "faust-badges"}
    assert _raw(worker, "POST", retry, csrf)[0] == 404  # let in: the badge is unknown
    behind_tls = {"X-Forwarded-Proto": "https"}
    _, headers = _raw(worker, "POST", "/badges/login", behind_tls, form={"token": OPS_TOKEN})
    assert "Secure" in headers["set-cookie"]
    status, headers = _raw(worker, "POST", "/badges/logout", session)
    assert (status, headers["location"]) == (303, "/badges/")
    assert headers["set-cookie"].startswith("badges_ops_token=;")
    assert "Max-Age=0" in headers["set-cookie"]


def _raw(
    worker: WorkerProcess,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> tuple[int, dict[str, str]]:
    """One request as a browser sends it, redirects not followed: (status, lower-cased headers)."""
    import http.client
    from urllib.parse import urlencode

    headers = dict(headers or {})
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", worker.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def _get(worker: WorkerProcess, path: str) -> tuple[int, Any]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{worker.port}{path}")
    request.add_header("Authorization", f"Bearer {OPS_TOKEN}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_metrics_report_lag_per_source_partition(workers: list[WorkerProcess]) -> None:
    samples = {k: v for w in workers for k, v in w.metrics().items()}
    lag = {k: v for k, v in samples.items() if k.startswith("badges_consumer_lag{")}
    assert lag, "no lag samples"
    assert all(v >= 0 for v in lag.values())
    assert any("learner-events-repartition" in k for k in lag)
