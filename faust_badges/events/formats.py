"""The wire formats a worker reads and writes, chosen from the settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from faust_badges.events.avro_format import AvroDecoder
from faust_badges.events.cloudevents import CONTENT_TYPE_AVRO, CONTENT_TYPE_JSON
from faust_badges.events.inbound import DEFAULT_DECODERS, BodyDecoder
from faust_badges.events.outbound import (
    AvroBadgeEventEncoder,
    BadgeEventEncoder,
    JsonBadgeEventEncoder,
)
from faust_badges.events.schema_registry import SchemaRegistryClient
from faust_badges.settings import Settings


@dataclass(frozen=True)
class WireFormats:
    """Input is read in either format, per message; output in the configured one."""

    decoders: Mapping[str, BodyDecoder]
    badge_encoder: BadgeEventEncoder
    registry: SchemaRegistryClient | None

    @classmethod
    def from_settings(cls, settings: Settings) -> WireFormats:
        registry = (
            SchemaRegistryClient(
                settings.schema_registry_url, basic_auth=settings.schema_registry_auth
            )
            if settings.schema_registry_url
            else None
        )
        encoder: BadgeEventEncoder
        if settings.wire_format == "avro":
            assert registry is not None  # the settings refuse avro output without a registry
            encoder = AvroBadgeEventEncoder(registry, settings.lifecycle_topic)
        else:
            encoder = JsonBadgeEventEncoder()
        decoders = {
            CONTENT_TYPE_JSON: DEFAULT_DECODERS[CONTENT_TYPE_JSON],
            CONTENT_TYPE_AVRO: AvroDecoder(registry),
        }
        return cls(decoders, encoder, registry)

    async def close(self) -> None:
        if self.registry is not None:
            await self.registry.close()
