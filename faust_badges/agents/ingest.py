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
from faust_badges.events.inbound import Accepted, Rejected, Skipped, decode_inbound
from faust_badges.events.learner_stream import encode_learner_event
from faust_badges.runtime import Runtime

#: Room for a record batch's header and a record's own fields beside its key and value.
RECORD_OVERHEAD_BYTES = 512


def register_ingest_agent(runtime: Runtime) -> None:
    runtime.batch_agent("ingest", runtime.topics.inputs, ingest_batch)


async def ingest_batch(runtime: Runtime, messages: Sequence[Message]) -> None:
    """Route every message of a batch in order; the forwarded ones leave as record batches
    (per learner partition, in input order), counted once they are handed over."""
    forward: list[tuple[bytes, bytes, None]] = []
    for message in messages:
        learner_event = await ingest_one(runtime, message)
        if learner_event is not None:
            forward.append(learner_event)
    if forward:
        await runtime.send_keyed(runtime.topics.learner_events, forward)
        runtime.metrics.events.inc(len(forward), outcome="processed", reason="")


async def ingest_one(runtime: Runtime, message: Message) -> tuple[bytes, bytes, None] | None:
    """Decode one input message: the record to forward, or None once skipped or dead-lettered."""
    kafka_time = datetime.fromtimestamp(message.timestamp, UTC)
    result = await decode_inbound(
        message.value,
        header_map(message.headers),
        runtime.live_config.index(),
        kafka_time=kafka_time,
        decoders=runtime.formats.decoders,
    )
    if isinstance(result, Accepted):
        # Keyed by username: the repartition that co-locates a learner with its state.
        key, value = result.event.username.encode(), encode_learner_event(result.event)
        limit = runtime.app.conf.producer_max_request_size - RECORD_OVERHEAD_BYTES
        if len(key) + len(value) <= limit:
            return key, value, None
        # Re-encoded as JSON (an Avro value grows), the event is past what the producer sends:
        # Kafka would refuse it and stop the worker. It is bad input for this job, kept whole.
        result = Rejected("too_large", f"{len(value)} bytes as a learner event, over {limit}")
    if isinstance(result, Skipped):
        runtime.metrics.events.inc(outcome="skipped", reason="unconfigured_type")
    else:
        await dead_letter(runtime, message, result)
    return None
