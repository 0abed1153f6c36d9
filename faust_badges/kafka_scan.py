"""Read fixed offset ranges of Kafka partitions: the one loop behind replay, ``explain``'s
learner history and every "read this topic" helper of the short-lived tools.

A range is fixed when the read starts (its end is an end offset seen then), so a scan ends even
while producers keep writing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

#: partition -> (first offset, end offset), the end excluded
Ranges = dict[TopicPartition, tuple[int, int]]


def reader(bootstrap: str) -> AIOKafkaConsumer:
    """A consumer for scans: no group, no commits; an offset deleted by retention meanwhile
    resumes at the oldest one kept ("earliest") rather than skipping to the end."""
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )


async def time_ranges(
    consumer: AIOKafkaConsumer,
    partitions: Iterable[TopicPartition],
    since: datetime | None = None,
    until: datetime | None = None,
) -> Ranges:
    """Each partition's offsets from the first message at or after ``since`` (the beginning
    when None) to the first at or after ``until`` (the end offset now when None, or when no
    message is that late). Partitions with nothing in the range are left out."""
    tps = list(partitions)
    ends = await consumer.end_offsets(tps)
    if since is None:
        firsts = await consumer.beginning_offsets(tps)
    else:
        found = await consumer.offsets_for_times({tp: _ms(since) for tp in tps})
        # No message at or after ``since``: nothing of that partition is in the range.
        firsts = {tp: ends[tp] if found.get(tp) is None else found[tp].offset for tp in tps}
    stops = dict(ends)
    if until is not None:
        found = await consumer.offsets_for_times({tp: _ms(until) for tp in tps})
        stops = {tp: ends[tp] if found.get(tp) is None else found[tp].offset for tp in tps}
    ranges: Ranges = {}
    for tp in tps:
        first, end = firsts[tp], min(stops[tp], ends[tp])
        if end > first:
            ranges[tp] = (first, end)
    return ranges


async def scan(
    consumer: AIOKafkaConsumer,
    ranges: Mapping[TopicPartition, tuple[int, int]],
    *,
    stall_timeout: float | None = 15.0,
    time_limit: float | None = None,
) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """The messages of ``ranges``, each partition in offset order.

    ``stall_timeout``: raise TimeoutError when no message came for that long (a large range just
    takes longer). ``time_limit``: stop quietly after that long with what was read, for readers
    that prefer part of an answer to none.
    """
    wanted = {tp: bounds for tp, bounds in ranges.items() if bounds[1] > bounds[0]}
    if not wanted:
        return
    consumer.assign(list(wanted))
    for tp, (first, _) in wanted.items():
        consumer.seek(tp, first)
    remaining = set(wanted)
    clock = asyncio.get_running_loop()
    started = clock.time()
    last_progress = started
    while remaining:
        if time_limit is not None and clock.time() - started >= time_limit:
            return
        batch = await consumer.getmany(*remaining, timeout_ms=500)
        for tp, messages in batch.items():
            end = wanted[tp][1]
            for message in messages:
                if message.offset < end:
                    yield message
        remaining = {tp for tp in remaining if await consumer.position(tp) < wanted[tp][1]}
        if batch:
            last_progress = clock.time()
        elif stall_timeout is not None and clock.time() - last_progress > stall_timeout:
            shown = ", ".join(sorted(f"{tp.topic}[{tp.partition}]" for tp in remaining))
            raise TimeoutError(f"reading {shown} made no progress for {stall_timeout:.0f}s")


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
