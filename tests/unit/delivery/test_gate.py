"""ProcessingGate: closing waits for the event in hand and lets no new one start."""

from __future__ import annotations

import asyncio

import pytest

from faust_badges.delivery.gate import ProcessingGate


async def test_close_waits_for_the_event_in_processing() -> None:
    gate = ProcessingGate()
    finished = asyncio.Event()

    async def handle() -> None:
        async with gate.processing():
            await asyncio.sleep(0.05)
            finished.set()

    task = asyncio.ensure_future(handle())
    await asyncio.sleep(0.01)
    await gate.close(timeout=1)
    assert finished.is_set()
    await task


async def test_no_event_starts_after_close() -> None:
    gate = ProcessingGate()
    await gate.close(timeout=1)
    started = asyncio.Event()

    async def handle() -> None:
        async with gate.processing():
            started.set()

    task = asyncio.ensure_future(handle())
    await asyncio.sleep(0.05)
    assert not started.is_set()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_close_with_nothing_in_processing_returns_at_once() -> None:
    await asyncio.wait_for(ProcessingGate().close(timeout=1), 0.5)


async def test_sleep_returns_early_and_false_when_the_gate_closes() -> None:
    gate = ProcessingGate()

    async def wait_a_minute() -> bool:
        async with gate.processing():
            return await gate.sleep(60)

    task = asyncio.ensure_future(wait_a_minute())
    await asyncio.sleep(0.01)
    await gate.close(timeout=1)
    assert await task is False


async def test_sleep_returns_true_when_the_time_has_passed() -> None:
    assert await ProcessingGate().sleep(0.01) is True


async def test_wait_idle_waits_for_the_event_in_hand_without_closing() -> None:
    gate = ProcessingGate()
    release = asyncio.Event()

    async def handle() -> None:
        async with gate.processing():
            await release.wait()

    task = asyncio.ensure_future(handle())
    await asyncio.sleep(0.01)
    assert await gate.wait_idle(0.05) is False
    release.set()
    assert await gate.wait_idle(1) is True
    await task
    async with gate.processing():  # still open: events go on after a rebalance
        pass


async def test_a_sleeping_event_does_not_hold_up_a_rebalance() -> None:
    gate = ProcessingGate()

    async def wait_a_minute() -> bool:
        async with gate.processing():
            return await gate.sleep(60)

    task = asyncio.ensure_future(wait_a_minute())
    await asyncio.sleep(0.01)
    assert await gate.wait_idle(0.1) is True
    await gate.close(timeout=1)
    assert await task is False
