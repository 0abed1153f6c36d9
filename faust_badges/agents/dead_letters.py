"""Send bad input to the dead-letter topic: original key, value and headers, plus why."""

from __future__ import annotations

import logging

from faust.types import Message

from faust_badges.events.cloudevents import header_pairs
from faust_badges.events.inbound import Rejected
from faust_badges.logs import log_kv
from faust_badges.runtime import Runtime

logger = logging.getLogger(__name__)

REASON_HEADER = "dead_letter_reason"


async def dead_letter(runtime: Runtime, message: Message, rejected: Rejected) -> None:
    """Keep the message, say why, count it, log one line (no payload: it may hold PII)."""
    headers = [
        *header_pairs(message.headers),
        (REASON_HEADER, rejected.describe().encode()),
        ("dead_letter_topic", message.topic.encode()),
        ("dead_letter_partition", str(message.partition).encode()),
        ("dead_letter_offset", str(message.offset).encode()),
    ]
    await runtime.produce(
        runtime.topics.dead_letters, key=message.key, value=message.value, headers=headers
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
