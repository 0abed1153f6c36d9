"""LiveFlowControl keeps live queue contents when flow is resumed while already flowing."""

from __future__ import annotations

import asyncio

from mode.utils.queues import FlowControlQueue

from faust_badges.delivery.faust_corrections import LiveFlowControl


async def test_resume_while_flowing_keeps_queued_messages() -> None:
    flow = LiveFlowControl(loop=asyncio.get_running_loop())
    queue: FlowControlQueue[int] = FlowControlQueue(flow_control=flow, clear_on_resume=True)
    flow.resume()
    await queue.put(1)
    flow.resume()  # what Faust's recovery does again after seeking: must not drop the 1
    assert queue.qsize() == 1


async def test_resume_after_a_suspension_still_empties_the_queues() -> None:
    flow = LiveFlowControl(loop=asyncio.get_running_loop())
    queue: FlowControlQueue[int] = FlowControlQueue(flow_control=flow, clear_on_resume=True)
    flow.resume()
    await queue.put(1)
    flow.suspend()
    flow.resume()
    assert queue.qsize() == 0
