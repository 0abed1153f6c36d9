"""The progress agent's batch body against in-memory fakes: Kafka has a batch's badge events
before its state is written (a crash in between re-emits the same badges; the other order could
store an award never sent), and each learner is read and written once per batch."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest

from faust_badges.agents.progress import apply_learner_batch
from faust_badges.core.index import ConfigIndex
from faust_badges.core.learner import merge_learner
from faust_badges.events.learner_stream import encode_learner_event
from faust_badges.events.outbound import JsonBadgeEventEncoder
from faust_badges.metrics import Metrics
from faust_badges.runtime import Runtime

from ..core.builders import NAMESPACE, T0, course, make_event, make_index, requirement, template


@dataclass
class FakeMessage:
    value: bytes
    partition: int = 0


class FakeTable:
    """The two calls the progress agent makes on a state table."""

    def __init__(self, name: str, log: list[tuple[str, Any]]) -> None:
        self.name = name
        self.log = log
        self.stored: dict[str, Any] = {}
        self.reads: list[str] = []

    def get_in(self, key: str, message: FakeMessage) -> Any:
        self.reads.append(key)
        return self.stored.get(key)

    async def write_batch(self, writes: list[tuple[str, Any, FakeMessage]]) -> None:
        self.log.append(("write", self.name, [key for key, _, _ in writes]))
        self.stored.update({key: value for key, value, _ in writes})


class FakeKafka:
    """Sends that Kafka acknowledges only when the test says so."""

    def __init__(self, log: list[tuple[str, Any]]) -> None:
        self.log = log
        self.acks: list[asyncio.Future[None]] = []

    async def send_keyed(self, topic: Any, records: list[tuple[bytes, bytes, Any]]) -> Any:
        acks = []
        for key, _value, _headers in records:
            self.log.append(("sent", key.decode()))
            acks.append(asyncio.get_running_loop().create_future())
        self.acks.extend(acks)
        return acks


def fake_runtime(index: ConfigIndex, log: list[tuple[str, Any]]) -> tuple[Runtime, FakeKafka]:
    kafka = FakeKafka(log)
    runtime = SimpleNamespace(
        live_config=SimpleNamespace(index=lambda: index),
        namespace=NAMESPACE,
        event_source="openedx/test/worker",
        metrics=Metrics(),
        formats=SimpleNamespace(badge_encoder=JsonBadgeEventEncoder()),
        topics=SimpleNamespace(lifecycle="lifecycle"),
        send_keyed=kafka.send_keyed,
        learners=FakeTable("learners", log),
        progress=FakeTable("progress", log),
    )
    return cast(Runtime, runtime), kafka


INDEX = make_index(template("single", [requirement("a", course("a"))]))


def messages(*events: Any) -> list[Any]:
    return [FakeMessage(encode_learner_event(event)) for event in events]


async def test_state_is_written_only_after_kafka_acknowledged_the_badge_events() -> None:
    log: list[tuple[str, Any]] = []
    runtime, kafka = fake_runtime(INDEX, log)
    batch = asyncio.ensure_future(
        apply_learner_batch(runtime, messages(make_event("ann", course("a"))))
    )
    await asyncio.sleep(0.01)
    assert [entry[0] for entry in log] == ["sent"]  # the award is out, nothing written yet
    assert not batch.done()

    for ack in kafka.acks:
        ack.set_result(None)
    await asyncio.wait_for(batch, 1)
    assert [entry[:2] for entry in log] == [("sent", log[0][1]), ("write", "progress")]
    assert runtime.metrics.decisions.get(outcome="applied") == 1


async def test_a_refused_badge_event_writes_no_state() -> None:
    log: list[tuple[str, Any]] = []
    runtime, kafka = fake_runtime(INDEX, log)
    batch = asyncio.ensure_future(
        apply_learner_batch(runtime, messages(make_event("ann", course("a"))))
    )
    await asyncio.sleep(0.01)
    kafka.acks[0].set_exception(RuntimeError("message too large"))
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(batch, 1)
    assert [entry[0] for entry in log] == ["sent"]  # the batch stops: redelivered after restart


async def test_each_learner_is_read_and_written_once_per_batch() -> None:
    log: list[tuple[str, Any]] = []
    runtime, _kafka = fake_runtime(INDEX, log)
    events = [
        make_event("ann", course("b")),  # matches nothing: no badge, still a learner update
        make_event("bob", course("b")),
        make_event("ann", course("c")),
    ]
    await asyncio.wait_for(apply_learner_batch(runtime, messages(*events)), 1)
    progress = cast(FakeTable, runtime.progress)
    assert progress.reads == ["ann", "bob"]
    assert [entry for entry in log if entry[0] == "write"] == [
        ("write", "progress", ["ann", "bob"])
    ]
    ann = progress.stored["ann"]
    assert ann.learner is not None and ann.learner.username == "ann"
    assert not ann.templates  # no event applied: the record only says who ann is


async def test_a_learner_kept_in_the_old_learners_table_is_read_from_it_once() -> None:
    log: list[tuple[str, Any]] = []
    runtime, _kafka = fake_runtime(INDEX, log)
    learners = cast(FakeTable, runtime.learners)
    old = merge_learner(None, make_event("ann", course("b")).user, T0 + timedelta(days=9))
    learners.stored["ann"] = old  # newer than the event below: it must be kept

    await asyncio.wait_for(
        apply_learner_batch(runtime, messages(make_event("ann", course("b")))), 1
    )
    await asyncio.wait_for(
        apply_learner_batch(runtime, messages(make_event("ann", course("b")))), 1
    )

    assert learners.reads == ["ann"]  # the second batch finds it in the progress record
    assert cast(FakeTable, runtime.progress).stored["ann"].learner == old
    assert [entry[1] for entry in log if entry[0] == "write"] == ["progress"]
