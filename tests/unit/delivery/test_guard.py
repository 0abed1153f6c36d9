"""OffsetGuard: in-order admission per partition, holes sought back, ledger of handled offsets."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError
from faust.types import TP

from faust_badges.delivery import committed as committed_module
from faust_badges.delivery import guard as guard_module
from faust_badges.delivery.guard import PROBE_AFTER, PROBE_EVERY, OffsetGuard
from faust_badges.delivery.ledger import ProcessedOffsets

INPUT = TP("input", 0)
OTHER = TP("input", 1)


@dataclass
class Msg:
    """The three fields of a Faust message the guard reads."""

    tp: TP
    offset: int
    generation_id: int = 1


class Harness:
    def __init__(self, committed: dict[TP, int]) -> None:
        self.committed = committed
        self.seeks: list[tuple[TP, int]] = []
        self.probes: list[tuple[TP, int]] = []
        self.log_starts: dict[TP, int] = {}  # offsets below these are missing from the log
        self.probe_error: Exception | None = None
        self.resume_errors: list[Exception] = []
        self.now = 0.0
        self.ledger = ProcessedOffsets()
        self.processed = self.ledger.for_agent("test", ["input"])
        self.guard = OffsetGuard(
            "test",
            self.processed,
            resume_offset=self.resume,
            seek=self.seek,
            first_offset=self.first_offset,
            clock=lambda: self.now,
        )

    async def resume(self, tp: TP) -> int:
        if self.resume_errors:
            raise self.resume_errors.pop(0)
        return self.committed.get(tp, 0)

    async def seek(self, tp: TP, offset: int) -> None:
        self.seeks.append((tp, offset))

    async def first_offset(self, tp: TP, offset: int) -> int | None:
        self.probes.append((tp, offset))
        if self.probe_error is not None:
            raise self.probe_error
        return max(offset, self.log_starts.get(tp, 0))

    async def wait(self, seconds: float) -> None:
        """Let ``seconds`` pass on the guard's clock, and its re-seek task run."""
        self.now += seconds
        await asyncio.sleep(0.05)

    async def handle(self, *offsets: int, tp: TP = INPUT, generation: int = 1) -> list[int]:
        """Deliver messages; return the offsets the guard admitted (and marks them handled)."""
        admitted = []
        for offset in offsets:
            message = Msg(tp, offset, generation)
            if await self.guard.admit(message):  # type: ignore[arg-type]
                self.guard.handled(message)  # type: ignore[arg-type]
                admitted.append(offset)
        await asyncio.sleep(0)  # let a re-seek task run
        return admitted


@pytest.fixture(autouse=True)
def fast_reseek(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard_module, "RESEEK_EVERY", 0.01)
    monkeypatch.setattr(guard_module, "RESUME_RETRY_FIRST", 0.01)


async def test_messages_in_order_are_admitted_and_recorded() -> None:
    h = Harness({INPUT: 5})
    assert await h.handle(5, 6, 7) == [5, 6, 7]
    assert h.processed.get(INPUT) == 8
    assert h.seeks == []


async def test_redeliveries_below_the_next_offset_are_skipped() -> None:
    h = Harness({INPUT: 0})
    assert await h.handle(0, 1, 2, 1, 2, 3) == [0, 1, 2, 3]


async def test_a_hole_is_sought_back_and_filled_before_moving_on() -> None:
    h = Harness({INPUT: 0})
    # Faust dropped 2 and 3: 4 and 5 are held back until 2 comes again.
    assert await h.handle(0, 1, 4, 5) == [0, 1]
    assert h.seeks[0] == (INPUT, 2)
    assert h.processed.get(INPUT) == 2  # nothing past the hole may be committed
    assert await h.handle(2, 3, 4, 5) == [2, 3, 4, 5]


async def test_the_seek_is_repeated_while_the_hole_stays_open() -> None:
    h = Harness({INPUT: 0})
    await h.handle(0, 3)
    await asyncio.sleep(0.05)
    assert len(h.seeks) >= 2 and set(h.seeks) == {(INPUT, 1)}
    await h.handle(1)
    count = len(h.seeks)
    await asyncio.sleep(0.05)
    assert len(h.seeks) == count  # closed: no more seeks


async def test_a_hole_whose_messages_exist_is_never_accepted_and_is_reported_open() -> None:
    h = Harness({INPUT: 0})
    assert await h.handle(0, 5) == [0]
    for _ in range(5):  # minutes: the log holds 1..4, so the guard keeps asking for them
        await h.wait(PROBE_EVERY + 1)
        assert await h.handle(6, 7) == []
    assert h.processed.get(INPUT) == 1
    assert h.probes and set(h.probes) == {(INPUT, 1)}
    (hole,) = h.ledger.holes.values()
    assert (hole.agent, hole.tp, hole.missing_from, hole.opened_at) == ("test", INPUT, 1, 0.0)
    assert h.ledger.gaps_skipped == {}

    assert await h.handle(1, 2, 3, 4, 5, 6) == [1, 2, 3, 4, 5, 6]
    assert h.ledger.holes == {}


