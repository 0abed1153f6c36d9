"""Read one learner's stored progress and recent events from Kafka, for ``faust-badges explain``.

Both topics are keyed by username and partitioned by Kafka's default partitioner (murmur2 of the
key bytes; Faust writes a table's changelog to the partition of the event being handled, which
is the repartition topic's), so only the key's partition of each is read, not the whole topic.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiokafka import TopicPartition
from aiokafka.partitioner import murmur2

from faust_badges.core.learner import LearnerEvent
from faust_badges.core.progress import LearnerProgress
from faust_badges.events.learner_stream import decode_learner_event
from faust_badges.events.state_codecs import PROGRESS_CODEC
from faust_badges.kafka_io import topic_partitions
from faust_badges.kafka_scan import reader, scan, time_ranges
from faust_badges.settings import PROGRESS_TABLE, Settings


@dataclass(frozen=True)
class LearnerHistory:
    """What Kafka holds about one learner: their progress and the events still retained."""

    username: str
    progress: LearnerProgress | None
    events: list[LearnerEvent]

    @property
    def unknown(self) -> bool:
        return self.progress is None and not self.events


def progress_topic(settings: Settings) -> str:
    return settings.changelog_topic(PROGRESS_TABLE)


def partition_for_key(key: bytes, partitions: list[int]) -> int:
    """The partition Kafka's default partitioner (Java's, and aiokafka's) gives a key."""
    return partitions[(murmur2(key) & 0x7FFFFFFF) % len(partitions)]


async def read_learner_history(settings: Settings, username: str) -> LearnerHistory:
    """The latest progress value for the learner and every retained event of theirs."""
    key = username.encode()
    progress_values, event_values = await asyncio.gather(
        read_key(settings.kafka_bootstrap, progress_topic(settings), key),
        read_key(settings.kafka_bootstrap, settings.learner_events_topic, key),
    )
    # The latest value wins; a tombstone (no value) would mean the learner was deleted.
    progress = (
        PROGRESS_CODEC.load(progress_values[-1])
        if progress_values and progress_values[-1]
        else None
    )
    events = [decode_learner_event(value) for value in event_values if value]
    return LearnerHistory(username, progress, events)


async def read_key(
    bootstrap: str, topic: str, key: bytes, *, stall_timeout: float = 15.0
) -> list[bytes | None]:
    """The values of ``key`` in the key's partition, oldest first, up to the end offset seen at
    the start. Empty when the topic does not exist. Fails when no progress is made for
    ``stall_timeout`` seconds (a large partition just takes longer)."""
    partitions = await topic_partitions(bootstrap, topic)
    if not partitions:
        return []
    tp = TopicPartition(topic, partition_for_key(key, partitions))
    consumer = reader(bootstrap)
    await consumer.start()
    try:
        ranges = await time_ranges(consumer, [tp])
        return [
            message.value
            async for message in scan(consumer, ranges, stall_timeout=stall_timeout)
            if message.key == key
        ]
    finally:
        await consumer.stop()
