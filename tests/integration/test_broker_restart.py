"""The broker stops mid-stream and comes back on the same data: the workers reconnect by
themselves and the result equals one uninterrupted run (issue 10, reliability).

The test has a broker of its own (the session's is shared). Two workers consume a steady stream
keyed by learner; while they are busy the broker stops for several seconds and starts again on
the same data dir and port. Nothing restarts the workers. Once the group has committed the end
of the input, the output topic and the progress changelog must equal the pure core folded over
the input as Kafka stores it, and both worker processes must still be the ones started first.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from local_kafka import LocalKafka  # scripts/, put on sys.path by tests/conftest.py

from tests.integration.chaos import (
    CHAOS_CONFIG,
    ChaosPlan,
    PacedProducer,
    chaos_events,
    compare_with_core,
    wait_until_busy,
)
from tests.integration.harness import Deployment, WorkerProcess, wait_for_group_caught_up

pytestmark = pytest.mark.integration

#: ~25 s of input at 300 ev/s; the broker goes down after about a third of it.
PLAN = ChaosPlan(events=7_500, learners=900, rate=300.0, interruptions=1, workers=2)


@pytest.fixture
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    """A broker for this test alone, so that stopping it disturbs no other test."""
    broker = LocalKafka(run_dir=tmp_path_factory.mktemp("own-kafka"))
    broker.start(timeout=90.0)
    try:
        yield broker
    finally:
        broker.stop()


def exited(workers: list[WorkerProcess]) -> list[str]:
    """Names of the workers whose process has exited (empty: all alive)."""
    return [w.name for w in workers if w.process is None or w.process.poll() is not None]


@pytest.mark.parametrize(
    ("kill", "down_for"),
    [
        pytest.param(False, 6.0, id="clean-stop-6s"),
        # Longer than the workers' session timeout (10 s, see the harness): the group is gone
        # when the broker is back, and a crashed broker recovers its logs first.
        pytest.param(True, 12.0, id="sigkill-12s"),
    ],
)
def test_workers_ride_out_a_broker_restart(
    own_broker: LocalKafka, tmp_path_factory: pytest.TempPathFactory, kill: bool, down_for: float
) -> None:
    bootstrap = own_broker.bootstrap_servers
    deployment = Deployment(
        bootstrap,
        f"brk-{uuid.uuid4().hex[:6]}",
        tmp_path_factory.mktemp("brk"),
        partitions=PLAN.partitions,
        extra_env={"TABLE_STANDBY_REPLICAS": str(PLAN.standby_replicas)},
    )
    deployment.create_topics(input_partitions=PLAN.input_partitions)
    deployment.apply_config(CHAOS_CONFIG)
    messages = chaos_events(PLAN)
    workers = [deployment.start_worker(f"w{i}") for i in range(PLAN.workers)]
    pids = [w.process.pid for w in workers if w.process is not None]
    producer = PacedProducer(bootstrap, deployment.input_topic, messages, PLAN.rate)
    try:
        for worker in workers:
            worker.wait_ready()
        producer.start()
        while producer.sent < len(messages) // 3 and producer.is_alive():
            time.sleep(0.1)
        busy = sum(wait_until_busy(worker, timeout=10) for worker in workers)
        assert busy, "no worker was deciding events when the broker stopped: this tests little"
        decided_before = sum(w.counter("badges_decisions_total") for w in workers)
        stopped_at = producer.sent
        assert stopped_at < len(messages), "the stream ended before the broker stopped"

        assert own_broker.stop(kill=kill), "the broker was not running"
        time.sleep(down_for)
        assert not exited(workers), f"workers exited while the broker was down: {exited(workers)}"
        own_broker.start(timeout=90.0, keep_data=True)
        assert own_broker.bootstrap_servers == bootstrap

        producer.join(timeout=len(messages) / PLAN.rate * 4 + 120)
        if producer.error is not None:
            raise producer.error
        assert not producer.is_alive(), "the producer did not finish"
        wait_for_group_caught_up(deployment, timeout=180)
        assert not exited(workers), f"workers exited after the broker came back: {exited(workers)}"
        assert [w.process.pid for w in workers if w.process is not None] == pids
        assert [w.status("/health", token=None) for w in workers] == [200] * len(workers)
        decided_after = sum(w.counter("badges_decisions_total") for w in workers)
        assert decided_after > decided_before, "no event decided after the broker came back"
    finally:
        producer.join(timeout=1)
        for worker in workers:
            worker.stop()

    # The oracle's input is the topic's content: a producer retry across the outage may have
    # written an event twice, and the job must treat that copy as the core does.
    deployment.produced = deployment.stored_input()
    assert len(deployment.produced) >= len(messages)
    offered = len(messages) / max(producer.finished_at - producer.started_at, 1e-6)
    how = "killed" if kill else "stopped"
    line = f"broker {how}, down {down_for:.0f}s, after {stopped_at} events sent, {busy} busy"
    report = compare_with_core(deployment, PLAN, [line], offered, busy)
    print("\n" + report.summary())
    assert report.awards_expected > 0 and report.revokes_expected > 0
    assert report.exact, report.summary() + "\n" + workers[0].log_tail(30)
