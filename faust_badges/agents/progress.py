"""The progress agent: folds batches of learner events through the core, emits the badge events,
then stores each changed learner's record (who they are, their progress, their badges).

Order matters for crashes: a batch's badge events are acknowledged by Kafka *before* its new
state is written, and its offsets are marked handled only after both. A crash in between makes
the redelivered events emit the same badges again (same uuid, same ce_id: consumers dedupe); the
other order could store an award that was never emitted.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from faust.types import Message

from faust_badges.core.badges import badge_data
from faust_badges.core.decide import BadgeTransition, decide
from faust_badges.core.event_types import BADGE_AWARDED, BADGE_REVOKED
from faust_badges.core.index import ConfigIndex
from faust_badges.core.learner import LearnerEvent, LearnerRecord, merge_learner
from faust_badges.core.progress import BadgeStatus, LearnerProgress
from faust_badges.core.retry import backoff_delay
from faust_badges.events.cloudevents import TEMPLATE_HEADER
from faust_badges.events.learner_stream import decode_learner_event
from faust_badges.events.outbound import OutboundMessage
from faust_badges.events.schema_registry import SchemaRegistryError
from faust_badges.logs import log_kv
from faust_badges.runtime import Runtime

logger = logging.getLogger(__name__)

_EVENT_TYPES = {BadgeStatus.AWARDED: BADGE_AWARDED, BadgeStatus.REVOKED: BADGE_REVOKED}


def register_progress_agent(runtime: Runtime) -> None:
    runtime.batch_agent("progress", runtime.topics.learner_events, apply_learner_batch)


@dataclass
class LearnerInBatch:
    """One learner's state through a batch: as stored before it, and as its events leave it."""

    message: Message  # the learner's latest message in the batch: it names the table partition
    stored: LearnerProgress | None
    learner: LearnerRecord | None
    progress: LearnerProgress | None

    def to_write(self, username: str) -> LearnerProgress | None:
        """The record to store after the batch (None: nothing changed)."""
        progress = self.progress
        if progress is None:
            progress = LearnerProgress(username, learner=self.learner)
        elif progress.learner is not self.learner:
            # Built, not ``replace``d: this runs for most learners of every batch.
            templates, badges, recent = progress.templates, progress.badges, progress.recent_events
            progress = LearnerProgress(username, templates, badges, recent, self.learner)
        return None if progress is self.stored else progress


async def apply_learner_batch(runtime: Runtime, messages: Sequence[Message]) -> None:
    """Decide every event in order (each learner read once), emit the badge events and wait for
    Kafka to have them all, then write each changed learner's record once."""
    index = runtime.live_config.index()
    learners: dict[str, LearnerInBatch] = {}
    transitions: list[tuple[LearnerEvent, BadgeTransition]] = []
    outcomes: Counter[str] = Counter()
    for message in messages:
        # Only the ingest agent writes this internal topic, always with a value.
        learner_event = decode_learner_event(message.value or b"")
        state = learners.get(learner_event.username)
        if state is None:
            state = _read_learner(runtime, message, learner_event)
            learners[learner_event.username] = state
        state.message = message
        state.learner = merge_learner(state.learner, learner_event.user, learner_event.event_time)
        decision = decide(
            state.progress, learner_event, index, namespace=runtime.namespace, now=datetime.now(UTC)
        )
        if decision.progress is not None:
            state.progress = decision.progress
        transitions.extend((learner_event, transition) for transition in decision.transitions)
        outcomes[decision.outcome] += 1
    if transitions:
        await emit_transitions(runtime, index, transitions)
    writes = []
    for username, state in learners.items():
        record = state.to_write(username)
        if record is not None:
            writes.append((username, record, state.message))
    if writes:
        await runtime.progress.write_batch(writes)
    # Counted last: a counted event is fully handled (tests use this as a barrier).
    for outcome, count in outcomes.items():
        runtime.metrics.decisions.inc(count, outcome=outcome)


def _read_learner(
    runtime: Runtime, message: Message, learner_event: LearnerEvent
) -> LearnerInBatch:
    username = learner_event.username
    progress = runtime.progress.get_in(username, message)
    learner = progress.learner if progress is not None else None
    if learner is None:  # kept in the learners table before it moved into the progress record
        learner = runtime.learners.get_in(username, message)
    return LearnerInBatch(message, progress, learner, progress)


def _transition_time(transition: BadgeTransition) -> datetime:
    badge = transition.badge
    if transition.status is BadgeStatus.REVOKED and badge.revoked_at is not None:
        return badge.revoked_at
    return badge.awarded_at


async def encode_until_done(
    runtime: Runtime, *, event_type: str, badge: dict[str, Any], time: datetime
) -> OutboundMessage:
    """Encode a badge event, waiting out a schema registry that is down.

    Nothing can be emitted without the registry, and skipping would lose the badge: the agent
    holds here (its lag grows, the log says why) and carries on when the registry is back.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return await runtime.formats.badge_encoder.encode(
                event_type=event_type, badge=badge, time=time, source=runtime.event_source
            )
        except SchemaRegistryError as exc:
            # No jitter: one agent waits here, not a crowd of clients.
            delay = backoff_delay(attempt, base_delay=0.5, max_delay=30.0)
            log_kv(
                logger,
                logging.WARNING,
                "badge_encode_waiting",
                reason=exc.reason,
                retry_in=f"{delay:.1f}s",
                badge=badge["uuid"],
            )
            await asyncio.sleep(delay)


async def emit_transitions(
    runtime: Runtime,
    index: ConfigIndex,
    transitions: Sequence[tuple[LearnerEvent, BadgeTransition]],
) -> None:
    """Send the badge events and wait until Kafka has them all (one wait for the batch)."""
    records = []
    for event, transition in transitions:
        badge = transition.badge
        template = index.templates[badge.template_id].template
        message = await encode_until_done(
            runtime,
            event_type=_EVENT_TYPES[transition.status],
            badge=badge_data(runtime.namespace, badge.uuid, event.user, template),
            time=_transition_time(transition),
        )
        # The template id travels in a header, for our issuer (other consumers ignore it).
        headers = [*message.headers, (TEMPLATE_HEADER, badge.template_id.encode())]
        records.append((message.key, message.value, headers))
    await asyncio.gather(*await runtime.send_keyed(runtime.topics.lifecycle, records))
    for event, transition in transitions:
        counter = (
            runtime.metrics.awards
            if transition.status is BadgeStatus.AWARDED
            else runtime.metrics.revocations
        )
        counter.inc(template=transition.badge.template_id)
        log_kv(
            logger,
            logging.DEBUG,
            f"badge_{transition.status}",
            badge=transition.badge.uuid,
            template=transition.badge.template_id,
            user_id=event.user.id,
            event_id=event.event_id,
        )
