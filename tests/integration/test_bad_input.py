"""Fuzzing the input topic (SPEC §2 "bad input never stops or crashes the worker"): one worker gets
1,000 seeded bad messages interleaved with the good events of a few hundred learners.

Every bad message must reach the dead-letter topic once, byte for byte, with its reason; every
good event must be decided as the pure core decides it when folded over the input; and the worker
must never crash: the same process throughout, no agent crashed and restarted inside it.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import pytest

from faust_badges.agents.dead_letters import REASON_HEADER, VALUE_OMITTED_HEADER
from faust_badges.core.config_checks import parse_config
from faust_badges.core.index import ConfigIndex
from faust_badges.events.avro_format import AvroDecoder
from faust_badges.events.cloudevents import CONTENT_TYPE_AVRO, CONTENT_TYPE_JSON, header_map
from faust_badges.events.inbound import (
    DEFAULT_DECODERS,
    BodyDecoder,
    Inbound,
    Rejected,
    decode_inbound,
)
from faust_badges.kafka_io import Record
from faust_badges.samples import KafkaMessage, passing_event
from tests.integration.datasets import COURSES, RELIABILITY_CONFIG, learner_stories
from tests.integration.fuzzed_input import (
    CASE_HEADER,
    BadMessage,
    bad_messages,
    noisy_good_events,
    unconfigured_types,
)
from tests.integration.harness import (
    Deployment,
    WorkerProcess,
    comparable,
    oracle,
    running_worker,
    wait_for_group_caught_up,
    wait_for_inputs_handled,
)

pytestmark = pytest.mark.integration

GOOD_EVENTS = 2500
LEARNERS = 300
BAD = 1000
NOISY_GOOD = 60
UNCONFIGURED = 40
SEED = 2026
DEAD_LETTER_HEADERS = [
    REASON_HEADER,
    "dead_letter_topic",
    "dead_letter_partition",
    "dead_letter_offset",
]


@dataclass
class FuzzRun:
    deployment: Deployment
    worker: WorkerProcess
    pid: int
    bad: list[BadMessage]
    good: list[KafkaMessage]
    unconfigured: list[KafkaMessage]


def interleave(
    good: list[KafkaMessage], others: list[KafkaMessage], seed: int
) -> list[KafkaMessage]:
    """``others`` spread at random among ``good``, each list keeping its own order."""
    total = len(good) + len(others)
    slots = set(random.Random(seed).sample(range(total), len(others)))
    good_left, others_left = iter(good), iter(others)
    return [next(others_left) if i in slots else next(good_left) for i in range(total)]


@pytest.fixture(scope="module")
def run(kafka: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzRun]:
    deployment = Deployment(kafka, f"fuzz-{uuid.uuid4().hex[:6]}", tmp_path_factory.mktemp("fuzz"))
    # One input partition: the job sees the good events in the order the oracle folds them.
    deployment.create_topics(input_partitions=1)
    deployment.apply_config(RELIABILITY_CONFIG)
    bad = bad_messages(BAD, COURSES, seed=SEED)
    good = learner_stories(GOOD_EVENTS, LEARNERS, seed=SEED)
    good += noisy_good_events(NOISY_GOOD, COURSES[0], seed=SEED, first_case=BAD)
    unconfigured = unconfigured_types(UNCONFIGURED, COURSES, seed=SEED, first_case=2 * BAD)
    good_and_skipped = interleave(good, unconfigured, SEED + 1)
    stream = interleave(good_and_skipped, [b.message for b in bad], SEED + 2)
    with running_worker(deployment) as worker:
        assert worker.process is not None
        pid = worker.process.pid
        deployment.send(stream)
        wait_for_inputs_handled([worker], len(stream), timeout=120)
        wait_for_group_caught_up(deployment)
        yield FuzzRun(deployment, worker, pid, bad, good, unconfigured)


@cache
def worker_decoding() -> tuple[ConfigIndex, dict[str, BodyDecoder]]:
    """The config and decoders of the worker here (no schema registry: it reads Avro with the
    bundled schemas)."""
    decoders = {
        CONTENT_TYPE_JSON: DEFAULT_DECODERS[CONTENT_TYPE_JSON],
        CONTENT_TYPE_AVRO: AvroDecoder(None),
    }
    return ConfigIndex.build(parse_config(RELIABILITY_CONFIG)), decoders


def verdict(message: KafkaMessage) -> Inbound:
    """What the decoder says of one message in this process."""
    _key, value, headers = message
    index, decoders = worker_decoding()
    now = datetime.now(UTC)
    return asyncio.run(
        decode_inbound(value, header_map(headers), index, kafka_time=now, decoders=decoders)
    )


def test_the_generated_bad_messages_are_bad_as_their_kind_says() -> None:
    """The generator is honest (checked without Kafka): each message is rejected, with one of
    the reasons its kind names, and every kind is there."""
    bad = bad_messages(BAD, COURSES, seed=SEED)
    for message in bad:
        result = verdict(message.message)
        assert isinstance(result, Rejected), (message.kind, message.case, result)
        assert result.reason in message.reasons, (message.kind, message.case, result)
    assert len({m.kind for m in bad}) == 10


def case_of(record: Record) -> int:
    return int(record.header(CASE_HEADER) or "-1")


def test_every_bad_message_is_dead_lettered_once_with_its_reason_and_original_bytes(
    run: FuzzRun,
) -> None:
    dead = run.deployment.dead_letters()
    cases = [case_of(record) for record in dead]
    assert sorted(cases) == [m.case for m in run.bad], "a bad message lost, repeated or invented"
    by_case = {case_of(record): record for record in dead}
    stored = {r.offset: r for r in run.deployment.read(run.deployment.input_topic)}
    reasons_seen = set()
    for message in run.bad:
        key, value, headers = message.message
        record = by_case[message.case]
        where = f"case {message.case} ({message.kind})"
        assert (record.key, record.value) == (key, value), where
        assert list(record.headers[: len(headers)]) == headers, where
        assert [name for name, _ in record.headers[len(headers) :]] == DEAD_LETTER_HEADERS, where
        reason, _, detail = (record.header(REASON_HEADER) or "").partition(": ")
        expected = verdict(message.message)
        assert isinstance(expected, Rejected)
        assert reason == expected.reason and reason in message.reasons, (where, reason)
        assert detail, where
        assert message.username not in detail, where  # no learner data in a reason
        assert record.header("dead_letter_topic") == run.deployment.input_topic
        offset = int(record.header("dead_letter_offset") or "-1")
        assert case_of(stored[offset]) == message.case, where  # it names the original
        reasons_seen.add(reason)
    assert len(reasons_seen) >= 8, reasons_seen


def test_every_good_event_is_decided_as_the_pure_core_decides(run: FuzzRun) -> None:
    deployment = run.deployment
    expected = oracle(deployment.produced, RELIABILITY_CONFIG, deployment.app_id)
    assert comparable(deployment.stored_progress()) == comparable(expected.progress)
    emitted = {(e.status, e.username, e.key) for e in deployment.badge_events()}
    wanted = {(status, user, uid) for status, user, _template, uid in expected.transitions}
    assert emitted == wanted
    assert len(wanted) > LEARNERS  # many learners earned badges: not a vacuous comparison
    noisy = {f"noisy-{SEED}-{i:04d}" for i in range(NOISY_GOOD)}
    assert noisy <= {user for _status, user, _uid in emitted}  # noise did not cost a badge


def test_every_message_is_counted_once_and_the_worker_never_crashed(run: FuzzRun) -> None:
    worker = run.worker
    assert worker.process is not None and worker.process.poll() is None
    assert worker.process.pid == run.pid
    assert worker.crash_lines() == []
    metrics = worker.metrics()

    def outcome(name: str) -> float:
        prefix = f'badges_events_total{{outcome="{name}"'
        return sum(v for k, v in metrics.items() if k.startswith(prefix))

    assert outcome("dead_lettered") == BAD
    assert outcome("processed") == len(run.good)
    assert outcome("skipped") == len(run.unconfigured)
    decided = sum(v for k, v in metrics.items() if k.startswith("badges_decisions_total"))
    assert decided == len(run.good)


def test_a_bad_message_too_big_to_dead_letter_whole_keeps_all_but_its_value(
    kafka: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Found by the fuzzing: a value the broker takes (up to ~1 MiB) but that, with the dead
    letter's headers, passes the producer's 1 MB made every attempt to dead-letter it crash the
    ingest agent, and the worker stalled on it."""
    deployment = Deployment(
        kafka, f"fuzz-big-{uuid.uuid4().hex[:6]}", tmp_path_factory.mktemp("big")
    )
    deployment.create_topics(input_partitions=1)
    deployment.apply_config(RELIABILITY_CONFIG)
    key, _value, headers = passing_event(1, "big-bad", COURSES[0])
    huge = b"\xff" * 999_900
    with running_worker(deployment) as worker:
        deployment.send([(key, huge, headers), passing_event(2, "after-the-big-one", COURSES[0])])
        wait_for_inputs_handled([worker], 2)
        [dead] = deployment.dead_letters()
        assert (dead.key, dead.value) == (key, None)
        assert list(dead.headers[: len(headers)]) == headers
        assert dead.header(VALUE_OMITTED_HEADER) == str(len(huge))
        assert (dead.header(REASON_HEADER) or "").startswith("undecodable: ")
        assert [e.username for e in deployment.badge_events()] == ["after-the-big-one"]
        assert worker.crash_lines() == []
