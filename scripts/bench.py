#!/usr/bin/env python3
"""Benchmark: the faust-badges worker end to end beside the raw aiokafka consume ceiling.

One run, one broker, one data set: N passing-status events of M learners are produced once to
a P-partition input topic, then read (1) by a bare aiokafka consumer, (2) by the same consumer
doing the job's Python work per event in memory, (3) by one real worker. Correctness is the test
suite's job; this reports throughput, start-up time and peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from math import nan
from multiprocessing import get_context
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "scripts")]  # the harness lives in tests/, LocalKafka here

# ruff: noqa: E402  (imports after the sys.path set-up above)
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from local_kafka import LocalKafka

from faust_badges.core.badges import app_namespace, badge_data
from faust_badges.core.config_checks import parse_config
from faust_badges.core.decide import decide
from faust_badges.core.event_types import BADGE_AWARDED, BADGE_REVOKED, COURSE_PASSING_STATUS
from faust_badges.core.index import ConfigIndex
from faust_badges.core.learner import UserData, merge_learner
from faust_badges.core.progress import LearnerProgress
from faust_badges.events.avro_format import AvroDecoder, bundled_schema, frame, parse, write
from faust_badges.events.cloudevents import header_map
from faust_badges.events.inbound import Accepted, decode_inbound
from faust_badges.events.json_format import decode_json_body
from faust_badges.events.learner_stream import decode_learner_event, encode_learner_event
from faust_badges.events.outbound import (
    AvroBadgeEventEncoder,
    BadgeEventEncoder,
    JsonBadgeEventEncoder,
)
from faust_badges.events.schema_registry import SchemaRegistryClient
from faust_badges.events.state_codecs import PROGRESS_CODEC
from faust_badges.kafka_io import ensure_topics, produce, read_all, read_since, topic_partitions
from faust_badges.samples import KafkaMessage, passing_event
from tests.integration.harness import (
    BadgeEvent,
    Deployment,
    WorkerProcess,
    wait_for_group_caught_up,
)
from tests.servers.schema_registry import LocalSchemaRegistry

COURSES = [f"course-v1:Bench+C{i}+2026" for i in range(9)]  # C1..C8 are used; C0 is padding
FAIL_RATE, DUPLICATE_RATE = 0.15, 0.01
MIB = 1024 * 1024
LATENCY_USER_IDS = 10_000_000  # user ids of the latency phase's learners, past the backlog's


def _rules(course: int, passing: bool) -> list[dict[str, Any]]:
    return [
        {"path": "course.course_key", "op": "eq", "value": COURSES[course]},
        {"path": "is_passing", "op": "eq", "value": passing},
    ]


def bench_config() -> dict[str, Any]:
    """Four templates (groups of alternative courses, ANDed): C1; C2 & C3 & C4;
    (C5 | C6) & (C7 | C8); C1 & C2, both reset by failing C1 (so badges get revoked)."""
    shapes = {"single": [[1]], "trio": [[2], [3], [4]], "groups": [[5, 6], [7, 8]]}
    shapes["penalised"] = [[1], [2]]
    templates: list[dict[str, Any]] = []
    passing_type = {"event_type": COURSE_PASSING_STATUS}
    for tid, groups in shapes.items():
        requirements = [
            {"id": f"c{c}", "group": f"g{g}", "rules": _rules(c, True)} | passing_type
            for g, alternatives in enumerate(groups)
            for c in alternatives
        ]
        templates.append({"id": tid, "name": tid.title(), "requirements": requirements})
    penalty = {"id": "c1-failed", "requirements": ["c1", "c2"], "rules": _rules(1, False)}
    templates[-1]["penalties"] = [penalty | passing_type]
    return {"templates": templates}


def bench_events(count: int, learners: int, seed: int) -> list[KafkaMessage]:
    """Random passes and fails of C1..C8, ~1% re-sent as exact duplicates (same ce_id). Each
    learner's first event comes in the first ``learners`` steps, so that every learner is in
    the tables (given as many events): the state's size is ``learners``."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    messages: list[KafkaMessage] = []
    for step in range(count):
        if messages and rng.random() < DUPLICATE_RATE:
            messages.append(rng.choice(messages))
            continue
        learner = step if step < learners else rng.randrange(learners)
        course = COURSES[rng.randint(1, 8)]
        passing = rng.random() >= FAIL_RATE
        moment = start + timedelta(seconds=step)
        event_id = f"bench-{seed}-{step:08d}"
        user = (learner + 1, f"bench-{learner:06d}")
        messages.append(passing_event(*user, course, passing, event_id=event_id, time=moment))
    return messages


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss(pid: int | str = "self") -> int:
    """VmHWM (peak resident set) of a process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


class JobWork:
    """What the two agents do per message in Python, minus Kafka and Faust: decode, the
    repartition hop's codec, merge the learner, decide, encode badge events, and the table
    codecs (over dicts of bytes, as the tables hold)."""

    def __init__(self, app_id: str) -> None:
        self.index = ConfigIndex.build(parse_config(bench_config()))
        self.namespace = app_namespace(app_id)
        self.encoder = JsonBadgeEventEncoder()
        self.progress: dict[str, bytes] = {}
        self.transitions = {"awarded": 0, "revoked": 0}

    async def handle(self, value: bytes | None, headers: Iterable[tuple[str, bytes]]) -> None:
        now = datetime.now(UTC)
        result = await decode_inbound(value, header_map(list(headers)), self.index, kafka_time=now)
        if not isinstance(result, Accepted):
            return
        event = decode_learner_event(encode_learner_event(result.event))
        name = event.username
        raw = self.progress.get(name)
        state = PROGRESS_CODEC.load(raw) if raw else None
        learner = merge_learner(state.learner if state else None, event.user, event.event_time)
        decision = decide(state, event, self.index, namespace=self.namespace, now=now)
        for change in decision.transitions:
            status, badge = str(change.status), change.badge
            self.transitions[status] += 1
            template = self.index.templates[badge.template_id].template
            await self.encoder.encode(
                event_type=BADGE_AWARDED if status == "awarded" else BADGE_REVOKED,
                badge=badge_data(self.namespace, badge.uuid, event.user, template),
                time=now,
                source="bench",
            )
        progress = decision.progress
        if progress is None or progress.learner is not learner:  # the worker keeps both in one
            progress = replace(progress or LearnerProgress(name), learner=learner)
        if progress is not state:
            self.progress[name] = PROGRESS_CODEC.dump(progress)

    async def fold(self, messages: Iterable[KafkaMessage]) -> None:
        for _key, value, headers in messages:
            await self.handle(value, headers)


async def consume(bootstrap: str, topic: str, count: int, work: JobWork | None) -> float:
    """Seconds to read ``count`` messages from the beginning (and handle them, given ``work``)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in await topic_partitions(bootstrap, topic)]
        started, seen = time.perf_counter(), 0  # before assign(): that starts fetching
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        while seen < count:
            if time.perf_counter() - started > 600:
                raise TimeoutError(f"read {seen} of {count} messages in 10 minutes")
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                if work is not None:
                    for record in records:
                        await work.handle(record.value, record.headers)
                seen += len(records)
        return time.perf_counter() - started
    finally:
        await consumer.stop()


