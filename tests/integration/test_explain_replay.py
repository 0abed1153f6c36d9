"""`faust-badges explain` and `faust-badges replay` against a running worker on the real broker.

One story: a learner is partly through a badge; explain names what is missing and why. Replaying
the already-processed range changes nothing. After a config change, replaying the same range
awards the new badge that the old events earn: the point of replay.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.samples import json_event, passing_event, passing_status_data
from tests.integration.harness import (
    CLI,
    Deployment,
    WorkerProcess,
    comparable,
    running_worker,
    wait_for_inputs_handled,
    wait_until,
)

pytestmark = pytest.mark.integration

PASS = COURSE_PASSING_STATUS


def course(name: str) -> str:
    return f"course-v1:Test+{name}+2026"


def requirement(rid: str, name: str, group: str) -> dict[str, Any]:
    rules = [
        {"path": "course.course_key", "op": "eq", "value": course(name)},
        {"path": "is_passing", "op": "eq", "value": True},
    ]
    return {"id": rid, "event_type": PASS, "group": group, "rules": rules}


# (py101 | py102) & py201
CONFIG: dict[str, Any] = {
    "templates": [
        {
            "id": "python",
            "name": "Python",
            "requirements": [
                requirement("py101", "Py101", "AB"),
                requirement("py102", "Py102", "AB"),
                requirement("py201", "Py201", "C"),
            ],
        }
    ]
}


def cli(deployment: Deployment, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args], env=deployment.env(), capture_output=True, text=True, timeout=120
    )


def replay(deployment: Deployment, since: datetime) -> dict[str, int]:
    """Run `replay --since` and return the summary row of the input topic."""
    result = cli(deployment, "replay", "--since", since.isoformat())
    assert result.returncode == 0, result.stderr
    assert "100%" in result.stderr  # the progress bar ran to its end
    assert "deduplicates by event id" in result.stdout
    row = next(
        line for line in result.stdout.splitlines() if line.startswith(deployment.input_topic)
    )
    read, copied, skipped, dead = (int(n) for n in row.split()[1:5])
    return {"read": read, "copied": copied, "skipped": skipped, "dead": dead}


def wait_for_replay_handled(
    worker: WorkerProcess, before: tuple[float, float], copied: int
) -> None:
    """Every copied message went through ingest and the progress agent."""
    events_before, decisions_before = before

    def handled() -> bool:
        return (
            worker.counter("badges_events_total") >= events_before + copied
            and worker.counter("badges_decisions_total") >= decisions_before + copied
        )

    wait_until(handled, 60, f"{copied} replayed messages handled", worker.log_tail)


def counters(worker: WorkerProcess) -> tuple[float, float]:
    return worker.counter("badges_events_total"), worker.counter("badges_decisions_total")


@pytest.fixture
def deployment(kafka: str, tmp_path: Path) -> Deployment:
    deployment = Deployment(kafka, f"replay-{uuid.uuid4().hex[:6]}", tmp_path)
    deployment.create_topics()
    deployment.apply_config(CONFIG)
    return deployment


def test_explain_then_replay_changes_nothing_until_the_config_does(
    deployment: Deployment,
) -> None:
    username = f"ada-{uuid.uuid4().hex[:6]}"
    no_user = passing_status_data(7, username, course("Py201"), True)
    del no_user["user"]
    since = datetime.now(UTC) - timedelta(seconds=2)
    with running_worker(deployment) as worker:
        deployment.send(
            [
                passing_event(7, username, course("Py101"), event_id="e-py101"),
                passing_event(7, username, course("Intro"), event_id="e-intro"),
                json_event(
                    "org.openedx.learning.course.enrollment.created.v1",
                    "enrollment",
                    passing_status_data(7, username, course("Py201"), True),
                    key="k",
                ),
                json_event(PASS, "course_passing_status", no_user, key="k"),
            ]
        )
        wait_for_inputs_handled([worker], len(deployment.produced))

        # --- explain names the missing group and the rule that failed, with the actual value.
        explained = cli(deployment, "explain", username)
        assert explained.returncode == 0, explained.stderr
        text = explained.stdout
        assert "✗ python (Python): 1 of 2 group(s) fulfilled (50%)\n  badge: not awarded" in text
        assert "missing: group C" in text
        assert "✓ group AB (any one of 2)" in text
        assert "fulfilled by event e-py101" in text
        assert "✗ group C — MISSING" in text
        assert f"✗ course.course_key eq '{course('Py201')}' — was '{course('Intro')}'" in text, text
        assert "✓ is_passing eq true — was true" in text
        closest = "the closest of 2 event(s) of its type matches 1 of 2 rule(s):"
        assert f"{closest}\n          event e-intro" in text
        assert "older than the retention of" in text

        document = json.loads(cli(deployment, "explain", username, "python", "--json").stdout)
        (python,) = document["templates"]
        assert python["missing_groups"] == ["group C"] and python["badge"]["status"] == "none"

        unknown = cli(deployment, "explain", "nobody-at-all")
        assert unknown.returncode == 1 and "unknown learner 'nobody-at-all'" in unknown.stderr
        assert cli(deployment, "explain", username, "nope").returncode == 1

        # --- replaying what was already processed changes nothing.
        progress_before = comparable(deployment.stored_progress())
        badges_before = deployment.badge_events()
        dead_before = len(deployment.dead_letters())
        before = counters(worker)

        summary = replay(deployment, since)
        assert summary == {"read": 4, "copied": 2, "skipped": 1, "dead": 1}
        wait_for_replay_handled(worker, before, summary["copied"])

        assert comparable(deployment.stored_progress()) == progress_before
        assert deployment.badge_events() == badges_before
        assert len(deployment.dead_letters()) == dead_before  # a replay adds no dead letters

        # --- a new template that the old "Intro" event earns: replay awards it.
        changed = copy.deepcopy(CONFIG)
        changed["templates"].append(
            {"id": "intro", "name": "Intro", "requirements": [requirement("i", "Intro", "I")]}
        )
        revision = deployment.apply_config(changed)
        worker.wait_for_config(revision)
        before = counters(worker)
        summary = replay(deployment, since)
        assert summary["copied"] == 2
        wait_for_replay_handled(worker, before, summary["copied"])

        awarded = [
            (e.status, e.template_name) for e in deployment.badge_events() if e.username == username
        ]
        assert awarded == [("awarded", "Intro")]
        explained = cli(deployment, "explain", username, "intro")
        assert explained.returncode == 0, explained.stderr
        awarded_line = r"✓ intro \(Intro\): 1 of 1 group\(s\) fulfilled \(100%\)\n  badge: AWARDED"
        assert re.search(f"{awarded_line} by event e-intro", explained.stdout), explained.stdout
        assert len(deployment.dead_letters()) == dead_before


def test_a_malformed_since_is_a_usage_error(kafka: str, tmp_path: Path) -> None:
    deployment = Deployment(kafka, f"replay-{uuid.uuid4().hex[:6]}", tmp_path)
    result = cli(deployment, "replay", "--since", "last tuesday")
    assert result.returncode == 2
    assert "'--since'" in result.stderr and "ISO 8601" in result.stderr
