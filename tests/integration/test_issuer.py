"""The issuer agents against local Credly and Accredible servers (SPEC §6): exact calls, the
failure matrix, never issuing twice, provider isolation, manual retry, no secrets in logs."""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from faust_badges.core.badges import badge_uuid
from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.core.issuing import IssuedBadge
from faust_badges.samples import passing_event
from faust_badges.topics import PROVIDERS
from tests.integration.harness import (
    CLI,
    Deployment,
    WorkerProcess,
    running_worker,
    wait_for_group_caught_up,
    wait_until,
)
from tests.servers.accredible import LocalAccredible
from tests.servers.credly import LocalCredly

pytestmark = pytest.mark.integration

ORG = "6d3f3a46-0000-4000-8000-000000000001"
CREDLY_TEMPLATE = "0b9d3e62-0000-4000-8000-00000000000a"
GROUP = 4242
CREDLY_KEY = "credly-secret-key-1234"
ACCREDIBLE_KEY = "accredible-secret-key-5678"
SECRETS = {
    "CREDLY_TEST_KEY": CREDLY_KEY,
    "ACCREDIBLE_TEST_KEY": ACCREDIBLE_KEY,
    "PROVIDER_TIMEOUT": "1",
    "BADGES_ISSUER_RETRY_DELAY": "0.2",
    "BADGES_ISSUER_MAX_ATTEMPTS": "3",
}


def _template(template_id: str, issuer: dict[str, Any]) -> dict[str, Any]:
    course = f"course-v1:Issue+{template_id}+2026"

    def rules(passing: bool) -> list[dict[str, Any]]:
        return [
            {"path": "course.course_key", "op": "eq", "value": course},
            {"path": "is_passing", "op": "eq", "value": passing},
        ]

    return {
        "id": template_id,
        "name": f"{template_id.title()} Badge",
        "issuer": issuer,
        "requirements": [{"id": "pass", "event_type": COURSE_PASSING_STATUS, "rules": rules(True)}],
        "penalties": [
            {
                "id": "fail",
                "event_type": COURSE_PASSING_STATUS,
                "requirements": ["pass"],
                "rules": rules(False),
            }
        ],
    }


def config(credly: LocalCredly, accredible: LocalAccredible) -> dict[str, Any]:
    return {
        "templates": [
            _template(
                "credly",
                {"provider": "credly", "organization_id": ORG, "template_id": CREDLY_TEMPLATE},
            ),
            _template(
                "accredible", {"provider": "accredible", "api_config": "main", "group_id": GROUP}
            ),
        ],
        "providers": {
            "credly": {
                "api_base_url": credly.url,
                "organizations": [{"id": ORG, "api_key_env": "CREDLY_TEST_KEY"}],
            },
            "accredible": {
                "api_base_url": accredible.url,
                "api_configs": [{"name": "main", "api_key_env": "ACCREDIBLE_TEST_KEY"}],
            },
        },
    }


@pytest.fixture(scope="module")
def credly() -> Iterator[LocalCredly]:
    with LocalCredly(organizations={ORG: CREDLY_KEY}) as server:
        server.add_template(ORG, CREDLY_TEMPLATE, name="Credly Badge")
        yield server


@pytest.fixture(scope="module")
def accredible() -> Iterator[LocalAccredible]:
    with LocalAccredible(api_key=ACCREDIBLE_KEY) as server:
        server.add_group(GROUP, course_name="Accredible Badge")
        yield server


def new_deployment(
    kafka: str, tmp: Any, credly: LocalCredly, accredible: LocalAccredible
) -> Deployment:
    deployment = Deployment(kafka, f"iss-{uuid.uuid4().hex[:6]}", tmp, extra_env=SECRETS)
    deployment.create_topics()
    deployment.apply_config(config(credly, accredible))
    return deployment