def run_baseline(job_work: bool, bootstrap: str, topic: str, count: int, app_id: str) -> Any:
    """One baseline, in a fresh process (see ``in_child``)."""
    work = JobWork(app_id) if job_work else None
    seconds = asyncio.run(consume(bootstrap, topic, count, work))
    return {"events_per_s": count / seconds, "seconds": seconds, "peak_rss": peak_rss()}


def in_child(*args: Any) -> Any:
    """Run a baseline in a spawned process: its peak RSS is then its own, not this script's."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(run_baseline, *args).result()


PROCESSED = 'badges_events_total{outcome="processed"'


def _total(metrics: dict[str, float], prefix: str) -> float:
    return sum(value for name, value in metrics.items() if name.startswith(prefix))


def attach_profiler(pid: int, path: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling ``pid`` into collapsed stacks at ``path`` until it gets SIGINT."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    command = [py_spy, "record", "--pid", str(pid), "--format", "raw", "--output", str(path)]
    return subprocess.Popen([*command, "--rate", "100", "--nonblocking"])


def run_worker(
    worker: WorkerProcess, count: int, timeout: float, profile: Path | None = None
) -> dict[str, Any]:
    """Start the worker on the backlog; time its first decision -> every input handled."""
    started = time.monotonic()
    worker.start()
    assert worker.process is not None
    profiler = attach_profiler(worker.process.pid, profile) if profile else None
    health_at = first_at = None
    first_decided, first_cpu, last_report = 0.0, 0.0, started
    while True:
        if worker.process.poll() is not None:
            raise RuntimeError(f"the worker exited with code {worker.process.returncode}")
        if health_at is None and worker.get("/health", token=None) is not None:
            health_at = time.monotonic()
        metrics = worker.metrics()
        now = time.monotonic()
        handled = _total(metrics, "badges_events_total")
        decided = _total(metrics, "badges_decisions_total")
        if first_at is None and decided > 0:
            first_at, first_decided, first_cpu = now, decided, cpu_seconds(worker.process.pid)
        if first_at and handled >= count and decided >= _total(metrics, PROCESSED):
            break
        if now - started > timeout:
            raise TimeoutError(f"{handled:.0f} of {count} handled after {timeout:.0f}s")
        if now - last_report > 10:
            print(f"  worker: {handled:.0f} ingested, {decided:.0f} decided", file=sys.stderr)
            last_report = now
        time.sleep(0.2)
    if profiler is not None:
        profiler.send_signal(signal.SIGINT)
        profiler.wait(timeout=60)
    assert health_at is not None
    return {
        # Over the window the decisions counted in it: the first one is seen up to 0.2 s late.
        "events_per_s": (decided - first_decided) / (now - first_at),
        "seconds": now - first_at,
        # CPU-bound or waiting? One core fully used is 1.0.
        "cores_used": (cpu_seconds(worker.process.pid) - first_cpu) / (now - first_at),
        "wall_events_per_s": count / (now - started),
        "wall_seconds": now - started,
        "startup_seconds": health_at - started,
        "first_decision_seconds": first_at - started,
        "peak_rss": peak_rss(worker.process.pid),
        "metrics": {k: v for k, v in metrics.items() if k.startswith("badges_")},
    }


async def wire_format_costs(messages: list[KafkaMessage], app_id: str) -> dict[str, float]:
    """Microseconds per event to decode an input event and to encode a badge event, JSON beside
    Avro (Confluent framing, schemas already fetched/registered: the steady state)."""
    status_schema = parse(bundled_schema(COURSE_PASSING_STATUS) or {})
    json_values = [value or b"" for _key, value, _headers in messages]
    avro_values = [frame(1, write(status_schema, json.loads(v))) for v in json_values]
    avro_decoder = AvroDecoder(registry=None)
    badge = badge_data(app_namespace(app_id), str(uuid.uuid4()), *_sample_badge_parts())
    moment = datetime.now(UTC)
    costs: dict[str, float] = {}

    async def per_event(name: str, calls: int, step: Any) -> None:
        started = time.perf_counter()
        for i in range(calls):
            await step(i)
        costs[name] = (time.perf_counter() - started) / calls * 1e6

    async def json_decode(i: int) -> None:
        decode_json_body(json_values[i])

    async def avro_decode(i: int) -> None:
        await avro_decoder(avro_values[i], COURSE_PASSING_STATUS)

    with LocalSchemaRegistry() as registry_server:
        registry = SchemaRegistryClient(registry_server.url)
        encoders: dict[str, BadgeEventEncoder] = {
            "json": JsonBadgeEventEncoder(),
            "avro": AvroBadgeEventEncoder(registry, "t"),
        }
        await per_event("json_decode_us", len(json_values), json_decode)
        await per_event("avro_decode_us", len(avro_values), avro_decode)
        for name, encoder in encoders.items():
            await encoder.encode(event_type=BADGE_AWARDED, badge=badge, time=moment, source="s")

            async def encode(i: int, encoder: Any = encoder) -> None:
                await encoder.encode(event_type=BADGE_AWARDED, badge=badge, time=moment, source="s")

            await per_event(f"{name}_encode_us", 20_000, encode)
        await registry.close()
    return costs


def _sample_badge_parts() -> tuple[Any, Any]:
    config = parse_config(bench_config())
    user = UserData(id=1, username="learner", email="l@example.org", name="L", is_active=True)
    return user, config.templates[0]


def count_badges(bootstrap: str, topic: str) -> dict[str, int]:
    records = asyncio.run(read_all(bootstrap, topic, timeout=60))
    awarded = [r.key for r in records if r.header("ce_type") == BADGE_AWARDED]
    revoked = sum(1 for r in records if r.header("ce_type") == BADGE_REVOKED)
    return {"awarded": len(awarded), "awarded_distinct": len(set(awarded)), "revoked": revoked}


async def offer_at_rate(
    bootstrap: str, topic: str, rate: float, seconds: float, seed: int
) -> dict[str, int]:
    """Produce fresh learners' passes of C1 (each earns exactly one badge, "single") at ``rate``
    events/s for ``seconds``, paced every 10 ms. Returns username -> the input record's Kafka
    timestamp (set to the moment it was sent)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=1, acks="all")
    await producer.start()
    sent_at: dict[str, int] = {}
    pending = []
    moment = datetime(2027, 1, 1, tzinfo=UTC)  # after every backlog event
    started = time.monotonic()
    try:
        for i in range(int(rate * seconds)):
            due = started + i / rate
            if (wait := due - time.monotonic()) > 0.01:
                await asyncio.sleep(wait)
            username = f"latency-{seed}-{i:07d}"
            key, value, headers = passing_event(
                LATENCY_USER_IDS + i, username, COURSES[1], event_id=f"lat-{seed}-{i}", time=moment
            )
            sent_at[username] = int(time.time() * 1000)
            pending.append(
                await producer.send(
                    topic, value, key=key, headers=headers, timestamp_ms=sent_at[username]
                )
            )
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent_at


