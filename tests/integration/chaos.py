"""Chaos runs: workers killed at random while events flow at a steady rate, then the output is
compared with the pure core folded over the same input.

A run is fixed by its ``ChaosPlan`` (seed included), so a failing run can be replayed:
the events, the interruption schedule (which worker, which signal, whether its RocksDB dir is
lost, how long it stays down) and the offered rate all come from the seed. Only the timing of
the machine differs between two runs of one seed.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaProducer

from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.samples import KafkaMessage, passing_event
from tests.integration.harness import (
    Deployment,
    WorkerProcess,
    badge_uuids_by_learner_template,
    comparable,
    oracle,
    wait_for_group_caught_up,
)

#: Decisions within 0.2 s that make a worker count as busy (100 events/s).
BUSY_DECISIONS = 20

CHAOS_COURSES = [f"course-v1:Chaos+{name}+2026" for name in ("Py101", "Py201", "PyTest", "Extra")]


def _requirement(rid: str, course: str) -> dict[str, Any]:
    return {
        "id": rid,
        "event_type": COURSE_PASSING_STATUS,
        "rules": [
            {"path": "course.course_key", "op": "eq", "value": course},
            {"path": "is_passing", "op": "eq", "value": True},
        ],
    }


#: Three courses to pass, and any failed course resets all three (the set-up of the bug report),
#: plus a template that a single pass completes (many awards, early in a learner's story).
CHAOS_CONFIG: dict[str, Any] = {
    "templates": [
        {
            "id": "python-track",
            "name": "Python Track",
            "requirements": [
                _requirement(rid, course)
                for rid, course in zip(("py101", "py201", "pytest"), CHAOS_COURSES, strict=False)
            ],
            "penalties": [
                {
                    "id": "any-failed",
                    "event_type": COURSE_PASSING_STATUS,
                    "requirements": ["py101", "py201", "pytest"],
                    "rules": [{"path": "is_passing", "op": "eq", "value": False}],
                }
            ],
        },
        {
            "id": "first-pass",
            "name": "First Pass",
            "requirements": [
                {
                    "id": "any",
                    "event_type": COURSE_PASSING_STATUS,
                    "rules": [{"path": "is_passing", "op": "eq", "value": True}],
                }
            ],
        },
    ]
}


@dataclass(frozen=True)
class ChaosPlan:
    """Everything that decides a run; read from ``CHAOS_*`` variables by ``from_env``."""

    seed: int = 20261204
    events: int = 20_000
    learners: int = 3_000
    rate: float = 1_500.0  # offered events per second
    interruptions: int = 10
    window: float = 50.0  # seconds from the first event in which the interruptions happen
    busy_wait: float = 20.0  # longest wait for the target worker to be busy before a kill
    workers: int = 2
    input_partitions: int = 4
    partitions: int = 8  # of the job's own topics and tables (TOPIC_PARTITIONS, its default)
    standby_replicas: int = 1  # TABLE_STANDBY_REPLICAS, its default

    @classmethod
    def from_env(cls, **defaults: Any) -> ChaosPlan:
        base = cls(**defaults)
        read = os.environ.get
        return cls(
            seed=int(read("CHAOS_SEED", base.seed)),
            events=int(read("CHAOS_EVENTS", base.events)),
            learners=int(read("CHAOS_LEARNERS", base.learners)),
            rate=float(read("CHAOS_RATE", base.rate)),
            interruptions=int(read("CHAOS_INTERRUPTIONS", base.interruptions)),
            window=float(read("CHAOS_WINDOW", base.window)),
            busy_wait=float(read("CHAOS_BUSY_WAIT", base.busy_wait)),
            workers=int(read("CHAOS_WORKERS", base.workers)),
            input_partitions=base.input_partitions,
            partitions=base.partitions,
            standby_replicas=int(read("CHAOS_STANDBY_REPLICAS", base.standby_replicas)),
        )


@dataclass(frozen=True)
class Interruption:
    at: float  # seconds after the first event was offered
    worker: int
    signal: signal.Signals
    wipe_datadir: bool
    down_for: float

    def describe(self) -> str:
        wipe = "+wipe" if self.wipe_datadir else ""
        return (
            f"t={self.at:5.1f}s w{self.worker} {self.signal.name}{wipe} down {self.down_for:.1f}s"
        )


def schedule(plan: ChaosPlan) -> list[Interruption]:
    """One worker at a time: each interruption starts after the previous worker is back.

    Always at least one SIGTERM (a clean stop under load) and, with 3 or more interruptions,
    several lost data dirs (a worker that restarts on a new disk restores from the changelog).
    """
    rng = random.Random(plan.seed)
    count = plan.interruptions
    kinds: list[tuple[signal.Signals, bool]] = [(signal.SIGTERM, False)]
    wipes = max(0, min(count - 1, count // 3))
    kinds += [(signal.SIGKILL, True)] * wipes
    kinds += [(signal.SIGKILL, False)] * (count - len(kinds))
    kinds = kinds[:count]
    rng.shuffle(kinds)
    downs = [rng.uniform(1.0, 5.0) for _ in range(count)]
    # Spread the starts over the window, leaving each worker its down time.
    slack = max(plan.window - sum(downs), count * 0.5)
    gaps = [rng.random() + 0.2 for _ in range(count)]
    scale = slack / sum(gaps)
    interruptions: list[Interruption] = []
    at = 0.0
    for (sig, wipe), down, gap in zip(kinds, downs, gaps, strict=True):
        at += gap * scale
        worker = rng.randrange(plan.workers)
        if wipe and interruptions:
            # A disk is lost by the worker that just restarted on it: what it wrote since
            # that restart must be in the changelogs, and so must what it kept from before.
            worker = interruptions[-1].worker
        interruptions.append(Interruption(round(at, 2), worker, sig, wipe, round(down, 2)))
        at += down
    return interruptions


def chaos_events(plan: ChaosPlan) -> list[KafkaMessage]:
    """Passes and fails of a pool of learners, keyed by username; some events sent twice."""
    rng = random.Random(plan.seed)
    messages: list[KafkaMessage] = []
    for step in range(plan.events):
        if messages and rng.random() < 0.03:
            messages.append(rng.choice(messages))  # the LMS sending an event again (same ce_id)
            continue
        learner = rng.randrange(plan.learners)
        username = f"chaos-{learner:06d}"
        _key, value, headers = passing_event(
            100_000 + learner,
            username,
            rng.choice(CHAOS_COURSES),
            rng.random() >= 0.12,
            event_id=f"chaos-{plan.seed}-{step:07d}",
        )
        messages.append((username.encode(), value, headers))
    return messages


class PacedProducer(threading.Thread):
    """Offers the messages at ``rate`` per second from its own thread and event loop."""

    def __init__(self, bootstrap: str, topic: str, messages: list[KafkaMessage], rate: float):
        super().__init__(name="chaos-producer", daemon=True)
        self._broker, self._topic = bootstrap, topic
        self._messages, self._rate = messages, rate
        self.started_at = 0.0
        self.finished_at = 0.0
        self.sent = 0
        self.error: BaseException | None = None
        self.first_sent = threading.Event()

    def run(self) -> None:
        try:
            asyncio.run(self._produce())
        except BaseException as exc:  # reported by the run, not lost in the thread
            self.error = exc
            self.first_sent.set()

    async def _produce(self) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self._broker, linger_ms=5, acks="all")
        await producer.start()
        try:
            tick = 0.02
            per_tick = max(1, round(self._rate * tick))
            self.started_at = time.monotonic()
            pending = []
            for start in range(0, len(self._messages), per_tick):
                for key, value, headers in self._messages[start : start + per_tick]:
                    pending.append(
                        await producer.send(self._topic, key=key, value=value, headers=headers)
                    )
                self.sent = min(start + per_tick, len(self._messages))
                self.first_sent.set()
                due = self.started_at + (start + per_tick) / self._rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                if len(pending) > 2000:
                    await asyncio.gather(*pending)
                    pending.clear()
            await asyncio.gather(*pending)
            self.finished_at = time.monotonic()
        finally:
            await producer.stop()


@dataclass
class ChaosReport:
    plan: ChaosPlan
    interruptions: list[str]
    produced: int
    offered_rate: float
    awards_expected: int
    revokes_expected: int
    lost_awards: list[str] = field(default_factory=list)
    extra_awards: list[str] = field(default_factory=list)
    lost_revokes: list[str] = field(default_factory=list)
    extra_revokes: list[str] = field(default_factory=list)
    redelivered: int = 0  # badge events repeated with the same uuid and ce_id
    several_uuids: list[str] = field(default_factory=list)
    progress_differs: list[str] = field(default_factory=list)
    dead_letters: int = 0
    interrupted_busy: int = 0  # interruptions of a worker seen deciding events

    @property
    def exact(self) -> bool:
        return not (
            self.lost_awards
            or self.extra_awards
            or self.lost_revokes
            or self.extra_revokes
            or self.several_uuids
            or self.progress_differs
            or self.dead_letters
        )

    def summary(self) -> str:
        lines = [
            f"chaos seed={self.plan.seed} events={self.produced} learners={self.plan.learners} "
            f"offered={self.offered_rate:.0f} ev/s workers={self.plan.workers} "
            f"input partitions={self.plan.input_partitions} job partitions={self.plan.partitions} "
            f"standby replicas={self.plan.standby_replicas}",
            *(f"  {line}" for line in self.interruptions),
            f"  interruptions of a busy worker: {self.interrupted_busy}",
            f"  expected awards={self.awards_expected} revokes={self.revokes_expected}",
            f"  lost awards={len(self.lost_awards)} extra awards={len(self.extra_awards)} "
            f"lost revokes={len(self.lost_revokes)} extra revokes={len(self.extra_revokes)}",
            f"  several uuids for one learner+template={len(self.several_uuids)} "
            f"progress differing from the core={len(self.progress_differs)} "
            f"dead letters={self.dead_letters}",
            f"  redelivered badge events (same uuid and ce_id)={self.redelivered}",
            f"  verdict: {'EXACT' if self.exact else 'WRONG'}",
        ]
        for name in ("lost_awards", "extra_awards", "lost_revokes", "extra_revokes"):
            examples = getattr(self, name)[:5]
            if examples:
                lines.append(f"  e.g. {name}: {examples}")
        if self.progress_differs:
            lines.append(f"  e.g. progress differs for: {self.progress_differs[:5]}")
        return "\n".join(lines)


def wait_until_busy(worker: WorkerProcess, timeout: float) -> bool:
    """Wait until ``worker`` is deciding events (not stalled in a rebalance or idle).

    Killing a worker that is busy is what loses data when something is wrong: it has records
    in flight, a producer buffer and local writes not yet in the changelog. Kills at random
    moments mostly hit a worker waiting for its group to settle, which tests little.
    """
    deadline = time.monotonic() + timeout
    last = worker.counter("badges_decisions_total")
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = worker.counter("badges_decisions_total")
        if now - last >= BUSY_DECISIONS:
            return True
        last = now
    return False


def run_chaos(bootstrap: str, deployment: Deployment, plan: ChaosPlan) -> ChaosReport:
    """Produce at the plan's rate, interrupt workers on its schedule, wait, compare."""
    deployment.extra_env["TABLE_STANDBY_REPLICAS"] = str(plan.standby_replicas)
    deployment.create_topics(input_partitions=plan.input_partitions)
    deployment.apply_config(CHAOS_CONFIG)
    messages = chaos_events(plan)
    deployment.produced.extend(messages)
    workers = [deployment.start_worker(f"w{i}") for i in range(plan.workers)]
    for worker in workers:
        worker.wait_ready()
    interruptions = schedule(plan)
    producer = PacedProducer(bootstrap, deployment.input_topic, messages, plan.rate)
    done_lines: list[str] = []
    busy = 0
    try:
        producer.start()
        producer.first_sent.wait(30)
        start = time.monotonic()
        delay = 0.0  # waiting for busy workers pushes the schedule back
        for interruption in interruptions:
            time.sleep(max(0.0, start + delay + interruption.at - time.monotonic()))
            worker = workers[interruption.worker]
            waited_from = time.monotonic()
            was_busy = wait_until_busy(worker, timeout=plan.busy_wait)
            busy += was_busy
            delay += time.monotonic() - waited_from
            killed_at = time.monotonic() - start
            worker.stop(interruption.signal)
            if interruption.wipe_datadir:
                shutil.rmtree(worker.datadir, ignore_errors=True)
            time.sleep(interruption.down_for)
            workers[interruption.worker] = WorkerProcess(deployment, worker.name, {})
            workers[interruption.worker].start()
            done_lines.append(
                f"{interruption.describe()}: at {killed_at:.1f}s, {'busy' if was_busy else 'idle'}"
            )
        producer.join(timeout=plan.events / plan.rate * 4 + 120)
        if producer.error is not None:
            raise producer.error
        assert not producer.is_alive(), "the producer did not finish"
        for worker in workers:
            worker.wait_ready(timeout=120)
        wait_for_group_caught_up(deployment, timeout=600)
    finally:
        for worker in workers:
            worker.stop()
    offered = len(messages) / max(producer.finished_at - producer.started_at, 1e-6)
    return compare_with_core(deployment, plan, done_lines, offered, busy)


