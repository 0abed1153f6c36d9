"""The ledger of handled offsets: per agent and partition, the next offset to handle. The
consumer commits exactly what it says (``delivery/faust_corrections.py``), never more: a message
that was not handled is never committed, so it is redelivered after a restart.

Why not Faust's acknowledgements: Faust 0.15.3 loses and repeats messages around table recovery
(see faust_corrections.py): its stream can skip messages while its consumer's read offset moves
past them, deliver a message twice across a seek, and compute the offset to commit from
acknowledgements that then have holes or duplicates. The durability tests caught all three.
The guard (``guard.py``) keeps this ledger; the holes it waits on are reported here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from faust.types import TP

HOLE_WARNING_AFTER = 30.0  # a hole open this long is reported on /health


@dataclass(frozen=True)
class OpenHole:
    """Offsets an agent is waiting for: it holds the partition there until they arrive."""

    agent: str
    tp: TP
    missing_from: int
    opened_at: float  # on the guard's clock (monotonic seconds)


class ProcessedOffsets:
    """Per agent and partition: the next offset to handle. A partition may be committed up to
    the smallest of these among the agents that consume its topic (two agents read the same
    topic when input and output share one)."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, TP], int] = {}
        self._consumers: dict[str, set[str]] = {}  # topic -> agents
        self.holes: dict[tuple[str, TP], OpenHole] = {}
        #: Offsets found missing from the log (never written, or deleted) and moved past.
        self.gaps_skipped: dict[tuple[str, TP], int] = {}

    def for_agent(self, agent: str, topics: Iterable[str]) -> AgentOffsets:
        for topic in topics:
            self._consumers.setdefault(topic, set()).add(agent)
        return AgentOffsets(self, agent)

    def owns(self, tp: TP) -> bool:
        """Whether our agents consume this partition (then this ledger decides its commits)."""
        return tp.topic in self._consumers

    def committable(self, tp: TP) -> int | None:
        """The offset every consuming agent has handled up to; None until each has started."""
        offsets = [self._next.get((agent, tp)) for agent in self._consumers.get(tp.topic, ())]
        if not offsets or any(offset is None for offset in offsets):
            return None
        return min(offset for offset in offsets if offset is not None)

    def partitions(self) -> set[TP]:
        return {tp for _, tp in self._next}

    def next_to_handle(self, agent: str, tp: TP) -> int | None:
        return self._next.get((agent, tp))

    def record_next(self, agent: str, tp: TP, offset: int) -> None:
        self._next[(agent, tp)] = offset

    def hole_opened(self, hole: OpenHole) -> None:
        self.holes[(hole.agent, hole.tp)] = hole

    def hole_closed(self, agent: str, tp: TP) -> None:
        self.holes.pop((agent, tp), None)

    def gap_skipped(self, agent: str, tp: TP, offsets: int) -> None:
        key = (agent, tp)
        self.gaps_skipped[key] = self.gaps_skipped.get(key, 0) + offsets

    def revoke(self, tps: Iterable[TP]) -> None:
        """Forget revoked partitions: their events still in hand are not handled here any more
        (another worker resumes them at the committed offset)."""
        gone = set(tps)
        for key in [key for key in self._next if key[1] in gone]:
            del self._next[key]
        for key in [key for key in self.holes if key[1] in gone]:
            del self.holes[key]


@dataclass(frozen=True)
class AgentOffsets:
    """One agent's entries in the ledger."""

    ledger: ProcessedOffsets
    agent: str

    def get(self, tp: TP) -> int | None:
        return self.ledger.next_to_handle(self.agent, tp)

    def set(self, tp: TP, offset: int) -> None:
        self.ledger.record_next(self.agent, tp, offset)

    def hole_opened(self, tp: TP, missing_from: int, opened_at: float) -> None:
        self.ledger.hole_opened(OpenHole(self.agent, tp, missing_from, opened_at))

    def hole_closed(self, tp: TP) -> None:
        self.ledger.hole_closed(self.agent, tp)

    def gap_skipped(self, tp: TP, offsets: int) -> None:
        self.ledger.gap_skipped(self.agent, tp, offsets)