@pytest.fixture(scope="module")
def deployment(
    kafka: str,
    credly: LocalCredly,
    accredible: LocalAccredible,
    tmp_path_factory: pytest.TempPathFactory,
) -> Deployment:
    return new_deployment(kafka, tmp_path_factory.mktemp("iss"), credly, accredible)


@pytest.fixture(scope="module")
def worker(deployment: Deployment) -> Iterator[WorkerProcess]:
    with running_worker(deployment) as worker:
        yield worker


class Learner:
    def __init__(self, deployment: Deployment, provider: str) -> None:
        self.deployment = deployment
        self.provider = provider
        self.username = f"{provider}-{uuid.uuid4().hex[:8]}"
        self.email = f"{self.username}@example.org"
        self.badge = badge_uuid(deployment.namespace, self.username, provider)

    def passes(self, passing: bool = True) -> None:
        course = f"course-v1:Issue+{self.provider}+2026"
        self.deployment.send([passing_event(7, self.username, course, passing)])

    def record(self) -> IssuedBadge | None:
        return self.deployment.issued().get(self.badge)

    def wait_for(self, *states: str, timeout: float = 60) -> IssuedBadge:
        return self.deployment.wait_for_issued(self.badge, *states, timeout=timeout)


def posts(server: LocalCredly | LocalAccredible, email: str) -> list[Any]:
    """The issue requests the server received for one recipient."""
    return [
        r
        for r in server.requests
        if r.method == "POST"
        and isinstance(r.json, dict)
        and email in str(r.json)
        and "search" not in r.path
    ]


def wait_until_issuing_is_idle(deployment: Deployment) -> None:
    """Every event, badge event, issuer command and scheduled retry handled and committed: any
    provider call they lead to has been made."""
    settings = deployment.settings
    wait_for_group_caught_up(
        deployment,
        60,
        [
            deployment.input_topic,
            settings.learner_events_topic,
            settings.lifecycle_topic,
            *(settings.issuer_topic(p) for p in PROVIDERS),
            *(settings.issuer_retry_topic(p) for p in PROVIDERS),
        ],
    )


def credly_badges(credly: LocalCredly, email: str) -> list[dict[str, Any]]:
    return [b for b in credly.badges() if b["recipient_email"] == email]


def test_credly_issue_and_revoke_are_the_documented_calls(
    credly: LocalCredly, deployment: Deployment, worker: WorkerProcess
) -> None:
    learner = Learner(deployment, "credly")
    learner.passes()
    record = learner.wait_for("pending", "accepted")

    [issue] = posts(credly, learner.email)
    assert issue.path == f"/v1/organizations/{ORG}/badges/"
    assert (
        issue.headers["Authorization"] == "Basic " + base64.b64encode(CREDLY_KEY.encode()).decode()
    )
    assert set(issue.json) == {
        "recipient_email",
        "issued_to_first_name",
        "issued_to_last_name",
        "badge_template_id",
        "issued_at",
    }
    assert issue.json["badge_template_id"] == CREDLY_TEMPLATE
    assert issue.json["recipient_email"] == learner.email
    assert record.external_id == credly_badges(credly, learner.email)[0]["id"]

    learner.passes(False)  # the penalty revokes the badge
    learner.wait_for("revoked")
    [revoke] = [r for r in credly.requests if r.method == "PUT" and record.external_id in r.path]
    assert revoke.path == f"/v1/organizations/{ORG}/badges/{record.external_id}/revoke/"
    assert set(revoke.json) == {"reason"}
    assert credly_badges(credly, learner.email)[0]["state"] == "revoked"