def compare_with_core(
    deployment: Deployment,
    plan: ChaosPlan,
    interruptions: list[str],
    offered_rate: float,
    busy: int,
) -> ChaosReport:
    """The output topic and the stored progress against the core folded over the input."""
    expected = oracle(deployment.produced, CHAOS_CONFIG, deployment.app_id)
    wanted = {(status, user, uid) for status, user, _t, uid in expected.transitions}
    events = deployment.badge_events()
    emitted = {(e.status, e.username, e.key) for e in events}
    report = ChaosReport(
        plan=plan,
        interruptions=interruptions,
        produced=len(deployment.produced),
        offered_rate=offered_rate,
        awards_expected=sum(1 for s, *_ in wanted if s == "awarded"),
        revokes_expected=sum(1 for s, *_ in wanted if s == "revoked"),
        interrupted_busy=busy,
    )
    for status, user, _uid in sorted(wanted - emitted):
        (report.lost_awards if status == "awarded" else report.lost_revokes).append(user)
    for status, user, _uid in sorted(emitted - wanted):
        (report.extra_awards if status == "awarded" else report.extra_revokes).append(user)
    copies = Counter((e.key, e.event_id) for e in events)
    report.redelivered = sum(count - 1 for count in copies.values())
    report.several_uuids = sorted(
        f"{learner}/{template}"
        for (learner, template), uuids in badge_uuids_by_learner_template(events).items()
        if len(uuids) > 1
    )
    stored = comparable(deployment.stored_progress())
    want = comparable(expected.progress)
    report.progress_differs = sorted(
        user for user in set(stored) | set(want) if stored.get(user) != want.get(user)
    )
    report.dead_letters = len(deployment.dead_letters())
    return report
