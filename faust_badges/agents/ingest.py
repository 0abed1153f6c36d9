"""The ingest agent: decode each input message and forward it keyed by learner, skip types that
are not configured, dead-letter bad input. Every message ends in exactly one of the three.

Messages come in batches from the agent's inbox (delivery/inbox.py): each is routed in order,
then one wait for Kafka's acknowledgement of everything the batch sent, before its offsets count
as handled."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime
from typing import Any

from faust.types import Message, StreamT

from faust_badges.agents.dead_letters import dead_letter
from faust_badges.events.cloudevents import header_map
from faust_badges.events.inbound import Accepted, Rejected, Skipped, decode_inbound
from faust_badges.events.learner_stream import encode_learner_event
from faust_badges.runtime import Runtime


def register_ingest_agent(runtime: Runtime) -> None:
    app = runtime.app
    settings = runtime.settings
    offsets = runtime.offset_guard("ingest", [*settings.input_topics, settings.replay_topic])
    inbox = runtime.inbox(runtime.topics.inputs)

    # A Faust agent for its supervision (restarted if it crashes); its messages come from the
    # inbox, not from the stream Faust passes in.
    @app.agent(name="ingest")
    async def ingest(_stream: StreamT) -> None:
        async for batch in runtime.batches(inbox, offsets):
            await ingest_batch(runtime, batch)
            runtime.metrics.batches.inc(agent="ingest")


async def ingest_batch(runtime: Runtime, messages: Sequence[Message]) -> None:
    """Route every message of a batch in order, then wait until Kafka has all they sent."""
    sent = [await ingest_one(runtime, message) for message in messages]
    await asyncio.gather(*(ack for ack in sent if ack is not None))


async def ingest_one(runtime: Runtime, message: Message) -> Awaitable[Any] | None:
    """Decode one input message and route it: forward, skip or dead-letter. Returns the
    acknowledgement of what it sent, if anything."""
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
        forwarded = await runtime.produce(
            topics.learner_events,
            key=result.event.username.encode(),
            value=encode_learner_event(result.event),
        )
        metrics.events.inc(outcome="processed", reason="")
        return forwarded
    if isinstance(result, Skipped):
        metrics.events.inc(outcome="skipped", reason="unconfigured_type")
        return None
    assert isinstance(result, Rejected)
    return await dead_letter(runtime, message, result)