def test_accredible_issue_and_revoke_are_the_documented_calls(
    accredible: LocalAccredible, deployment: Deployment, worker: WorkerProcess
) -> None:
    learner = Learner(deployment, "accredible")
    learner.passes()
    record = learner.wait_for("accepted")

    [issue] = posts(accredible, learner.email)
    assert issue.path == "/v1/credentials"
    assert issue.headers["Authorization"] == f"Bearer {ACCREDIBLE_KEY}"
    credential = issue.json["credential"]
    assert credential["recipient"] == {
        "name": learner.username.replace("-", " ").title(),
        "email": learner.email,
    }
    assert credential["group_id"] == GROUP and credential["complete"] is True
    assert set(credential) == {"recipient", "group_id", "name", "issued_on", "complete"}

    learner.passes(False)
    learner.wait_for("expired")
    [expire] = [r for r in accredible.requests if r.method == "PATCH"]
    assert expire.path == f"/v1/credentials/{record.external_id}"
    assert set(expire.json["credential"]) == {"expired_on"}
    assert "+00:00" in expire.json["credential"]["expired_on"]


ISSUED = ("pending", "accepted")


@pytest.mark.parametrize(
    ("inject", "final", "issue_calls", "at_least_seconds"),
    [
        pytest.param(lambda s: s.fail_next(500), ISSUED, 2, 0, id="500-then-ok"),
        pytest.param(
            lambda s: s.fail_next(429, retry_after=1.5), ISSUED, 2, 1.5, id="429-retry-after"
        ),
        pytest.param(lambda s: s.fail_next(400), ("error",), 1, 0, id="400-error-at-once"),
        pytest.param(lambda s: s.malformed_next(), ISSUED, 2, 0, id="malformed-json"),
        pytest.param(lambda s: s.delay_next(2.5), ISSUED, 2, 0, id="timeout"),
        pytest.param(
            lambda s: s.fail_next(503, times=3), ("error",), 3, 0, id="5xx-until-attempts-run-out"
        ),
    ],
)
def test_credly_failure_matrix(
    credly: LocalCredly,
    deployment: Deployment,
    worker: WorkerProcess,
    inject: Any,
    final: tuple[str, ...],
    issue_calls: int,
    at_least_seconds: float,
) -> None:
    learner = Learner(deployment, "credly")
    inject(credly)
    started = time.monotonic()
    learner.passes()
    record = learner.wait_for(*final)
    elapsed = time.monotonic() - started
    wait_until_issuing_is_idle(deployment)  # a late, duplicate call would have been made by now
    assert len(posts(credly, learner.email)) == issue_calls
    assert len(credly_badges(credly, learner.email)) == (0 if final == ("error",) else 1)
    assert elapsed >= at_least_seconds  # Retry-After is honoured
    if final == ("error",):
        assert record.last_error
        parked = [
            d
            for d in deployment.read(deployment.settings.issuer_dead_letter_topic)
            if d.key == learner.badge.encode()
        ]
        assert parked and parked[-1].header("dead_letter_reason")


def test_connection_refused_is_retried_until_the_provider_returns(
    credly: LocalCredly, deployment: Deployment, worker: WorkerProcess
) -> None:
    learner = Learner(deployment, "credly")
    credly.go_down()
    try:
        learner.passes()
        learner.wait_for("retrying")
    finally:
        credly.come_back()
    learner.wait_for("pending", "accepted")
    assert len(credly_badges(credly, learner.email)) == 1


