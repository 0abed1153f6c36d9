"""The Kafka topics of the job. Every value is raw bytes: the wire formats live in ``events/``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import faust
from faust.types import TopicT

from faust_badges.kafka_io import ensure_topics
from faust_badges.settings import Settings

#: Providers that issue badges, each with its own command and retry topics and agents, so that
#: one provider being slow or down never holds up the other.
PROVIDERS = ("credly", "accredible", "openbadges")


@dataclass(frozen=True)
class Topics:
    inputs: TopicT  # Open edX events, keyed by course (owned by the LMS), and the replay topic
    learner_events: TopicT  # the same events, decoded and keyed by learner (ours)
    lifecycle: TopicT  # badge.awarded / badge.revoked, keyed by badge uuid
    dead_letters: TopicT  # bad input: original bytes and headers plus the reason
    issuer_commands: dict[str, TopicT]  # provider -> issue/revoke/retry commands by badge uuid
    issuer_retries: dict[str, TopicT]  # provider -> retries waiting for their due time
    issuer_dead_letters: TopicT  # commands given up on, with the reason


def _raw_topic(app: faust.App, *names: str, **options: Any) -> TopicT:
    return app.topic(*names, key_serializer="raw", value_serializer="raw", **options)


async def create_missing_topics(settings: Settings, changelogs: Mapping[str, int]) -> list[str]:
    """Create the topics the worker reads and writes, tables' changelogs (name -> partitions)
    included, before the consumer subscribes.

    A topic that does not exist when the consumer group forms is missing from the consumer's
    metadata until its next refresh (minutes): its partitions go unconsumed, or a table refuses
    its changelog as having no partitions. And a cluster that auto-creates topics would give the
    repartition topic one partition, which the tables then refuse too.
    """
    partitions = settings.topic_partitions
    wanted = {name: partitions for name in settings.input_topics}
    wanted |= {
        settings.replay_topic: partitions,
        settings.learner_events_topic: partitions,
        settings.lifecycle_topic: partitions,
        settings.dead_letter_topic: partitions,
        settings.issuer_dead_letter_topic: partitions,
        **{settings.issuer_topic(p): partitions for p in PROVIDERS},
        **{settings.issuer_retry_topic(p): partitions for p in PROVIDERS},
        **changelogs,
    }
    compacted = {name: {"cleanup.policy": "compact"} for name in changelogs}
    return await ensure_topics(
        settings.kafka_bootstrap,
        wanted,
        replication=settings.topic_replication_factor,
        config=compacted,
    )


def declare_topics(app: faust.App, settings: Settings) -> Topics:
    partitions = settings.topic_partitions
    return Topics(
        # allow_empty: an empty value is bad input to dead-letter, not something to drop unseen.
        # The replay topic is input too: `faust-badges replay` copies past input there.
        inputs=_raw_topic(app, *settings.input_topics, settings.replay_topic, allow_empty=True),
        learner_events=_raw_topic(
            app, settings.learner_events_topic, partitions=settings.topic_partitions, internal=True
        ),
        # Declared so that the worker creates it when missing (clusters often forbid auto-create).
        lifecycle=_raw_topic(app, settings.lifecycle_topic, internal=True),
        dead_letters=_raw_topic(app, settings.dead_letter_topic, internal=True),
        issuer_commands={
            p: _raw_topic(app, settings.issuer_topic(p), partitions=partitions, internal=True)
            for p in PROVIDERS
        },
        issuer_retries={
            p: _raw_topic(app, settings.issuer_retry_topic(p), partitions=partitions, internal=True)
            for p in PROVIDERS
        },
        issuer_dead_letters=_raw_topic(app, settings.issuer_dead_letter_topic, internal=True),
    )
