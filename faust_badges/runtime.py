"""What the agents and views of one app share: settings, topics, tables, config, metrics, codecs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import faust
from faust.types import Message, StreamT, TopicT

from faust_badges.core.issuing import IssuedBadge, RetryPolicy
from faust_badges.core.learner import LearnerRecord
from faust_badges.core.progress import LearnerProgress
from faust_badges.delivery.batches import handled_in_batches
from faust_badges.delivery.committed import CommittedOffsets
from faust_badges.delivery.gate import ProcessingGate
from faust_badges.delivery.guard import OffsetGuard
from faust_badges.delivery.inbox import Inbox, Inboxes
from faust_badges.delivery.ledger import ProcessedOffsets
from faust_badges.delivery.producer import AckedProducer
from faust_badges.events.formats import WireFormats
from faust_badges.metrics import Metrics
from faust_badges.providers.pool import ProviderPool
from faust_badges.settings import Settings
from faust_badges.tables.config import LiveConfig
from faust_badges.tables.keyed import JsonTable
from faust_badges.tables.openbadges import OpenBadgesTable
from faust_badges.topics import Topics


@dataclass(frozen=True)
class Runtime:
    app: faust.App
    settings: Settings
    namespace: uuid.UUID  # of badge and template uuids, from the app id
    metrics: Metrics
    live_config: LiveConfig  # the badge config, compiled; index() per event
    topics: Topics
    learners: JsonTable[LearnerRecord]
    progress: JsonTable[LearnerProgress]
    config_table: Any
    formats: WireFormats
    issued: JsonTable[IssuedBadge]
    openbadges: OpenBadgesTable
    providers: ProviderPool
    gate: ProcessingGate
    processed: ProcessedOffsets
    committed: CommittedOffsets  # the group's committed offsets, read by every guard
    inboxes: Inboxes

    def offset_guard(self, agent: str, topics: Iterable[str]) -> OffsetGuard:
        """The in-order, handled-only-commit guard of one agent over its source topics."""
        return OffsetGuard.for_app(self.app, agent, self.committed, self.processed, topics)

    async def produce(
        self,
        topic: TopicT,
        *,
        key: bytes | None,
        value: bytes | None,
        headers: Sequence[tuple[str, bytes]] | None = None,
    ) -> Awaitable[Any]:
        """Hand one record of the per-event path to the producer; returns its acknowledgement.

        Straight to the producer (the same one, so its flush before every commit covers the
        record): Faust's ``Topic.send`` adds per record serializer lookups, a future message and
        callbacks that raw-bytes topics do not need. Partitioned by key as ``Topic.send`` does.
        """
        return await self.app.producer.send(
            topic.get_topic_name(), key, value, None, None, list(headers) if headers else None
        )

    async def send_keyed(
        self,
        topic: TopicT,
        records: Sequence[tuple[bytes, bytes | None, Sequence[tuple[str, bytes]] | None]],
    ) -> list[asyncio.Future[Any]]:
        """Send ``(key, value, headers)`` records of the per-event path, partitioned by key as
        ``produce`` does, as a few record batches per partition; one future per batch."""
        producer = cast(AckedProducer, self.app.producer)
        sent = await producer.send_keyed(topic.get_topic_name(), records)
        return [batch.delivered for batch in sent]

    def inbox(self, topic: TopicT) -> Inbox:
        """Subscribe the app to ``topic``, its messages delivered in batches to an inbox."""
        self.app.topics.add(topic)
        return self.inboxes.open(topic.topics, capacity=4 * self.settings.batch_max_events)

    def batch_agent(
        self,
        name: str,
        topic: TopicT,
        handle: Callable[[Runtime, Sequence[Message]], Awaitable[None]],
    ) -> None:
        """Register agent ``name``: ``topic``'s messages in batches from an inbox, each batch
        handled by ``handle`` then committable (its offsets guarded under ``name``).

        A Faust agent for its supervision (restarted if it crashes); it does not read the
        stream Faust passes in."""
        guard = self.offset_guard(name, topic.topics)
        inbox = self.inbox(topic)

        async def take_batches(_stream: StreamT) -> None:
            async for batch in self.batches(inbox, guard):
                await handle(self, batch)
                self.metrics.batches.inc(agent=name)

        self.app.agent(name=name)(take_batches)

    def batches(self, inbox: Inbox, guard: OffsetGuard) -> AsyncIterator[list[Message]]:
        """The batches of ``inbox`` to handle now (see ``handled_in_batches``)."""
        return handled_in_batches(
            inbox,
            guard,
            self.gate,
            self.settings.batch_max_events,
            generation=lambda: self.app.consumer_generation_id,
        )

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.settings.issuer_max_attempts,
            base_delay=self.settings.issuer_retry_delay,
        )

    @property
    def event_source(self) -> str:
        """``ce_source`` of the events this job emits."""
        return f"openedx/{self.settings.app_id}/worker"