@pytest.mark.parametrize("which", ["uuid", "all-errors"])
def test_issuer_retry_re_issues_a_badge_parked_in_error(
    credly: LocalCredly, deployment: Deployment, worker: WorkerProcess, which: str
) -> None:
    learner = Learner(deployment, "credly")
    credly.fail_next(400)
    learner.passes()
    learner.wait_for("error")
    target = [learner.badge] if which == "uuid" else ["--all-errors"]
    result = subprocess.run(
        [str(CLI), "issuer", "retry", *target],
        env=deployment.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    learner.wait_for("pending", "accepted")
    assert len(credly_badges(credly, learner.email)) == 1


def test_a_revoke_while_the_issue_is_being_retried_leaves_nothing_issued(
    credly: LocalCredly, deployment: Deployment, worker: WorkerProcess
) -> None:
    learner = Learner(deployment, "credly")
    credly.fail_next(503, times=1)
    learner.passes()
    learner.wait_for("retrying", "pending", "accepted")
    learner.passes(False)  # the penalty revokes the badge while its issue may be pending
    learner.wait_for("revoked")
    wait_until_issuing_is_idle(deployment)  # the issue's scheduled retry came due: it did nothing
    final = learner.record()
    assert final is not None and final.state == "revoked"
    assert all(b["state"] == "revoked" for b in credly_badges(credly, learner.email))


def test_a_slow_provider_does_not_hold_up_the_other(
    credly: LocalCredly,
    accredible: LocalAccredible,
    deployment: Deployment,
    worker: WorkerProcess,
) -> None:
    slowed = [Learner(deployment, "credly") for _ in range(4)]
    credly.delay_next(2.5, times=12)  # every Credly call times out for a while
    try:
        for learner in slowed:
            learner.passes()
        wait_until(
            lambda: any(posts(credly, learner.email) for learner in slowed),
            30,
            "the Credly issuer to be stuck in its first timeout",
        )
        other = Learner(deployment, "accredible")
        other.passes()
        other.wait_for("accepted", timeout=8)
        settled = [learner.record() for learner in slowed]
        assert any(r is None or r.state not in ISSUED for r in settled), "Credly was not slow"
        # Awards never wait for issuing: every badge event is already out.
        awarded = {e.key for e in deployment.badge_events() if e.status == "awarded"}
        assert {learner.badge for learner in slowed} <= awarded
    finally:
        credly.reset_failures()
    for learner in slowed:
        learner.wait_for(*ISSUED, "error", timeout=120)


def test_secrets_never_reach_the_log_or_the_views(
    deployment: Deployment, worker: WorkerProcess
) -> None:
    encoded = base64.b64encode(CREDLY_KEY.encode()).decode()
    text = worker.log_path.read_text() + str(worker.get("/metrics")) + str(worker.get("/health"))
    for secret in (CREDLY_KEY, ACCREDIBLE_KEY, encoded):
        assert secret not in text
    assert "@example.org" not in worker.log_path.read_text()  # no learner email either


def test_killed_between_the_providers_answer_and_the_table_write_issues_once(
    kafka: str,
    credly: LocalCredly,
    accredible: LocalAccredible,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    deployment = new_deployment(kafka, tmp_path_factory.mktemp("kill"), credly, accredible)
    # Long enough that the worker is still waiting for the answer when it is killed.
    deployment.extra_env["PROVIDER_TIMEOUT"] = "60"
    learner = Learner(deployment, "credly")
    credly.hold_answer_next(30)  # the badge is issued, the answer never arrives
    first = deployment.start_worker("first")
    first.wait_ready()
    learner.passes()
    wait_until(lambda: len(credly_badges(credly, learner.email)) == 1, 60, "the badge at Credly")
    first.stop(signal.SIGKILL)

    with running_worker(deployment, "second"):
        record = learner.wait_for("pending", "accepted")
    assert len(credly_badges(credly, learner.email)) == 1  # the retry found it, did not re-issue
    assert record.external_id == credly_badges(credly, learner.email)[0]["id"]


WEBHOOK = "/badges/credly/webhook/"


def published_templates(deployment: Deployment) -> list[dict[str, Any]]:
    records = deployment.read(deployment.settings.config_topic)
    return list(json.loads(records[-1].value or b"{}")["templates"])


def test_credly_webhook_is_checked_with_credly_and_updates_the_config(
    credly: LocalCredly, deployment: Deployment, worker: WorkerProcess
) -> None:
    assert worker.post(WEBHOOK, b"not json", token=None)[0] == 400
    unknown_org = {"id": "e0", "organization_id": "nope", "event_type": "badge_template.created"}
    assert worker.post(WEBHOOK, unknown_org, token=None)[0] == 404
    forged = {"id": "never-sent", "organization_id": ORG, "event_type": "badge_template.created"}
    assert worker.post(WEBHOOK, forged, token=None)[0] == 403

    new_template = {
        "id": str(uuid.uuid4()),
        "name": "Data Wrangler",
        "state": "active",
        "description": "Wrangles data",
        "owner": {"id": ORG},
    }
    credly.add_event(
        ORG,
        "e1",
        {"id": "e1", "event_type": "badge_template.created", "badge_template": new_template},
    )
    created = {"id": "e1", "organization_id": ORG, "event_type": "badge_template.created"}
    status, body = worker.post(WEBHOOK, created, token=None)
    assert status == 200, body
    wait_until(
        lambda: any(
            t["issuer"].get("template_id") == new_template["id"]
            for t in published_templates(deployment)
        ),
        30,
        "the synced template on the config topic",
    )
    [added] = [
        t
        for t in published_templates(deployment)
        if t["issuer"].get("template_id") == new_template["id"]
    ]
    assert added["active"] is False and added["name"] == "Data Wrangler"

    credly.add_event(
        ORG,
        "e2",
        {
            "id": "e2",
            "event_type": "badge_template.deleted",
            "badge_template": {"id": CREDLY_TEMPLATE},
        },
    )
    deleted = {"id": "e2", "organization_id": ORG, "event_type": "badge_template.deleted"}
    assert worker.post(WEBHOOK, deleted, token=None)[0] == 200
    wait_until(
        lambda: (
            not next(t for t in published_templates(deployment) if t["id"] == "credly")["active"]
        ),
        30,
        "the deleted template deactivated",
    )


def test_sync_credly_adds_every_page_of_templates_inactive(
    credly: LocalCredly,
    kafka: str,
    accredible: LocalAccredible,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    deployment = new_deployment(kafka, tmp_path_factory.mktemp("sync"), credly, accredible)
    names = [f"Synced {i}" for i in range(5)]
    for name in names:
        credly.add_template(ORG, name=name)
    credly.page_size = 2  # several pages
    result = subprocess.run(
        [str(CLI), "sync", "credly"],
        env=deployment.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    templates = {t["name"]: t for t in published_templates(deployment)}
    for name in names:
        assert templates[name]["active"] is False
        assert templates[name]["issuer"]["organization_id"] == ORG
    page_requests = [r for r in credly.requests if "badge_templates" in r.path]
    assert len(page_requests) >= 3


def test_sync_accredible_adds_every_page_of_groups_once(
    credly: LocalCredly,
    kafka: str,
    accredible: LocalAccredible,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    deployment = new_deployment(kafka, tmp_path_factory.mktemp("sync-acc"), credly, accredible)
    groups = [accredible.add_group(course_name=f"Group course {i}") for i in range(5)]
    accredible.max_groups_per_page = 2  # several pages
    try:
        outputs = [sync_cli(deployment, "accredible") for _ in range(2)]
    finally:
        accredible.max_groups_per_page = 100
    by_group: dict[int, list[dict[str, Any]]] = {}
    for template in published_templates(deployment):
        if template["issuer"]["provider"] == "accredible":
            by_group.setdefault(template["issuer"]["group_id"], []).append(template)
    assert set(by_group) >= {GROUP, *groups}
    assert all(len(templates) == 1 for templates in by_group.values())  # each group once
    assert [by_group[g][0]["active"] for g in groups] == [False] * 5
    assert by_group[GROUP][0]["id"] == "accredible" and by_group[GROUP][0]["active"]
    assert outputs[1].startswith("synced: 0 added")  # the second run finds nothing new
    asked = [r.path for r in accredible.requests if "all_groups" in r.path]
    one_run = [f"/v1/issuer/all_groups?page={n}&page_size=100" for n in range(1, 4)]
    assert len(by_group) == 6 and asked == one_run * 2  # 6 groups, 2 a page: 3 pages a run


def sync_cli(deployment: Deployment, provider: str) -> str:
    result = subprocess.run(
        [str(CLI), "sync", provider],
        env=deployment.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout
