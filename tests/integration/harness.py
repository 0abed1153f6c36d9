"""Run real worker processes against the session's Kafka broker, and observe what they do.

A worker is ``faust -A faust_badges.app worker`` in a subprocess, configured only through the
environment, exactly as an operator runs it. Tests watch it through its HTTP views, its output
topics and its changelog topics: never through its internals.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from aiokafka.errors import KafkaError

from faust_badges.core.badges import app_namespace
from faust_badges.core.config_checks import parse_config
from faust_badges.core.decide import decide
from faust_badges.core.event_types import BADGE_AWARDED, BADGE_REVOKED
from faust_badges.core.index import ConfigIndex
from faust_badges.core.issuing import IssuedBadge
from faust_badges.core.progress import LearnerProgress
from faust_badges.events.cloudevents import header_map
from faust_badges.events.inbound import Accepted, decode_inbound
from faust_badges.events.state_codecs import ISSUED_CODEC, PROGRESS_CODEC
from faust_badges.kafka_io import Record, ensure_topics, produce, read_all
from faust_badges.samples import KafkaMessage
from faust_badges.settings import ISSUED_TABLE, PROGRESS_TABLE, Settings

FAUST = Path(sys.executable).parent / "faust"
CLI = Path(sys.executable).parent / "faust-badges"
OPS_TOKEN = "test-ops-token"
#: In a worker's log: a service or agent crashed (mode's Service.crash), or was restarted.
CRASH_MARKERS = ("Crashed reason=", "Restarting dead", "Traceback (most recent call last)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, on_timeout: Callable[[], str] = str
) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}\n{on_timeout()}")


@dataclass
class Deployment:
    """One app id on the broker: its topics, its environment, and helpers to drive it."""

    bootstrap: str
    app_id: str
    workdir: Path
    partitions: int = 4
    input_topic: str = ""
    output_topic: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.input_topic = self.input_topic or f"{self.app_id}-input"
        self.output_topic = self.output_topic or f"{self.app_id}-lifecycle"
        self.namespace = app_namespace(self.app_id)
        self.produced: list[KafkaMessage] = []

    def env(self, **overrides: str) -> dict[str, str]:
        env = {
            **os.environ,
            "BROKER_URL": f"kafka://{self.bootstrap}",
            "BADGES_APP_ID": self.app_id,
            "TOPIC_PARTITIONS": str(self.partitions),
            "BADGES_EVENT_TOPICS": self.input_topic,
            "BADGES_OUTPUT_TOPIC": self.output_topic,
            "BADGES_OPS_TOKEN": OPS_TOKEN,
            "TABLE_STANDBY_REPLICAS": "0",
            # A killed worker's partitions move after 10 s instead of Faust's 60 s.
            "BROKER_SESSION_TIMEOUT": "10",
            **self.extra_env,
            **overrides,
        }
        return env

    # --- set-up -----------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The settings a worker of this deployment reads: the job's own topic names."""
        return Settings.from_env(self.env())

    def create_topics(self, input_partitions: int | None = None) -> None:
        topics = {self.input_topic: input_partitions or self.partitions, self.output_topic: 1}
        asyncio.run(ensure_topics(self.bootstrap, topics))

    def apply_config(self, document: dict[str, Any]) -> str:
        """Publish a config through the CLI; returns its revision."""
        path = self.workdir / f"config-{uuid.uuid4().hex[:8]}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        result = subprocess.run(
            [str(CLI), "config", "apply", str(path)],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return ConfigIndex.build(parse_config(document)).revision

    def send(self, messages: Iterable[KafkaMessage]) -> None:
        batch = list(messages)
        self.produced.extend(batch)
        asyncio.run(produce(self.bootstrap, self.input_topic, batch))

    def start_worker(self, name: str = "w1", **env: str) -> WorkerProcess:
        worker = WorkerProcess(self, name, env)
        worker.start()
        return worker

    # --- observation ------------------------------------------------------------------------

    def read(self, topic: str) -> list[Record]:
        return asyncio.run(read_all(self.bootstrap, topic))

    def stored_input(self) -> list[KafkaMessage]:
        """The input topic as Kafka holds it (each partition in order): what the job consumed,
        including any record a producer retry wrote twice."""
        return [(r.key, r.value, list(r.headers)) for r in self.read(self.input_topic)]

    def badge_events(self) -> list[BadgeEvent]:
        return [
            BadgeEvent.from_record(r)
            for r in self.read(self.output_topic)
            if r.header("ce_type") in (BADGE_AWARDED, BADGE_REVOKED)
        ]

    def dead_letters(self) -> list[Record]:
        return self.read(self.settings.dead_letter_topic)

    def stored_progress(self) -> dict[str, LearnerProgress]:
        """The durable progress table: the latest value per key in its changelog topic."""
        latest: dict[str, LearnerProgress] = {}
        for record in self.read(self.settings.changelog_topic(PROGRESS_TABLE)):
            if record.key is not None and record.value:
                latest[record.key.decode()] = PROGRESS_CODEC.load(record.value)
        return latest

    def issued(self) -> dict[str, IssuedBadge]:
        """The issued table, from its changelog: the latest record per badge uuid."""
        return {badge: history[-1] for badge, history in self.issued_history().items()}

    def issued_history(self) -> dict[str, list[IssuedBadge]]:
        """Every record the issued table held per badge uuid, oldest first (its changelog)."""
        history: dict[str, list[IssuedBadge]] = defaultdict(list)
        for record in self.read(self.settings.changelog_topic(ISSUED_TABLE)):
            if record.key is not None and record.value:
                history[record.key.decode()].append(ISSUED_CODEC.load(record.value))
        return dict(history)

    def wait_for_issued(self, badge: str, *states: str, timeout: float = 60) -> IssuedBadge:
        """The badge's issued record once it is in one of ``states``."""

        def reached() -> bool:
            record = self.issued().get(badge)
            return record is not None and record.state in states

        wait_until(
            reached, timeout, f"badge {badge} in {states}", lambda: str(self.issued().get(badge))
        )
        record = self.issued().get(badge)
        assert record is not None
        return record


