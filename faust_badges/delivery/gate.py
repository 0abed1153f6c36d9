"""Stop processing cleanly before Faust closes the tables.

Faust 0.15.3 stops its tables before its agents: an event still being processed at that moment
writes to a closed store and its changelog write can be lost, while its offset is committed when
the consumer stops. The gate closes first: agents finish the event in hand, then wait, holding
the next event unacknowledged (so it is redelivered after the restart) until they are cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class ProcessingGate:
    """Counts events in processing; once closed, no new event starts."""

    def __init__(self) -> None:
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False
        self._closing = asyncio.Event()

    @asynccontextmanager
    async def processing(self) -> AsyncIterator[None]:
        """Wrap the handling of one event; blocks forever once the gate is closed."""
        if self._closed:
            await asyncio.Event().wait()  # never set: the agent is cancelled while waiting
        self._enter()
        try:
            yield
        finally:
            self._leave()

    def _enter(self) -> None:
        self._in_flight += 1
        self._idle.clear()

    def _leave(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self._idle.set()

    async def wait_idle(self, timeout: float) -> bool:
        """Wait until no event is in processing, without closing; False after ``timeout``.

        A rebalance waits here, so that the events in hand finish (and their records can be
        flushed) before their partitions go to another worker.
        """
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self, timeout: float = 30.0) -> None:
        """Let no new event start and wait for those in processing to finish."""
        self._closed = True
        self._closing.set()
        await asyncio.wait_for(self._idle.wait(), timeout)

    async def sleep(self, seconds: float) -> bool:
        """Wait, unless the gate closes first: True when the time passed, False when stopping
        (the caller then leaves its event unhandled, to be redelivered after the restart)."""
        if seconds <= 0:
            return not self._closed
        # A sleeping event writes nothing: it does not hold up a rebalance or a stop.
        holding = self._in_flight > 0
        if holding:
            self._leave()
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except TimeoutError:
            return True
        finally:
            if holding:
                self._enter()
        return False
