"""After a crash, local RocksDB state is rebuilt from the changelogs; after a clean stop it is kept.

The crash case is the mechanism behind issue 14, made deterministic: a worker is SIGKILLed and
its progress store is left holding a write that never reached the changelog (what a kill
between the RocksDB write and the changelog acknowledgement leaves). Trusting that store makes
the restarted worker take the event as already applied: its award is never emitted and the
changelog never gets the update.
"""

from __future__ import annotations

import signal
import uuid
from pathlib import Path

import pytest
from rocksdict import Rdict

from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.events.state_codecs import PROGRESS_CODEC
from faust_badges.samples import passing_event
from tests.integration.harness import (
    Deployment,
    WorkerProcess,
    comparable,
    oracle,
    wait_for_group_caught_up,
    wait_until,
)

pytestmark = pytest.mark.integration

COURSES = ("course-v1:Crash+A+2026", "course-v1:Crash+B+2026")
CONFIG = {
    "templates": [
        {
            "id": "a-and-b",
            "name": "A and B",
            "requirements": [
                {
                    "id": f"pass-{course[-6].lower()}",
                    "event_type": COURSE_PASSING_STATUS,
                    "rules": [
                        {"path": "course.course_key", "op": "eq", "value": course},
                        {"path": "is_passing", "op": "eq", "value": True},
                    ],
                }
                for course in COURSES
            ],
        }
    ]
}
LEARNER = "crash-learner"


def progress_store(worker: WorkerProcess) -> Path:
    """The RocksDB store of the progress table's only partition."""
    return worker.datadir / "v1" / "tables" / "progress-0.db"


@pytest.fixture
def deployment(kafka: str, tmp_path: Path) -> Deployment:
    # One partition everywhere: the learner's state is in progress-0.db.
    deployment = Deployment(kafka, f"crash-{uuid.uuid4().hex[:6]}", tmp_path, partitions=1)
    deployment.create_topics()
    deployment.apply_config(CONFIG)
    return deployment


def test_a_store_ahead_of_its_changelog_is_not_trusted_after_a_crash(
    deployment: Deployment,
) -> None:
    first_pass = passing_event(7, LEARNER, COURSES[0], event_id="crash-1")
    second_pass = passing_event(7, LEARNER, COURSES[1], event_id="crash-2")
    deployment.send([first_pass])
    worker = deployment.start_worker("w")
    worker.wait_ready()
    wait_for_group_caught_up(deployment)
    worker.stop(signal.SIGKILL)

    # The event arrives; the killed worker had applied it to RocksDB, not to the changelog.
    deployment.send([second_pass])
    ahead = oracle(deployment.produced, CONFIG, deployment.app_id).progress[LEARNER]
    assert ahead.badges, "the planted state must hold the award the event completes"
    store = Rdict(str(progress_store(worker)))
    store[LEARNER.encode()] = PROGRESS_CODEC.dump(ahead)
    store.close()

    restarted = deployment.start_worker("w")  # same name: same data dir
    try:
        restarted.wait_ready()
        wait_for_group_caught_up(deployment)
        wait_until(
            lambda: any(e.username == LEARNER for e in deployment.badge_events()),
            30,
            "the award completed by the second pass",
            restarted.log_tail,
        )
    finally:
        restarted.stop()
    expected = oracle(deployment.produced, CONFIG, deployment.app_id)
    assert comparable(deployment.stored_progress()) == comparable(expected.progress)
    assert "local_state tables=discarded" in restarted.log_tail(400)


def test_stores_are_kept_after_a_clean_stop(deployment: Deployment) -> None:
    deployment.send([passing_event(8, LEARNER, COURSES[0], event_id="clean-1")])
    worker = deployment.start_worker("w")
    worker.wait_ready()
    wait_for_group_caught_up(deployment)
    assert worker.stop(signal.SIGTERM) == 0
    assert "clean_stop" in worker.log_tail(200)

    restarted = deployment.start_worker("w")
    try:
        restarted.wait_ready()
    finally:
        restarted.stop()
    assert "local_state tables=kept" in restarted.log_tail(400)
