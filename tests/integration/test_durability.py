"""Stop a worker mid-stream and start it again: the result equals one uninterrupted run.

The oracle is the pure core folded over the input in order; the input topic has one partition so
that each learner's events reach the job in the order they were produced.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import time
import uuid

import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, RecordsToDelete

from faust_badges.samples import KafkaMessage
from tests.integration.chaos import PacedProducer
from tests.integration.datasets import RELIABILITY_CONFIG, learner_stories
from tests.integration.harness import (
    Deployment,
    WorkerProcess,
    badge_uuids_by_learner_template,
    comparable,
    oracle,
    running_worker,
    wait_for_group_caught_up,
    wait_until,
)

pytestmark = pytest.mark.integration

EVENTS = 4000
LEARNERS = 300
OFFER_RATE = 1_500.0  # events per second: 4,000 take ~2.7 s, the stop lands well inside


def run_interrupted(
    deployment: Deployment,
    messages: list[KafkaMessage],
    *,
    sig: int,
    wipe_datadir: bool,
    stop_after: int,
) -> float:
    """Start, offer ``messages`` at a steady pace, stop after ``stop_after`` decisions,
    optionally lose the disk, start again. Returns how many changelog records the second worker
    restored in bulk.

    Paced, not sent up front: a worker that decides thousands of events a second would finish a
    backlog between two looks at its counter, and then it is not stopped mid-stream."""
    first = deployment.start_worker("first")
    first.wait_ready()
    deployment.produced.extend(messages)
    producer = PacedProducer(deployment.bootstrap, deployment.input_topic, messages, OFFER_RATE)
    producer.start()
    wait_until(
        lambda: first.counter("badges_decisions_total") >= stop_after,
        120,
        f"{stop_after} decisions before the interruption",
        first.log_tail,
    )
    decided_before_stop = first.counter("badges_decisions_total")
    first.stop(sig)
    assert decided_before_stop < len(messages), "the stream ended before the interruption"
    producer.join(120)
    assert producer.error is None and producer.sent == len(messages), producer.error
    if wipe_datadir:
        shutil.rmtree(first.datadir)

    second = WorkerProcess(deployment, "first", {})  # same name: same data dir and log file
    second.start()
    try:
        second.wait_ready()
        wait_for_group_caught_up(deployment)
        return second.counter("badges_changelog_records_restored_total")
    finally:
        second.stop()


def assert_equals_uninterrupted_run(deployment: Deployment) -> None:
    expected = oracle(deployment.produced, RELIABILITY_CONFIG, deployment.app_id)
    assert comparable(deployment.stored_progress()) == comparable(expected.progress)

    events = deployment.badge_events()
    emitted = {(e.status, e.username, e.key) for e in events}
    wanted = {(status, user, uid) for status, user, _template, uid in expected.transitions}
    assert emitted == wanted  # no award lost, none invented
    for (learner, template), uuids in badge_uuids_by_learner_template(events).items():
        assert len(uuids) == 1, f"{learner} got {template} under several uuids: {uuids}"


@pytest.mark.parametrize(
    ("sig", "wipe_datadir"),
    [
        pytest.param(signal.SIGTERM, False, id="sigterm"),
        pytest.param(signal.SIGTERM, True, id="sigterm-and-lost-datadir"),
        pytest.param(signal.SIGKILL, False, id="sigkill"),
        pytest.param(signal.SIGKILL, True, id="sigkill-and-lost-datadir"),
    ],
)
def test_interrupted_run_equals_uninterrupted_run(
    kafka: str, tmp_path_factory: pytest.TempPathFactory, sig: int, wipe_datadir: bool
) -> None:
    deployment = Deployment(
        kafka, f"dur-{uuid.uuid4().hex[:6]}", tmp_path_factory.mktemp("dur"), partitions=4
    )
    deployment.create_topics(input_partitions=1)
    deployment.apply_config(RELIABILITY_CONFIG)
    stories = list(learner_stories(EVENTS, LEARNERS, seed=7))

    restored = run_interrupted(
        deployment, stories, sig=sig, wipe_datadir=wipe_datadir, stop_after=EVENTS // 4
    )

    assert_equals_uninterrupted_run(deployment)
    if wipe_datadir:  # the state came back from the changelogs, by the bulk path
        assert restored > 0


def _last_progress_batch_line(worker: WorkerProcess) -> str:
    """The progress agent's last batch line in the worker's log ("" if none yet)."""
    with worker.log_path.open("rb") as log:
        log.seek(0, 2)
        log.seek(max(0, log.tell() - 256 * 1024))
        tail = log.read().decode(errors="replace")
    lines = [line for line in tail.splitlines() if "batch_" in line and "agent=progress" in line]
    return lines[-1] if lines else ""


def test_sigkill_in_the_middle_of_a_batch_equals_uninterrupted_run(
    kafka: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The worker logs (at DEBUG) when a progress batch starts and when it is handled: it is
    killed while a batch is open (its badge events sent, its writes and offsets not yet), which
    the log shows afterwards. Kills that land between batches are retried, up to five."""
    deployment = Deployment(
        kafka, f"dur-batch-{uuid.uuid4().hex[:6]}", tmp_path_factory.mktemp("dur"), partitions=4
    )
    deployment.extra_env["LOG_LEVEL"] = "debug"
    deployment.create_topics(input_partitions=1)
    deployment.apply_config(RELIABILITY_CONFIG)
    events = 3 * EVENTS
    deployment.send(learner_stories(events, 2 * LEARNERS, seed=11))

    killed_mid_batch = 0
    for attempt in range(5):
        worker = WorkerProcess(deployment, "batch", {})
        worker.start()
        worker.wait_ready()
        deadline = time.monotonic() + 60
        while "batch_started" not in _last_progress_batch_line(worker):
            assert time.monotonic() < deadline, "no progress batch under way\n" + worker.log_tail()
            time.sleep(0.002)
        worker.stop(signal.SIGKILL)
        if "batch_started" in _last_progress_batch_line(worker):
            killed_mid_batch += 1
            break
        print(f"attempt {attempt}: the kill landed between two batches; again")
    assert killed_mid_batch, "no kill landed inside a batch in five attempts"

    survivor = WorkerProcess(deployment, "batch", {})  # same data dir: a crashed store
    survivor.start()
    try:
        survivor.wait_ready()
        wait_for_group_caught_up(deployment)
    finally:
        survivor.stop()
    assert_equals_uninterrupted_run(deployment)