async def badge_latencies(
    bootstrap: str, output: str, sent_at: dict[str, int], timeout: float
) -> list[float]:
    """Milliseconds from each input's timestamp to its badge event's log-append time, once all
    the badges are out (or ``timeout`` passed: the missing ones are counted as not delivered)."""
    since = datetime.fromtimestamp(min(sent_at.values()) / 1000, tz=UTC)
    deadline = time.monotonic() + timeout
    while True:
        records = await read_since(bootstrap, output, since, timeout=60)
        appended = {
            BadgeEvent.from_record(r).username: r.timestamp_ms
            for r in records
            if r.header("ce_type") == BADGE_AWARDED
        }
        latencies = [appended[u] - t for u, t in sent_at.items() if u in appended]
        if len(latencies) == len(sent_at) or time.monotonic() > deadline:
            return sorted(latencies)
        await asyncio.sleep(1)


def measure_recovery(
    deployment: Deployment, timeout: float, profile: Path | None = None
) -> dict[str, Any]:
    """A worker started with an empty data dir while the changelogs hold the backlog's state
    (no other worker running): seconds to /health 200, i.e. every table recovered."""
    print("recovery of the state from the changelogs…", file=sys.stderr)
    worker = WorkerProcess(deployment, "recovery", {})  # its own, empty, data dir
    started = time.monotonic()
    worker.start()
    assert worker.process is not None
    profiler = attach_profiler(worker.process.pid, profile) if profile else None
    try:
        while worker.get("/health", token=None) is None:
            if worker.process.poll() is not None:
                raise RuntimeError(f"the recovering worker exited: {worker.process.returncode}")
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"no /health 200 after {timeout:.0f}s of recovery")
            time.sleep(0.1)
        return {"seconds": time.monotonic() - started, "peak_rss": peak_rss(worker.process.pid)}
    finally:
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
        worker.stop()


