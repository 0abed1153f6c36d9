"""SPEC §2-§5 scenarios against one real worker on the real broker (JSON wire format).

The worker is shared by the module; each test uses its own learners and courses and waits on the
"every input handled" barrier before it looks at the output topics.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from faust_badges.core.badges import badge_uuid
from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.samples import json_event, passing_event, passing_status_data
from tests.integration.harness import (
    BadgeEvent,
    Deployment,
    WorkerProcess,
    running_worker,
    wait_for_inputs_handled,
)

pytestmark = pytest.mark.integration

PASS = COURSE_PASSING_STATUS


def requirement(rid: str, course: str, *, group: str | None = None) -> dict[str, Any]:
    rules = [
        {"path": "course.course_key", "op": "eq", "value": course},
        {"path": "is_passing", "op": "eq", "value": True},
    ]
    return {"id": rid, "event_type": PASS, "rules": rules, **({"group": group} if group else {})}


def course(name: str) -> str:
    return f"course-v1:Test+{name}+2026"


CONFIG: dict[str, Any] = {
    "templates": [
        {"id": "single", "name": "Single", "requirements": [requirement("s", course("Single"))]},
        {
            "id": "groups",
            "name": "Groups",
            "requirements": [
                requirement("a", course("GA"), group="ab"),
                requirement("b", course("GB"), group="ab"),
                requirement("c", course("GC"), group="cd"),
                requirement("d", course("GD"), group="cd"),
            ],
        },
        {
            "id": "penalised",
            "name": "Penalised",
            "requirements": [requirement("p1", course("Pen1")), requirement("p2", course("Pen2"))],
            "penalties": [
                {
                    "id": "pen1-failed",
                    "event_type": PASS,
                    "requirements": ["p1", "p2"],
                    "rules": [
                        {"path": "course.course_key", "op": "eq", "value": course("Pen1")},
                        {"path": "is_passing", "op": "eq", "value": False},
                    ],
                }
            ],
        },
        {
            "id": "inactive",
            "name": "Inactive",
            "active": False,
            "requirements": [requirement("i", course("Inactive"))],
        },
        {
            "id": "later",
            "name": "Later",
            "active": False,
            "requirements": [requirement("l", course("Later"))],
        },
    ]
}


@pytest.fixture(scope="module")
def deployment(kafka: str, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    deployment = Deployment(kafka, f"scen-{uuid.uuid4().hex[:6]}", tmp_path_factory.mktemp("scen"))
    deployment.create_topics()
    deployment.apply_config(CONFIG)
    return deployment


@pytest.fixture(scope="module")
def worker(deployment: Deployment) -> Iterator[WorkerProcess]:
    with running_worker(deployment) as worker:
        yield worker


class Learner:
    """A fresh learner per test, so tests sharing the worker never see each other's badges."""

    def __init__(self, tag: str) -> None:
        self.user_id = abs(hash((tag, uuid.uuid4().hex))) % 10**9
        self.username = f"{tag}-{uuid.uuid4().hex[:6]}"

    def passes(self, name: str, passing: bool = True, event_id: str | None = None) -> Any:
        return passing_event(self.user_id, self.username, course(name), passing, event_id=event_id)


def settle(deployment: Deployment, worker: WorkerProcess) -> None:
    wait_for_inputs_handled([worker], len(deployment.produced))


def badges_of(deployment: Deployment, learner: Learner) -> list[BadgeEvent]:
    return [e for e in deployment.badge_events() if e.username == learner.username]


def statuses(events: list[BadgeEvent]) -> list[tuple[str, str]]:
    return [(e.status, e.template_name) for e in events]


def test_single_requirement_awards_one_badge(deployment: Deployment, worker: WorkerProcess) -> None:
    learner = Learner("single")
    deployment.send([learner.passes("Single")])
    settle(deployment, worker)

    events = badges_of(deployment, learner)
    assert statuses(events) == [("awarded", "Single")]
    expected_uuid = badge_uuid(deployment.namespace, learner.username, "single")
    assert events[0].key == expected_uuid == events[0].badge["uuid"]
    assert events[0].badge["user"]["id"] == learner.user_id
    assert events[0].badge["template"]["origin"] == "openedx"


def test_groups_award_only_when_every_group_is_fulfilled(
    deployment: Deployment, worker: WorkerProcess
) -> None:
    learner = Learner("groups")
    deployment.send([learner.passes("GA"), learner.passes("GB")])  # both of group ab only
    settle(deployment, worker)
    assert badges_of(deployment, learner) == []

    deployment.send([learner.passes("GD")])  # one of group cd completes it
    settle(deployment, worker)
    assert statuses(badges_of(deployment, learner)) == [("awarded", "Groups")]


