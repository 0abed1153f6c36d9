"""The progress agent: for each learner event, ask the core what changes, emit badge events,
then store the learner and their progress.

Order matters for crashes: badge events are acknowledged by Kafka *before* the new state is
written. A crash in between makes the redelivered event emit the same badge again (same uuid,
same ce_id: consumers dedupe); the other order could store an award that was never emitted.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from faust.types import StreamT

from faust_badges.agents.offsets import handled_in_order
from faust_badges.core.badges import badge_data
from faust_badges.core.decide import BadgeTransition, decide
from faust_badges.core.event_types import BADGE_AWARDED, BADGE_REVOKED
from faust_badges.core.index import ConfigIndex
from faust_badges.core.learner import LearnerEvent, merge_learner
from faust_badges.core.progress import BadgeStatus
from faust_badges.events.cloudevents import TEMPLATE_HEADER
from faust_badges.events.learner_stream import decode_learner_event
from faust_badges.events.outbound import OutboundMessage
from faust_badges.events.schema_registry import SchemaRegistryError
from faust_badges.logs import log_kv
from faust_badges.runtime import Runtime

logger = logging.getLogger(__name__)

_EVENT_TYPES = {BadgeStatus.AWARDED: BADGE_AWARDED, BadgeStatus.REVOKED: BADGE_REVOKED}


def register_progress_agent(runtime: Runtime) -> None:
    app = runtime.app
    offsets = runtime.offset_guard("progress", [runtime.settings.learner_events_topic])

    @app.agent(runtime.topics.learner_events, name="progress")
    async def progress_agent(stream: StreamT) -> None:
        async for event in handled_in_order(stream, offsets, runtime.gate):
            await apply_learner_event(runtime, decode_learner_event(event.value))


async def apply_learner_event(runtime: Runtime, event: LearnerEvent) -> None:
    """Decide, emit the badge events, then store the learner and their progress."""
    username = event.username
    index = runtime.config.current()

    stored_learner = runtime.learners.get(username)
    learner = merge_learner(stored_learner, event.user, event.event_time)

    stored_progress = runtime.progress.get(username)
    decision = decide(
        stored_progress, event, index, namespace=runtime.namespace, now=datetime.now(UTC)
    )
    if decision.transitions:
        await emit_transitions(runtime, event, index, decision.transitions)
    if learner is not stored_learner:
        runtime.learners.put(username, learner)
    if decision.progress is not None and decision.progress is not stored_progress:
        runtime.progress.put(username, decision.progress)
    # Counted last: a counted event is fully handled (tests use this as a barrier).
    runtime.metrics.decisions.inc(outcome=decision.outcome)


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
    delay = 0.5
    while True:
        try:
            return await runtime.formats.badge_encoder.encode(
                event_type=event_type, badge=badge, time=time, source=runtime.event_source
            )
        except SchemaRegistryError as exc:
            log_kv(
                logger,
                logging.WARNING,
                "badge_encode_waiting",
                reason=exc.reason,
                retry_in=f"{delay:.1f}s",
                badge=badge["uuid"],
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


async def emit_transitions(
    runtime: Runtime,
    event: LearnerEvent,
    index: ConfigIndex,
    transitions: tuple[BadgeTransition, ...],
) -> None:
    """Send the badge events and wait until Kafka has them all."""
    pending = []
    for transition in transitions:
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
        pending.append(
            await runtime.topics.lifecycle.send(
                key=message.key, value=message.value, headers=headers
            )
        )
    await asyncio.gather(*pending)
    for transition in transitions:
        counter = (
            runtime.metrics.awards
            if transition.status is BadgeStatus.AWARDED
            else runtime.metrics.revocations
        )
        counter.inc(template=transition.badge.template_id)
        log_kv(
            logger,
            logging.INFO,
            f"badge_{transition.status}",
            badge=transition.badge.uuid,
            template=transition.badge.template_id,
            user_id=event.user.id,
            event_id=event.event_id,
        )