async def test_offsets_missing_from_the_log_are_skipped_counted_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    h = Harness({INPUT: 0})
    h.log_starts[INPUT] = 4  # 1..3 are gone (retention), or never held records
    assert await h.handle(0, 4, 5) == [0]
    await h.wait(PROBE_AFTER - 1)
    assert h.probes == []  # a hole first gets the time to fill by seeking
    await h.wait(2)

    assert h.seeks[-1] == (INPUT, 4)
    assert h.ledger.gaps_skipped == {("test", INPUT): 3}
    assert "offset_gap_skipped" in caplog.text and "missing_to=3" in caplog.text
    assert await h.handle(4, 5) == [4, 5]
    assert h.processed.get(INPUT) == 6
    assert h.ledger.holes == {}


async def test_a_failing_probe_leaves_the_hole_held() -> None:
    h = Harness({INPUT: 0})
    h.log_starts[INPUT] = 4
    h.probe_error = ConnectionError("broker away")
    assert await h.handle(0, 4) == [0]
    await h.wait(PROBE_AFTER + 1)
    assert h.probes and await h.handle(4) == []
    assert h.ledger.gaps_skipped == {} and len(h.ledger.holes) == 1


async def test_a_hole_at_the_head_of_an_assignment_is_detected() -> None:
    h = Harness({INPUT: 10})
    assert await h.handle(12) == []
    assert h.seeks[0] == (INPUT, 10)


async def test_a_new_generation_resumes_from_the_committed_offset() -> None:
    h = Harness({INPUT: 0})
    await h.handle(0, 1, 2)
    h.committed[INPUT] = 2  # the group committed 2 before the rebalance
    assert await h.handle(2, 3, generation=2) == [2, 3]


async def test_partitions_are_independent() -> None:
    h = Harness({INPUT: 0, OTHER: 100})
    assert await h.handle(0, tp=INPUT) == [0]
    assert await h.handle(100, 101, tp=OTHER) == [100, 101]
    assert h.ledger.partitions() == {INPUT, OTHER}


def test_a_shared_topic_commits_up_to_the_slowest_agent() -> None:
    ledger = ProcessedOffsets()
    ingest = ledger.for_agent("ingest", ["lifecycle"])
    intake = ledger.for_agent("intake", ["lifecycle"])
    tp = TP("lifecycle", 0)
    ingest.set(tp, 10)
    assert ledger.committable(tp) is None  # the other agent has not started on it
    intake.set(tp, 7)
    assert ledger.committable(tp) == 7
    assert ledger.owns(tp) and not ledger.owns(TP("other", 0))


async def test_revoked_partitions_take_no_more_events_of_their_generation() -> None:
    h = Harness({INPUT: 0, OTHER: 0})
    await h.handle(0, 1, tp=INPUT)
    await h.handle(0, tp=OTHER)
    h.ledger.revoke({INPUT})
    # Fetched before the revoke, delivered after it: the next owner handles them.
    assert await h.handle(2, 3, tp=INPUT) == []
    assert h.processed.get(INPUT) is None
    assert h.ledger.partitions() == {OTHER}
    h.committed[INPUT] = 2
    assert await h.handle(2, 3, tp=INPUT, generation=2) == [2, 3]  # assigned back


async def test_an_event_finishing_after_its_partition_was_revoked_records_nothing() -> None:
    h = Harness({INPUT: 0})
    message = Msg(INPUT, 0)
    assert await h.guard.admit(message)  # type: ignore[arg-type]
    h.ledger.revoke({INPUT})
    h.guard.handled(message)  # type: ignore[arg-type]
    assert h.processed.get(INPUT) is None
    assert await h.handle(1) == []  # and the partition stays closed to this generation


async def test_a_broker_that_drops_the_connection_while_asked_to_resume_is_asked_again() -> None:
    h = Harness({INPUT: 3})
    h.resume_errors = [KafkaConnectionError("Connection closed"), OSError("reset")]
    # The message being admitted is neither dropped nor admitted out of order.
    assert await h.handle(3, 4) == [3, 4]
    assert h.resume_errors == [] and h.processed.get(INPUT) == 5


class FakeAdmin:
    """An admin client that must be started before it is asked (as aiokafka's)."""

    instances: list[FakeAdmin] = []

    def __init__(self, bootstrap_servers: str) -> None:
        self.started = False
        FakeAdmin.instances.append(self)

    async def start(self) -> None:
        await asyncio.sleep(0.01)  # a connection: other tasks run meanwhile
        self.started = True

    async def list_consumer_group_offsets(self, group: str, partitions: Any) -> dict[Any, Any]:
        assert self.started, "asked before it was started"
        return {partitions[0]: SimpleNamespace(offset=42)}

    async def close(self) -> None:
        self.started = False


async def test_guards_asking_at_once_share_one_started_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(committed_module, "AIOKafkaAdminClient", FakeAdmin)
    FakeAdmin.instances = []
    app = SimpleNamespace(conf=SimpleNamespace(id="group"))
    committed = committed_module.CommittedOffsets(app, "127.0.0.1:9092")  # type: ignore[arg-type]

    assert await asyncio.gather(committed.get(INPUT), committed.get(OTHER)) == [42, 42]
    assert len(FakeAdmin.instances) == 1
    await committed.close()
    assert not FakeAdmin.instances[0].started
