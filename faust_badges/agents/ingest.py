"""The ingest agent: decode each input message and forward it keyed by learner, skip types that
are not configured, dead-letter bad input. Every message ends in exactly one of the three."""

from __future__ import annotations

from datetime import UTC, datetime

from faust.types import EventT, StreamT

from faust_badges.agents.dead_letters import dead_letter
from faust_badges.agents.offsets import handled_in_order
from faust_badges.events.cloudevents import header_map
from faust_badges.events.inbound import Accepted, Rejected, Skipped, decode_inbound
from faust_badges.events.learner_stream import encode_learner_event
from faust_badges.runtime import Runtime


def register_ingest_agent(runtime: Runtime) -> None:
    app = runtime.app
    settings = runtime.settings
    offsets = runtime.offset_guard("ingest", [*settings.input_topics, settings.replay_topic])

    @app.agent(runtime.topics.inputs, name="ingest")
    async def ingest(stream: StreamT) -> None:
        async for event in handled_in_order(stream, offsets, runtime.gate):
            await ingest_one(runtime, event)


async def ingest_one(runtime: Runtime, event: EventT) -> None:
    """Decode one input message and route it: forward, skip or dead-letter."""
    topics, metrics = runtime.topics, runtime.metrics
    message = event.message
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
        await topics.learner_events.send(
            key=result.event.username.encode(),
            value=encode_learner_event(result.event),
        )
        metrics.events.inc(outcome="processed", reason="")
    elif isinstance(result, Skipped):
        metrics.events.inc(outcome="skipped", reason="unconfigured_type")
    elif isinstance(result, Rejected):
        await dead_letter(runtime, event, result)