def measure_latency(args: argparse.Namespace, bootstrap: str, topic: str, output: str) -> Any:
    """With the worker caught up and live: the event -> badge latency at an offered rate."""
    print(f"latency at {args.rate:.0f} ev/s offered…", file=sys.stderr)
    sent_at = asyncio.run(offer_at_rate(bootstrap, topic, args.rate, args.rate_seconds, args.seed))
    latencies = asyncio.run(badge_latencies(bootstrap, output, sent_at, timeout=120))

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else nan

    return {
        "offered_per_s": args.rate,
        "events": len(sent_at),
        "delivered": len(latencies),
        **{f"p{q}_ms": pct(q / 100) for q in (50, 95, 99)},
    }


def bench(args: argparse.Namespace, bootstrap: str, kafka: str, workdir: Path) -> dict[str, Any]:
    n = args.events
    app_id = f"bench-{uuid.uuid4().hex[:8]}"  # fresh topics, group and changelogs every run
    deployment = Deployment(bootstrap, app_id, workdir, partitions=args.partitions)
    topic, output = deployment.input_topic, deployment.output_topic
    # Badge events carry the broker's append time: the latency figure ends there.
    append_time = {output: {"message.timestamp.type": "LogAppendTime"}}
    topics = {topic: args.partitions, output: args.partitions}
    asyncio.run(ensure_topics(bootstrap, topics, config=append_time))
    deployment.apply_config(bench_config())
    messages = bench_events(n, args.learners, args.seed)
    started = time.perf_counter()
    asyncio.run(produce(bootstrap, topic, messages))
    produce_s = time.perf_counter() - started
    # For context: the badges of an in-order run (the job's per-learner order differs, since a
    # learner's events are spread over the input partitions, which are consumed concurrently).
    in_order = JobWork(app_id)
    asyncio.run(in_order.fold(messages))
    wire = asyncio.run(wire_format_costs(messages[:20_000], app_id))
    del messages  # the children and the worker read them back from Kafka
    print(f"produced {n} events in {produce_s:.1f}s; baselines…", file=sys.stderr)
    ceiling = in_child(False, bootstrap, topic, n, app_id)
    in_process = in_child(True, bootstrap, topic, n, app_id)
    print("the worker, on the backlog…", file=sys.stderr)
    worker = WorkerProcess(deployment, "bench", {})
    try:
        job = run_worker(worker, n, args.timeout, args.profile)
        # Decided is not caught up: the records the backlog caused (changelogs, repartition,
        # badges) may still wait in the producer. The group commits only once Kafka has them all.
        settle_started = time.monotonic()
        wait_for_group_caught_up(deployment, timeout=args.timeout)
        job["settle_seconds"] = time.monotonic() - settle_started
        badges = count_badges(bootstrap, output)  # before the latency phase adds its own
        latency = measure_latency(args, bootstrap, topic, output)
        worker.stop()
        recovery_profile = args.profile.with_suffix(".recovery.txt") if args.profile else None
        recovery = measure_recovery(deployment, args.timeout, recovery_profile)
    except (RuntimeError, TimeoutError) as exc:
        print(f"bench: {exc}\n--- {worker.log_path} (tail):\n{worker.log_tail()}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        worker.stop()
    return {
        **{"events": n, "learners": args.learners, "partitions": args.partitions},
        **{"seed": args.seed, "kafka": kafka, "cpus": os.cpu_count()},
        "python": platform.python_version(),
        "faust_streaming": version("faust-streaming"),
        "aiokafka": version("aiokafka"),
        "load_average_1m": os.getloadavg()[0],
        "produce": {"events_per_s": n / produce_s, "seconds": produce_s},
        **{"ceiling": ceiling, "in_process": in_process, "worker": job},
        "latency": latency,
        "recovery": recovery,
        "badges": badges,
        "wire_format_us": wire,
        "badges_in_order": in_order.transitions,
    }


def _mean_batch(job: dict[str, Any], agent: str) -> float:
    metrics = job["metrics"]
    batches = metrics.get(f'badges_batches_total{{agent="{agent}"}}', 0)
    events = _total(metrics, "badges_events_total" if agent == "ingest" else "badges_decisions")
    return events / batches if batches else float("nan")


def report(r: dict[str, Any]) -> str:
    def row(stage: str, stats: dict[str, Any], rss: bool = True, note: str = "") -> str:
        mib = f"{stats['peak_rss'] / MIB:.0f} MiB" if rss else ""
        numbers = f"{stats['events_per_s']:>10,.0f}{stats['seconds']:>10.1f}{mib:>10}"
        return f"{stage:<42}{numbers}  {note}".rstrip()

    job, ceiling, badges, in_order = r["worker"], r["ceiling"], r["badges"], r["badges_in_order"]
    wire, lat = r["wire_format_us"], r["latency"]
    latency_title = f"event -> badge at {lat['offered_per_s']:,.0f} ev/s offered, live"
    latency_note = f"  {lat['delivered']} of {lat['events']} badges out"
    wall = {"events_per_s": job["wall_events_per_s"], "seconds": job["wall_seconds"]}
    processed = job["metrics"].get('badges_events_total{outcome="processed",reason=""}', 0)
    # Anything skipped or dead-lettered means the config or the data is off: the run is suspect.
    warning = f"WARNING: only {processed:.0f} of {r['events']} input events were processed"
    share = f"{100 * job['events_per_s'] / ceiling['events_per_s']:.1f}% of the ceiling"
    return "\n".join(
        [
            f"faust-badges benchmark — {r['events']} events, {r['learners']} learners, "
            f"{r['partitions']} partitions, Kafka {r['kafka']}, {r['cpus']} CPUs",
            f"Python {r['python']}, faust-streaming {r['faust_streaming']}, aiokafka "
            f"{r['aiokafka']}; load average (1 min) at the end: {r['load_average_1m']:.2f}",
            f"{'stage':<42}{'events/s':>10}{'seconds':>10}{'peak RSS':>10}",
            row("produce (context)", r["produce"], rss=False),
            row("raw aiokafka consume (ceiling)", ceiling),
            row("consume + the job's Python work, in-proc", r["in_process"]),
            row("faust-badges worker, end to end", job, note=share),
            f"{'  CPU used by the worker meanwhile':<42}{job['cores_used']:>10.0%} of a core",
            row("  same, wall clock from process start", wall, rss=False),
            f"{'  mean batch, ingest / progress (events)':<42}{_mean_batch(job, 'ingest'):>10.1f}"
            f"{_mean_batch(job, 'progress'):>10.1f}",
            f"{'  last decision to every input committed':<42}{'':>10}"
            f"{job['settle_seconds']:>10.1f}",
            f"{latency_title:<42}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}",
            f"{latency_note:<42}{lat['p50_ms']:>10,.0f}{lat['p95_ms']:>10,.0f}"
            f"{lat['p99_ms']:>10,.0f}",
            f"{'worker start-up to /health':<42}{'':>10}{job['startup_seconds']:>10.1f}",
            f"{'recovery: empty data dir to /health 200':<42}{'':>10}"
            f"{r['recovery']['seconds']:>10.1f}{r['recovery']['peak_rss'] / MIB:>6.0f} MiB"
            f"  ({min(r['learners'], r['events']):,} learners' state)",
            f"{'worker start-up to its first decision':<42}{'':>10}"
            f"{job['first_decision_seconds']:>10.1f}",
            f"badges from the worker: awarded {badges['awarded']} "
            f"({badges['awarded_distinct']} distinct), revoked {badges['revoked']}; "
            f"in produce order: {in_order['awarded']}, {in_order['revoked']}",
            "(counts may differ: the job sees each learner's events in a partition-interleaved "
            "order;\n correctness is checked by the test suite, not by this benchmark)",
            *([warning] if processed != r["events"] else []),
            f"{'wire format, in-process, per event':<42}{'JSON µs':>10}{'Avro µs':>10}",
            f"{'  decode an input event':<42}{wire['json_decode_us']:>10.1f}"
            f"{wire['avro_decode_us']:>10.1f}",
            f"{'  encode a badge event':<42}{wire['json_encode_us']:>10.1f}"
            f"{wire['avro_encode_us']:>10.1f}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="default: 100000")
    parser.add_argument("--learners", type=int, default=10_000, help="default: 10000")
    parser.add_argument("--partitions", type=int, default=4, help="input and internal topics")
    parser.add_argument("--bootstrap", help="HOST:PORT of a broker (default: start a fresh one)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=2000.0, help="offered ev/s for latency")
    parser.add_argument("--rate-seconds", type=float, default=10.0, help="how long to offer it")
    parser.add_argument("--profile", type=Path, help="py-spy the worker into collapsed stacks here")
    parser.add_argument("--timeout", type=float, default=900.0, help="for the worker, seconds")
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("--events must be at least 1")
    workdir = Path(tempfile.mkdtemp(prefix="faust-badges-bench-"))
    broker = None if args.bootstrap else LocalKafka(run_dir=workdir / "kafka")
    try:
        bootstrap = args.bootstrap or broker.start(timeout=90.0)  # type: ignore[union-attr]
        results = bench(args, bootstrap, broker.version if broker else "(external)", workdir)
    finally:
        if broker is not None:
            broker.stop()
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    shutil.rmtree(workdir, ignore_errors=True)  # kept on failure: the worker log is in it
    return 0


if __name__ == "__main__":
    sys.exit(main())