async def _delete_records_before(bootstrap: str, topic: str, offset: int) -> None:
    """What retention does: the partition's log starts at ``offset`` from now on."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_records({TopicPartition(topic, 0): RecordsToDelete(offset)})
    finally:
        await admin.close()


def test_records_deleted_while_the_group_was_away_are_skipped_counted_and_reported(
    kafka: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The one hole the guard moves past: offsets the log no longer holds. Every other message
    is handled as in an uninterrupted run over what the log kept."""
    deployment = Deployment(
        kafka, f"dur-gap-{uuid.uuid4().hex[:6]}", tmp_path_factory.mktemp("dur"), partitions=4
    )
    deployment.create_topics(input_partitions=1)
    deployment.apply_config(RELIABILITY_CONFIG)
    stories = learner_stories(1500, 200, seed=5)
    before, deleted, after = stories[:500], stories[500:700], stories[700:]
    deployment.send(before)
    with running_worker(deployment, "gap"):
        wait_for_group_caught_up(deployment)

    deployment.send(deleted)  # never read: the group is away
    asyncio.run(_delete_records_before(kafka, deployment.input_topic, 700))
    deployment.send(after)
    with running_worker(deployment, "gap") as worker:
        wait_for_group_caught_up(deployment)  # the committed offset passes the gap
        skipped = worker.counter('badges_offset_gap_skipped_total{agent="ingest"')
        log = worker.log_path.read_text(errors="replace")

    assert skipped == len(deleted)
    assert "offset_gap_skipped" in log and "missing_from=500" in log and "missing_to=699" in log
    deployment.produced = before + after  # what the log held for the job to read
    assert_equals_uninterrupted_run(deployment)
