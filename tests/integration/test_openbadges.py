"""Self-hosted Open Badges 3.0 issuing on the real broker: an award becomes a signed credential
served at its URL that `faust-badges ob verify` accepts; a revoke sets its status list bit; a
worker restart (clean or killed) serves the same credential bytes and the same revocations."""

from __future__ import annotations

import json
import signal
import subprocess
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft201909Validator

from faust_badges.core.badges import badge_uuid
from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.openbadges.keys import generate_pem, parse_signing_key
from faust_badges.samples import passing_event
from faust_badges.web.openbadges_views import FORWARDED
from tests.integration.harness import CLI, Deployment, WorkerProcess, running_worker, wait_until

pytestmark = pytest.mark.integration

KEY_PEM = generate_pem()
KEY_VARIABLE = "OB_TEST_SIGNING_KEY"
COURSE = "course-v1:OB+Py101+2026"
TEMPLATE = "ob-python"
SCHEMA = Path(__file__).parents[1] / "unit" / "openbadges" / "data"
SCHEMA /= "ob_v3p0_achievementcredential_schema.json"


def config(base_url: str) -> dict[str, Any]:
    def rules(passing: bool) -> list[dict[str, Any]]:
        return [
            {"path": "course.course_key", "op": "eq", "value": COURSE},
            {"path": "is_passing", "op": "eq", "value": passing},
        ]

    return {
        "templates": [
            {
                "id": TEMPLATE,
                "name": "Python Fundamentals",
                "description": "Passed Python 101",
                "image_url": "https://example.org/py.png",
                "issuer": {"provider": "openbadges"},
                "requirements": [
                    {
                        "id": "py101",
                        "event_type": COURSE_PASSING_STATUS,
                        "description": "Pass Python 101",
                        "rules": rules(True),
                    }
                ],
                "penalties": [
                    {
                        "id": "py101-failed",
                        "event_type": COURSE_PASSING_STATUS,
                        "requirements": ["py101"],
                        "rules": rules(False),
                    }
                ],
            }
        ],
        "providers": {
            "openbadges": {
                "public_base_url": base_url,
                "signing_key_env": KEY_VARIABLE,
                "issuer": {
                    "name": "Example University",
                    "url": "https://example.org",
                    "email": "badges@example.org",
                },
            }
        },
    }