def test_penalty_revokes_once_and_revoked_is_final(
    deployment: Deployment, worker: WorkerProcess
) -> None:
    learner = Learner("penalty")
    deployment.send([learner.passes("Pen1"), learner.passes("Pen2")])
    settle(deployment, worker)
    assert statuses(badges_of(deployment, learner)) == [("awarded", "Penalised")]

    # One penalty resets two requirements: one revocation. A second failure changes nothing.
    deployment.send([learner.passes("Pen1", passing=False), learner.passes("Pen1", False)])
    settle(deployment, worker)
    # Fulfilling everything again never brings a revoked badge back.
    deployment.send([learner.passes("Pen1"), learner.passes("Pen2")])
    settle(deployment, worker)

    events = badges_of(deployment, learner)
    assert statuses(events) == [("awarded", "Penalised"), ("revoked", "Penalised")]
    assert events[0].key == events[1].key
    assert events[0].event_id != events[1].event_id


def test_the_same_event_twice_awards_once(deployment: Deployment, worker: WorkerProcess) -> None:
    learner = Learner("dup")
    event = learner.passes("Single", event_id=str(uuid.uuid4()))
    deployment.send([event, event])
    settle(deployment, worker)
    deployment.send([event])  # redelivered later, too
    settle(deployment, worker)
    assert statuses(badges_of(deployment, learner)) == [("awarded", "Single")]


def test_inactive_template_is_ignored(deployment: Deployment, worker: WorkerProcess) -> None:
    learner = Learner("inactive")
    deployment.send([learner.passes("Inactive")])
    settle(deployment, worker)
    assert badges_of(deployment, learner) == []


def test_bad_input_is_dead_lettered_with_its_reason_and_the_worker_goes_on(
    deployment: Deployment, worker: WorkerProcess
) -> None:
    learner = Learner("bad")
    no_user = passing_status_data(1, learner.username, course("Single"), True)
    del no_user["user"]
    invalid = passing_status_data(1, learner.username, course("Single"), True)
    invalid["is_passing"] = "yes"  # a string where Open edX sends a boolean
    _key, good_value, headers = learner.passes("Single")
    messages = [
        json_event(PASS, "course_passing_status", no_user, key="k"),
        (b"k", b"\xff\xfe not json at all", headers),
        json_event(PASS, "course_passing_status", invalid, key="k"),
        (b"k", good_value, [(n, v) for n, v in headers if n != "ce_type"]),
    ]
    dead_before = len(deployment.dead_letters())
    deployment.send([*messages, learner.passes("Single")])
    settle(deployment, worker)

    dead = deployment.dead_letters()[dead_before:]
    reasons = sorted((d.header("dead_letter_reason") or "").split(":")[0] for d in dead)
    assert reasons == ["invalid_payload", "missing_ce_type", "missing_user", "undecodable"]
    by_reason = {(d.header("dead_letter_reason") or "").split(":")[0]: d for d in dead}
    assert by_reason["undecodable"].value == b"\xff\xfe not json at all"
    assert by_reason["undecodable"].header("ce_id") == dict(headers)["ce_id"].decode()
    assert by_reason["invalid_payload"].header("dead_letter_topic") == deployment.input_topic
    assert "is_passing" in (by_reason["invalid_payload"].header("dead_letter_reason") or "")
    # The good event after the bad ones still earns its badge.
    assert statuses(badges_of(deployment, learner)) == [("awarded", "Single")]
    assert worker.counter('badges_events_total{outcome="dead_lettered"') >= 4


def test_unconfigured_event_type_is_skipped_and_counted(
    deployment: Deployment, worker: WorkerProcess
) -> None:
    learner = Learner("unknown")
    skipped_before = worker.counter('badges_events_total{outcome="skipped"')
    dead_before = len(deployment.dead_letters())
    data = passing_status_data(learner.user_id, learner.username, course("Single"), True)
    deployment.send(
        [
            json_event(
                "org.openedx.learning.course.enrollment.created.v1", "enrollment", data, key="k"
            )
        ]
    )
    settle(deployment, worker)
    assert worker.counter('badges_events_total{outcome="skipped"') == skipped_before + 1
    assert len(deployment.dead_letters()) == dead_before
    assert badges_of(deployment, learner) == []


def test_config_change_takes_effect_without_restart(
    deployment: Deployment, worker: WorkerProcess, tmp_path: Path
) -> None:
    learner = Learner("later")
    deployment.send([learner.passes("Later")])
    settle(deployment, worker)
    assert badges_of(deployment, learner) == []

    changed = copy.deepcopy(CONFIG)
    next(t for t in changed["templates"] if t["id"] == "later")["active"] = True
    revision = deployment.apply_config(changed)
    worker.wait_for_config(revision)
    deployment.send([learner.passes("Later", event_id=str(uuid.uuid4()))])
    settle(deployment, worker)
    assert statuses(badges_of(deployment, learner)) == [("awarded", "Later")]


def test_metrics_need_the_ops_token_and_health_does_not(worker: WorkerProcess) -> None:
    assert worker.status("/metrics", token=None) == 401
    assert worker.status("/metrics", token="wrong") == 401
    assert worker.status("/metrics") == 200
    assert "badges_events_total" in worker.get("/metrics")
    assert worker.status("/health", token=None) == 200