@dataclass(frozen=True)
class BadgeEvent:
    event_type: str
    event_id: str
    key: str
    badge: dict[str, Any]

    @property
    def status(self) -> str:
        return "awarded" if self.event_type == BADGE_AWARDED else "revoked"

    @property
    def username(self) -> str:
        return str(self.badge["user"]["pii"]["username"])

    @property
    def template_name(self) -> str:
        return str(self.badge["template"]["name"])

    @classmethod
    def from_record(cls, record: Record) -> BadgeEvent:
        return cls(
            event_type=record.header("ce_type") or "",
            event_id=record.header("ce_id") or "",
            key=(record.key or b"").decode(),
            badge=json.loads(record.value or b"{}")["badge"],
        )


class WorkerProcess:
    """``faust -A faust_badges.app worker`` as a child process with its own data dir and port."""

    def __init__(self, deployment: Deployment, name: str, env: dict[str, str]) -> None:
        self.deployment = deployment
        self.name = name
        self.port = free_port()
        self.datadir = deployment.workdir / f"data-{name}"
        self.log_path = deployment.workdir / f"worker-{name}.log"
        self._env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = self.deployment.env(
            APP_DATADIR=str(self.datadir), WEB_PORT=str(self.port), **self._env
        )
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(FAUST), "-A", "faust_badges.app", "worker", "-l", "info"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.deployment.workdir,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        def ready() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.name} exited early:\n{self.log_tail()}")
            return self.get("/health") is not None

        wait_until(ready, timeout, f"worker {self.name} /health", self.log_tail)

    def _request(self, path: str, token: str | None) -> urllib.request.Request:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        return request

    def wait_for_config(self, revision: str, timeout: float = 30) -> None:
        """Until the worker runs on the config of that revision (it reloads without restarting)."""
        wait_until(
            lambda: (self.get("/health") or {}).get("config_revision") == revision,
            timeout,
            f"worker {self.name} to load config {revision}",
            self.log_tail,
        )

    def get(self, path: str, token: str | None = OPS_TOKEN) -> Any:
        """GET a JSON (or text) view; None when the worker does not answer (yet)."""
        try:
            with urllib.request.urlopen(self._request(path, token), timeout=5) as response:
                body = response.read().decode()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None
        try:
            return json.loads(body)
        except json.JSONDecodeError:
            return body

    def post(self, path: str, body: Any, token: str | None = OPS_TOKEN) -> tuple[int, Any]:
        """POST JSON; returns (status, parsed JSON body or None)."""
        request = self._request(path, token)
        request.data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
        request.method = "POST"
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, raw = int(response.status), response.read()
        except urllib.error.HTTPError as error:
            status, raw = int(error.code), error.read()
        try:
            return status, json.loads(raw) if raw else None
        except json.JSONDecodeError:
            return status, None

    def status(self, path: str, token: str | None = OPS_TOKEN) -> int:
        """The HTTP status code of a GET."""
        try:
            with urllib.request.urlopen(self._request(path, token), timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def metrics(self) -> dict[str, float]:
        """``name{labels}`` -> value from /metrics (empty when it does not answer)."""
        text = self.get("/metrics")
        samples: dict[str, float] = {}
        if not isinstance(text, str):
            return samples
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                samples[name] = float(value)
        return samples

    def counter(self, prefix: str) -> float:
        return sum(v for k, v in self.metrics().items() if k.startswith(prefix))

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        os.killpg(self.process.pid, sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait(timeout=10)

    def crash_lines(self) -> list[str]:
        """Log lines saying that part of the worker crashed: Faust (mode) logs these when an agent
        raises and its supervisor restarts it, the process living on."""
        if not self.log_path.exists():
            return []
        text = self.log_path.read_text(errors="replace")
        return [line for line in text.splitlines() if any(m in line for m in CRASH_MARKERS)]

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return "(no worker log)"
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


@contextmanager
def running_worker(deployment: Deployment, name: str = "w1", **env: str) -> Iterator[WorkerProcess]:
    """A ready worker for the duration of the block."""
    worker = deployment.start_worker(name, **env)
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


def wait_for_inputs_handled(workers: list[WorkerProcess], count: int, timeout: float = 60) -> None:
    """Barrier: every input message so far was processed, skipped or dead-lettered, and every
    processed one went through the progress agent (summed over the workers' metrics)."""

    def done() -> bool:
        handled = sum(w.counter("badges_events_total") for w in workers)
        processed = sum(w.counter('badges_events_total{outcome="processed"') for w in workers)
        decided = sum(w.counter("badges_decisions_total") for w in workers)
        return handled >= count and decided >= processed

    wait_until(done, timeout, f"{count} input messages handled", workers[0].log_tail)


# --- the oracle ---------------------------------------------------------------------------


@dataclass
class OracleResult:
    progress: dict[str, LearnerProgress]
    transitions: list[tuple[str, str, str, str]]  # (status, username, template id, badge uuid)


def oracle(messages: Iterable[KafkaMessage], document: dict[str, Any], app_id: str) -> OracleResult:
    """What one uninterrupted, in-order run must produce: ``decide`` folded over the input."""
    index = ConfigIndex.build(parse_config(document))
    namespace = app_namespace(app_id)
    state: dict[str, LearnerProgress] = {}
    transitions: list[tuple[str, str, str, str]] = []
    now = datetime.now(UTC)
    for _key, value, headers in messages:
        result = asyncio.run(decode_inbound(value, header_map(headers), index, kafka_time=now))
        if not isinstance(result, Accepted):
            continue
        event = result.event
        decision = decide(state.get(event.username), event, index, namespace=namespace, now=now)
        if decision.progress is not None:
            state[event.username] = decision.progress
        for t in decision.transitions:
            transitions.append((str(t.status), event.username, t.badge.template_id, t.badge.uuid))
    return OracleResult(state, transitions)


def comparable(progress: dict[str, LearnerProgress]) -> dict[str, Any]:
    """Progress without processing times (they differ run to run by design), and without the
    records that only say who a learner is (the worker keeps one for every learner it saw; the
    core folded alone has none for a learner no event applied to)."""
    view: dict[str, Any] = {}
    for username, learner in progress.items():
        if not learner.templates and not learner.badges:
            continue
        view[username] = {
            "templates": {
                tid: sorted((rid, f.event_id) for rid, f in tp.fulfilled.items())
                for tid, tp in learner.templates.items()
            },
            "badges": {
                tid: (b.uuid, str(b.status), b.awarded_by_event, b.revoked_by_event)
                for tid, b in learner.badges.items()
            },
        }
    return view


def badge_uuids_by_learner_template(events: list[BadgeEvent]) -> dict[tuple[str, str], set[str]]:
    uuids: dict[tuple[str, str], set[str]] = defaultdict(set)
    for event in events:
        uuids[(event.username, event.template_name)].add(event.key)
    return uuids


def wait_for_group_caught_up(
    deployment: Deployment, timeout: float = 120.0, topics: list[str] | None = None
) -> None:
    """Barrier that survives restarts: the consumer group has committed the end offset of
    ``topics`` (default: the input topic and the repartition topic; Faust flushes its producer
    before committing).

    Committed offsets are read before end offsets, so when every topic a record can lead to is
    named, equality means nothing is left in flight: a handled record's consequences were in
    the later topics' end offsets, and those were committed too."""
    topics = topics or [deployment.input_topic, deployment.settings.learner_events_topic]

    last: dict[str, tuple[int, int]] = {}

    def caught_up() -> bool:
        try:
            last.update(asyncio.run(group_offsets(deployment.bootstrap, deployment.app_id, topics)))
        except KafkaError:  # e.g. the group coordinator of a fresh broker is not ready yet
            return False
        return all(committed == end for committed, end in last.values())

    wait_until(
        caught_up,
        timeout,
        f"the consumer group to commit every message of {topics}",
        lambda: f"(committed, end) per partition: {last}",
    )


async def group_offsets(
    bootstrap: str, group: str, topics: list[str]
) -> dict[str, tuple[int, int]]:
    """``topic:partition`` -> (committed offset, end offset) for the topics' partitions."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    from faust_badges.kafka_io import topic_partitions

    tps = [TopicPartition(t, p) for t in topics for p in await topic_partitions(bootstrap, t)]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
        ends = await consumer.end_offsets(tps)
    finally:
        await consumer.stop()
        await admin.close()
    return {
        f"{tp.topic}:{tp.partition}": (
            committed[tp].offset if tp in committed and committed[tp].offset >= 0 else 0,
            ends[tp],
        )
        for tp in tps
    }