@pytest.fixture(scope="module")
def deployment(kafka: str, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    return Deployment(
        kafka,
        f"ob-{uuid.uuid4().hex[:6]}",
        tmp_path_factory.mktemp("ob"),
        extra_env={KEY_VARIABLE: KEY_PEM},
    )


@pytest.fixture(scope="module")
def worker(deployment: Deployment) -> Iterator[WorkerProcess]:
    worker = WorkerProcess(deployment, "w1", {})  # its port is known before it starts
    deployment.create_topics()
    deployment.apply_config(config(f"http://127.0.0.1:{worker.port}"))
    worker.start()
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


class Learner:
    def __init__(self, deployment: Deployment, worker: WorkerProcess) -> None:
        self.deployment, self.worker = deployment, worker
        self.username = f"ob-{uuid.uuid4().hex[:8]}"
        self.email = f"{self.username}@example.org"
        self.badge = badge_uuid(deployment.namespace, self.username, TEMPLATE)
        self.url = f"http://127.0.0.1:{worker.port}/ob/credentials/{self.badge}"

    def passes(self, passing: bool = True) -> None:
        self.deployment.send([passing_event(11, self.username, COURSE, passing)])

    def credential_bytes(self) -> bytes:
        with urllib.request.urlopen(self.url, timeout=10) as response:
            assert response.headers["Content-Type"].startswith("application/ld+json")
            return bytes(response.read())

    def verify(self, source: str | None = None) -> tuple[int, str]:
        result = subprocess.run(
            [str(CLI), "ob", "verify", source or self.url],
            env=self.deployment.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.returncode, result.stdout.strip() + result.stderr.strip()


def _restart(worker: WorkerProcess, sig: int) -> None:
    worker.stop(sig)
    worker.start()
    worker.wait_ready()


def test_award_serves_a_credential_that_verifies_and_a_revoke_is_published(
    deployment: Deployment, worker: WorkerProcess, tmp_path: Path
) -> None:
    revoked, kept = Learner(deployment, worker), Learner(deployment, worker)
    revoked.passes()
    kept.passes()
    record = deployment.wait_for_issued(revoked.badge, "accepted")
    deployment.wait_for_issued(kept.badge, "accepted")
    assert record.external_id == revoked.url

    issued = revoked.credential_bytes()
    credential = json.loads(issued)
    assert credential["id"] == revoked.url
    assert revoked.email not in issued.decode() and revoked.username not in issued.decode()
    errors = list(Draft201909Validator(json.loads(SCHEMA.read_text())).iter_errors(credential))
    assert errors == []
    assert revoked.verify() == (0, "valid")
    saved = tmp_path / "credential.json"
    saved.write_bytes(issued)
    assert revoked.verify(str(saved)) == (0, "valid")  # a file, its documents read by URL

    revoked.passes(False)  # the penalty revokes the badge
    deployment.wait_for_issued(revoked.badge, "revoked")
    assert revoked.verify() == (1, "revoked: the issuer has revoked it")
    assert kept.verify() == (0, "valid")
    assert revoked.credential_bytes() == issued  # revocation is in the list, not the credential
    page = worker.get(f"/ob/badges/{revoked.badge}", token=None)
    assert "Revoked on" in page and "Python Fundamentals" in page

    kept_bytes = kept.credential_bytes()
    for sig in (signal.SIGTERM, signal.SIGKILL):  # kept stores, then rebuilt from changelogs
        _restart(worker, sig)
        assert revoked.credential_bytes() == issued
        assert kept.credential_bytes() == kept_bytes
        assert revoked.verify() == (1, "revoked: the issuer has revoked it")
        assert kept.verify() == (0, "valid")

    again = Learner(deployment, worker)  # a badge after the restarts takes a fresh index
    again.passes()
    deployment.wait_for_issued(again.badge, "accepted")
    assert again.verify() == (0, "valid")
    indexes = {
        json.loads(learner.credential_bytes())["credentialStatus"]["id"]
        for learner in (revoked, kept, again)
    }
    assert len(indexes) == 3


def test_a_tampered_credential_is_invalid(
    deployment: Deployment, worker: WorkerProcess, tmp_path: Path
) -> None:
    learner = Learner(deployment, worker)
    learner.passes()
    deployment.wait_for_issued(learner.badge, "accepted")
    credential = json.loads(learner.credential_bytes())
    credential["credentialSubject"]["achievement"]["name"] = "Rocket Science"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(credential))
    assert learner.verify(str(forged)) == (2, "invalid: the signature does not verify")


def test_the_private_key_never_reaches_the_log_or_a_view(
    deployment: Deployment, worker: WorkerProcess
) -> None:
    learner = Learner(deployment, worker)
    learner.passes()
    deployment.wait_for_issued(learner.badge, "accepted")
    profile = worker.get("/ob/issuer", token=None)
    key = parse_signing_key(KEY_PEM.encode())
    [method] = profile["verificationMethod"]
    assert method["publicKeyMultibase"] == key.public_multibase
    assert "d" not in method["publicKeyJwk"]
    status_url = json.loads(learner.credential_bytes())["credentialStatus"]["statusListCredential"]
    views = [
        json.dumps(profile),
        learner.credential_bytes().decode(),
        str(worker.get(status_url.split(str(worker.port), 1)[1], token=None)),
        str(worker.get(f"/ob/badges/{learner.badge}", token=None)),
        str(worker.get("/badges/badges/")),
        str(worker.get(f"/badges/badges/{learner.badge}/")),
        str(worker.get("/metrics")),
        str(worker.get("/health")),
    ]
    text = worker.log_path.read_text() + "".join(views)
    secret_lines = [line for line in KEY_PEM.splitlines() if "-----" not in line]
    assert secret_lines and all(line not in text for line in secret_lines)
    assert learner.email not in worker.log_path.read_text()


def _fetch(worker: WorkerProcess, path: str, *, local_only: bool = False) -> tuple[int, bytes]:
    """Status and body of a public view; ``local_only`` asks the worker not to forward."""
    request = urllib.request.Request(f"http://127.0.0.1:{worker.port}{path}")
    if local_only:
        request.add_header(FORWARDED, "1")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, bytes(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_with_two_workers_each_serves_every_status_list_as_its_owner_has_it(
    deployment: Deployment, worker: WorkerProcess
) -> None:
    """A status list lives in one table partition; the worker that does not hold it forwards
    to the one that does. Checked by revoking, once the second worker holds some partitions, a
    badge of each worker's lists and reading every list from both workers."""
    learners = [Learner(deployment, worker) for _ in range(12)]
    for learner in learners:
        learner.passes()
    for learner in learners:
        deployment.wait_for_issued(learner.badge, "accepted")
    status_of = {
        learner.badge: json.loads(learner.credential_bytes())["credentialStatus"]
        for learner in learners
    }
    lists = {status["statusListCredential"].rsplit("/", 1)[1] for status in status_of.values()}

    with running_worker(deployment, "w2") as second:
        # The second worker starts with an empty data dir: a list it answers without
        # forwarding is one of its own partitions, restored from the changelog.
        def held_by_second() -> set[str]:
            return {
                list_id
                for list_id in lists
                if _fetch(second, f"/ob/status/{list_id}", local_only=True)[0] == 200
            }

        wait_until(lambda: 0 < len(held_by_second()) < len(lists), 90, "lists on both workers")
        theirs = held_by_second()
        ours = lists - theirs
        # Revoke one badge of each side: the other worker's copy (the first worker still has
        # the files of the partitions it gave away) would be stale if it did not forward.
        for side in (theirs, ours):
            learner = next(
                learner
                for learner in learners
                if status_of[learner.badge]["statusListCredential"].rsplit("/", 1)[1] in side
            )
            learner.passes(False)
            deployment.wait_for_issued(learner.badge, "revoked")
            assert learner.verify() == (1, "revoked: the issuer has revoked it")

        for list_id in lists:
            first_answer = _fetch(worker, f"/ob/status/{list_id}")
            assert first_answer[0] == 200
            assert _fetch(second, f"/ob/status/{list_id}") == first_answer, list_id
