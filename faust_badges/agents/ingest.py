"""The ingest agent: decode each input message and forward it keyed by learner, skip types that
are not configured, dead-letter bad input. Every message ends in exactly one of the three.

Messages come in batches from the agent's inbox (delivery/inbox.py), each routed in order. The
batch does not wait for Kafka's acknowledgements: no offset is committed before the producer's
flush has them all (delivery/producer.py), and a record Kafka refuses fails that flush, so the
offsets are never committed past it. Waiting per batch only left the agent idle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from faust.types import Message

from faust_badges.agents.dead_letters import dead_letter
from faust_badges.events.cloudevents import header_map
from faust_badges.events.inbound import Accepted, Skipped, decode_inbound
from faust_badges.events.learner_stream import encode_learner_event
from faust_badges.runtime import Runtime


def register_ingest_agent(runtime: Runtime) -> None:
    runtime.batch_agent("ingest", runtime.topics.inputs, ingest_batch)


async def ingest_batch(runtime: Runtime, messages: Sequence[Message]) -> None:
    """Route every message of a batch in order."""
    for message in messages:
        await ingest_one(runtime, message)


async def ingest_one(runtime: Runtime, message: Message) -> None:
    """Decode one input message and route it: forward, skip or dead-letter."""
    topics, metrics = runtime.topics, runtime.metrics
    kafka_time = datetime.fromtimestamp(message.timestamp, UTC)
    result = await decode_inbound(
        message.value,
        header_map(message.headers),
        runtime.config.current(),
        kafka_time=kafka_time,
        decoders=runtime.formats.decoders,
    )
    if isinstance(result, Accepted):
        # Keyed by username: the repartition that co-locates a learner with its state.
        await runtime.produce(
            topics.learner_events,
            key=result.event.username.encode(),
            value=encode_learner_event(result.event),
        )
        metrics.events.inc(outcome="processed", reason="")
    elif isinstance(result, Skipped):
        metrics.events.inc(outcome="skipped", reason="unconfigured_type")
    else:
        await dead_letter(runtime, message, result)
