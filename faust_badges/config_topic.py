"""Read and publish the badge config on its compacted topic, for short-lived tools (the CLI).

Workers read the same topic through their GlobalTable (tables/config.py).
"""

from __future__ import annotations

import json
from typing import Any

from faust_badges.core.config import BadgeConfig
from faust_badges.events.state_codecs import CONFIG_KEY, encode_config
from faust_badges.kafka_io import ensure_topics, produce, read_all
from faust_badges.settings import Settings


async def read_config_document(settings: Settings) -> dict[str, Any] | None:
    """The latest config document on the topic, or None when none was published."""
    records = await read_all(settings.kafka_bootstrap, settings.config_topic)
    latest = [r for r in records if r.key == CONFIG_KEY and r.value]
    if not latest:
        return None
    document: dict[str, Any] = json.loads(latest[-1].value or b"{}")
    return document


async def publish_config(settings: Settings, config: BadgeConfig) -> None:
    """Replace the config every worker uses (the topic is created if needed)."""
    topic = settings.config_topic
    await ensure_topics(
        settings.kafka_bootstrap,
        {topic: 1},
        replication=settings.topic_replication_factor,
        config={topic: {"cleanup.policy": "compact"}},
    )
    await produce(settings.kafka_bootstrap, topic, [(CONFIG_KEY, encode_config(config), [])])
