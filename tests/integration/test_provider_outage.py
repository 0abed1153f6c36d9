"""Credly is out for longer than the first backoffs while learners earn badges: awards go on,
and once Credly is back every badge is issued there exactly once, none parked (issue 10).

The outage is first 503 to every call, then a server that refuses connections; backoffs are
configured small (BADGES_ISSUER_RETRY_DELAY) so that it spans several of them within the test.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from faust_badges.core.badges import badge_uuid
from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.core.issuing import IssueState
from faust_badges.samples import KafkaMessage, passing_event
from tests.integration.chaos import PacedProducer
from tests.integration.harness import Deployment, WorkerProcess, running_worker, wait_until
from tests.servers.credly import LocalCredly

pytestmark = pytest.mark.integration

ORG = "6d3f3a46-0000-4000-8000-0000000000aa"
CREDLY_TEMPLATE = "0b9d3e62-0000-4000-8000-0000000000ab"
CREDLY_KEY = "credly-outage-key-0001"
COURSE = "course-v1:Outage+Py101+2026"
TEMPLATE_ID = "outage"

#: The stream: one learner passes every 0.4 s for 30 s. Credly answers for the first 5 s,
#: then 503 for 9 s, then refuses connections for 9 s, then is back for the rest.
LEARNERS, RATE = 75, 2.5
UP_FIRST, FAILING_503, REFUSING = 5.0, 9.0, 9.0
#: Backoff 0.5 s doubling (+ up to 20 % jitter): a badge awarded as the outage starts fails
#: about six times (0, 0.5, 1.5, 3.5, 7.5, 15.5 s) before a call after the outage issues it.
#: Twenty attempts is far more than the outage can use up: any badge in error is wrong.
RETRY_ENV = {
    "CREDLY_OUTAGE_KEY": CREDLY_KEY,
    "PROVIDER_TIMEOUT": "5",
    "BADGES_ISSUER_RETRY_DELAY": "0.5",
    "BADGES_ISSUER_MAX_ATTEMPTS": "20",
}


def config(credly_url: str) -> dict[str, Any]:
    """One template, issued by Credly at ``credly_url``, earned by passing COURSE."""
    return {
        "templates": [
            {
                "id": TEMPLATE_ID,
                "name": "Outage Badge",
                "issuer": {
                    "provider": "credly",
                    "organization_id": ORG,
                    "template_id": CREDLY_TEMPLATE,
                },
                "requirements": [
                    {
                        "id": "pass",
                        "event_type": COURSE_PASSING_STATUS,
                        "rules": [
                            {"path": "course.course_key", "op": "eq", "value": COURSE},
                            {"path": "is_passing", "op": "eq", "value": True},
                        ],
                    }
                ],
            }
        ],
        "providers": {
            "credly": {
                "api_base_url": credly_url,
                "organizations": [{"id": ORG, "api_key_env": "CREDLY_OUTAGE_KEY"}],
            }
        },
    }


@pytest.fixture
def credly() -> Iterator[LocalCredly]:
    with LocalCredly(organizations={ORG: CREDLY_KEY}) as server:
        server.add_template(ORG, CREDLY_TEMPLATE, name="Outage Badge")
        yield server


def learners_passing(usernames: list[str]) -> list[KafkaMessage]:
    return [
        passing_event(50_000 + i, username, COURSE, True, event_id=f"{username}-passed")
        for i, username in enumerate(usernames)
    ]


def awarded_usernames(deployment: Deployment) -> set[str]:
    return {e.username for e in deployment.badge_events() if e.status == "awarded"}


def badges_in_state(worker: WorkerProcess, state: str) -> list[dict[str, Any]]:
    """The worker's ops view of the issued badges in ``state``."""
    answer = worker.get(f"/badges/badges/?state={state}")
    assert isinstance(answer, dict), f"no answer from /badges/badges/: {answer!r}"
    return list(answer["badges"])


