"""Plain aiokafka helpers for the CLI, the local runner and tests: create topics, produce, read.

The worker itself talks to Kafka only through Faust; these are for short-lived tools.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.structs import ConsumerRecord

from faust_badges.kafka_scan import reader, scan, time_ranges


@dataclass(frozen=True, slots=True)
class Record:
    """A message read back from a topic."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode()
        return None


async def ensure_topics(
    bootstrap: str,
    topics: Mapping[str, int],
    *,
    replication: int = 1,
    config: Mapping[str, Mapping[str, str]] | None = None,
    visible_within: float = 15.0,
) -> list[str]:
    """Create the topics (name -> partitions) that do not exist yet, and wait until the cluster
    metadata shows them. Returns the names it created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        configs = config or {}
        missing = [
            NewTopic(name, partitions, replication, topic_configs=dict(configs.get(name, {})))
            for name, partitions in topics.items()
            if name not in existing
        ]
        if missing:
            # Another process may create them first: that is fine.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
            deadline = asyncio.get_running_loop().time() + visible_within
            while not set(topics) <= set(await admin.list_topics()):
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"topics not visible after creation: {sorted(topics)}")
                await asyncio.sleep(0.1)
        return [topic.name for topic in missing]
    finally:
        await admin.close()


async def topic_partitions(bootstrap: str, topic: str) -> list[int]:
    """The partition numbers of a topic; empty when it does not exist."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    for entry in described:
        if entry.get("topic") == topic and entry.get("error_code", 0) == 0:
            return sorted(p["partition"] for p in entry.get("partitions", []))
    return []


async def produce(
    bootstrap: str,
    topic: str,
    messages: Iterable[tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]],
    *,
    linger_ms: int = 5,
) -> int:
    """Send ``(key, value, headers)`` messages and wait until Kafka has them all."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=linger_ms, acks="all")
    await producer.start()
    sent = 0
    try:
        pending = []
        for key, value, headers in messages:
            pending.append(await producer.send(topic, value=value, key=key, headers=headers))
            sent += 1
            if len(pending) >= 1000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent


async def read_all(bootstrap: str, topic: str, *, timeout: float = 10.0) -> list[Record]:
    """Every message currently in the topic (up to the end offsets seen at the start)."""
    return await _read_to_end(bootstrap, topic, None, timeout)


async def read_since(
    bootstrap: str, topic: str, since: datetime, *, timeout: float = 10.0
) -> list[Record]:
    """The messages of a topic from ``since`` (by Kafka timestamp) to its current end."""
    return await _read_to_end(bootstrap, topic, since, timeout)


async def _read_to_end(
    bootstrap: str, topic: str, since: datetime | None, timeout: float
) -> list[Record]:
    """The messages from ``since`` (the start when None) to the end offsets seen at the start;
    what was read by ``timeout`` seconds when that comes first."""
    partitions = await topic_partitions(bootstrap, topic)
    if not partitions:
        return []
    consumer = reader(bootstrap)
    await consumer.start()
    try:
        ranges = await time_ranges(consumer, [TopicPartition(topic, p) for p in partitions], since)
        return [
            _record(message)
            async for message in scan(consumer, ranges, stall_timeout=None, time_limit=timeout)
        ]
    finally:
        await consumer.stop()


def _record(m: ConsumerRecord[bytes, bytes]) -> Record:
    return Record(
        m.topic, m.partition, m.offset, m.timestamp, m.key, m.value, tuple(m.headers or ())
    )
