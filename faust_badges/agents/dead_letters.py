"""Send bad input to the dead-letter topic: original key, value and headers, plus why."""

from __future__ import annotations

import logging

from aiokafka.record.default_records import DefaultRecordBatchBuilder
from faust.types import Message

from faust_badges.events.cloudevents import header_pairs
from faust_badges.events.inbound import Rejected
from faust_badges.logs import log_kv
from faust_badges.runtime import Runtime

logger = logging.getLogger(__name__)

REASON_HEADER = "dead_letter_reason"
#: Set when the value could not be kept: its size in bytes.
VALUE_OMITTED_HEADER = "dead_letter_value_omitted"


async def dead_letter(runtime: Runtime, message: Message, rejected: Rejected) -> None:
    """Keep the message, say why, count it, log one line (no payload: it may hold PII)."""
    headers = [
        *header_pairs(message.headers),
        (REASON_HEADER, rejected.describe().encode()),
        ("dead_letter_topic", message.topic.encode()),
        ("dead_letter_partition", str(message.partition).encode()),
        ("dead_letter_offset", str(message.offset).encode()),
    ]
    value = message.value
    limit = runtime.app.conf.producer_max_request_size
    if DefaultRecordBatchBuilder.estimate_size_in_bytes(message.key, value, headers) > limit:
        # With our headers the record is past what the producer sends (Faust's 1 MB; brokers
        # take a little more): it would refuse it and crash this agent, again on every retry.
        # Kept are the key, headers and the value's size; the value stays at its input offset.
        headers.append((VALUE_OMITTED_HEADER, str(len(value or b"")).encode()))
        value = None
    await runtime.produce(
        runtime.topics.dead_letters, key=message.key, value=value, headers=headers
    )
    runtime.metrics.events.inc(outcome="dead_lettered", reason=rejected.reason)
    log_kv(
        logger,
        logging.WARNING,
        "dead_lettered",
        reason=rejected.reason,
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        detail=rejected.detail,
    )