def issue_answers(credly: LocalCredly) -> Counter[tuple[str, int]]:
    """(recipient email, status) -> how many issue calls Credly answered so."""
    return Counter(
        (str(request.json["recipient_email"]), status)
        for request, status in credly.answered
        if request.method == "POST" and request.path.endswith("/badges/")
    )


def test_a_credly_outage_delays_issuing_only(
    kafka: str, credly: LocalCredly, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run = uuid.uuid4().hex[:6]
    deployment = Deployment(
        kafka, f"out-{run}", tmp_path_factory.mktemp("out"), extra_env=RETRY_ENV
    )
    deployment.create_topics()
    deployment.apply_config(config(credly.url))
    usernames = [f"out-{run}-{i:03d}" for i in range(LEARNERS)]
    badges = {u: badge_uuid(deployment.namespace, u, TEMPLATE_ID) for u in usernames}
    producer = PacedProducer(kafka, deployment.input_topic, learners_passing(usernames), RATE)

    with running_worker(deployment) as worker:
        producer.start()
        try:
            time.sleep(UP_FIRST)
            credly.fail_all(503)
            outage_from = producer.sent
            time.sleep(FAILING_503)
            credly.go_down()  # still failing: a call in flight as it closes cannot succeed
            time.sleep(REFUSING)
            passed_in_outage = usernames[outage_from : producer.sent]
            # Awards never wait for issuing: the learners who passed during the outage have
            # their award events while Credly is still down.
            wait_until(
                lambda: set(passed_in_outage) <= awarded_usernames(deployment),
                5,
                "the awards of the learners who passed during the outage",
                worker.log_tail,
            )
            retrying = {b["badge_uuid"] for b in badges_in_state(worker, "retrying")}
        finally:
            credly.reset_failures()
            credly.come_back()
        assert len(passed_in_outage) >= 0.8 * RATE * (FAILING_503 + REFUSING)
        assert retrying & {badges[u] for u in passed_in_outage}, "no badge retrying in the outage"

        producer.join(timeout=60)
        assert producer.error is None and not producer.is_alive()
        wait_until(
            lambda: len(badges_in_state(worker, "pending")) == LEARNERS,
            90,
            "every badge issued after the outage",
            lambda: str(Counter(r.state for r in deployment.issued().values())),
        )
        assert badges_in_state(worker, "error") == []

    history = deployment.issued_history()
    assert set(history) == set(badges.values())
    # None parked, not even for a while; none dead-lettered.
    assert all(r.state is not IssueState.ERROR for h in history.values() for r in h)
    assert deployment.read(deployment.settings.issuer_dead_letter_topic) == []
    # Both kinds of outage were retried, and it spanned several backoff steps: a badge awarded
    # as it began failed at least four times (0, 0.5, 1.5, 3.5 s; see RETRY_ENV).
    errors = {r.last_error or "" for h in history.values() for r in h}
    assert any("HTTP 503" in e for e in errors) and any("ConnectError" in e for e in errors)
    assert max(h[-1].attempts for h in history.values()) >= 5
    # Exactly once at Credly: one badge per learner, created by the one call answered 201; and
    # no issue call after that one (PROVIDER_TIMEOUT is far above the local server's answer
    # time, so a repeat would be a re-issue of an issued badge, answered 422 "already has").
    answers = issue_answers(credly)
    held = Counter(b["recipient_email"] for b in credly.badges())
    external_ids = {b["recipient_email"]: b["id"] for b in credly.badges()}
    for username, badge in badges.items():
        email = f"{username}@example.org"
        assert held[email] == 1, f"{username} holds {held[email]} badges at Credly"
        assert answers[email, 201] == 1, f"{username}: {answers[email, 201]} calls created one"
        assert answers[email, 422] == 0, f"{username}: issued again after it was issued"
        assert history[badge][-1].external_id == external_ids[email]
