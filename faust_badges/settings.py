"""One settings object read from the environment (SPEC §8), with Faust's names where it has one."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from faust_badges.core.errors import BadgesError

DEFAULT_LIFECYCLE_TOPIC = "learning-badges-lifecycle"
#: The GlobalTable holding the badge config: its changelog is the config topic.
CONFIG_TABLE = "config"
#: The tables of learners' state (tables/): here so that the CLI can name their changelogs
#: without loading Faust.
PROGRESS_TABLE = "progress"
ISSUED_TABLE = "issued"
LEARNERS_TABLE = "learners"
OB_TABLE = "ob_credentials"  # Open Badges credentials and status lists

#: environment variable -> settings field
ENVIRONMENT: dict[str, str] = {
    "BADGES_APP_ID": "app_id",
    "BROKER_URL": "broker_url",
    "APP_STORE": "store",
    "APP_DATADIR": "datadir",
    "WEB_PORT": "web_port",
    "WEB_BIND": "web_bind",
    "WEB_HOST": "web_host",
    "TOPIC_PARTITIONS": "topic_partitions",
    "TOPIC_REPLICATION_FACTOR": "topic_replication_factor",
    "TABLE_STANDBY_REPLICAS": "table_standby_replicas",
    "BROKER_SESSION_TIMEOUT": "broker_session_timeout",
    "BADGES_EVENT_TOPICS": "event_topics",
    "BADGES_TOPIC_PREFIX": "topic_prefix",
    "BADGES_OUTPUT_TOPIC": "output_topic",
    "BADGES_WIRE_FORMAT": "wire_format",
    "SCHEMA_REGISTRY_URL": "schema_registry_url",
    "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO": "schema_registry_user_info",
    "BADGES_OPS_TOKEN": "ops_token",
    "PROVIDER_TIMEOUT": "provider_timeout",
    "BADGES_ISSUER_MAX_ATTEMPTS": "issuer_max_attempts",
    "BADGES_ISSUER_RETRY_DELAY": "issuer_retry_delay",
    "LOG_LEVEL": "log_level",
    "BADGES_BATCH_MAX_EVENTS": "batch_max_events",
    "PRODUCER_LINGER_MS": "producer_linger_ms",
    "ROCKSDB_BLOCK_CACHE_MIB": "rocksdb_block_cache_mib",
    "ROCKSDB_WRITE_BUFFER_MIB": "rocksdb_write_buffer_mib",
}


class InvalidSettings(BadgesError, ValueError):
    """The environment was rejected; the message lists every bad variable."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    app_id: str = Field("faust-badges", pattern=r"^[A-Za-z0-9._-]+$")
    broker_url: str = "kafka://localhost:9092"
    store: str = "rocksdb://"
    datadir: Path | None = None
    web_port: int = Field(6066, ge=1, le=65535)
    web_bind: str = "0.0.0.0"
    # The host other workers reach this one at (Faust routes ops requests to a key's owner).
    web_host: str | None = None
    topic_partitions: int = Field(8, ge=1)
    topic_replication_factor: int = Field(1, ge=1)
    table_standby_replicas: int = Field(1, ge=0)
    # Seconds before the group gives a silent worker's partitions to others (Faust's default).
    broker_session_timeout: float = Field(60.0, ge=6.0)
    event_topics: tuple[str, ...] = (DEFAULT_LIFECYCLE_TOPIC,)
    topic_prefix: str = ""
    output_topic: str = DEFAULT_LIFECYCLE_TOPIC
    wire_format: Literal["json", "avro"] = "json"
    schema_registry_url: str | None = None
    schema_registry_user_info: SecretStr | None = None  # "user:password", as Confluent names it
    ops_token: SecretStr | None = None
    provider_timeout: float = Field(10.0, gt=0)  # seconds per Credly/Accredible call
    issuer_max_attempts: int = Field(6, ge=1)  # calls before a badge is parked in error
    issuer_retry_delay: float = Field(2.0, gt=0)  # first backoff; doubles, capped at 300 s
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # The most events an agent decides as one batch (batches are smaller when input is quiet).
    batch_max_events: int = Field(500, ge=1, le=100_000)
    # How long the producer waits to fill a request: a batch's sends then go in a few requests
    # instead of one each (no offset is committed before they are acknowledged, so no risk).
    producer_linger_ms: int = Field(5, ge=0, le=1_000)
    # RocksDB, per table partition (a worker holds tables x partitions of them). Faust's defaults
    # (2 GiB block cache, 3 x 64 MiB write buffers each) fit a dedicated machine, not a worker.
    # 8 and 4 MiB: `make bench` ran as fast as with 16 and 8 (default size and 1M learners, back
    # to back) and peaked 50 MiB lower with 1M learners (278 against 328 MiB).
    rocksdb_block_cache_mib: int = Field(8, ge=1, le=65_536)
    rocksdb_write_buffer_mib: int = Field(4, ge=1, le=4_096)

    @property
    def rocksdb_options(self) -> dict[str, int]:
        """Faust's RocksDB store options (``Table(options=...)``) from these settings."""
        mib = 1024 * 1024
        return {
            "block_cache_size": self.rocksdb_block_cache_mib * mib,
            "write_buffer_size": self.rocksdb_write_buffer_mib * mib,
            "max_write_buffer_number": 2,
            "target_file_size_base": self.rocksdb_write_buffer_mib * mib,
        }

    @field_validator("event_topics", mode="before")
    @classmethod
    def _comma_separated(cls, raw: object) -> object:
        if isinstance(raw, str):
            return tuple(name.strip() for name in raw.split(",") if name.strip())
        return raw

    @field_validator("event_topics")
    @classmethod
    def _at_least_one(cls, topics: tuple[str, ...]) -> tuple[str, ...]:
        if not topics:
            raise ValueError("name at least one input topic")
        return topics

    @model_validator(mode="after")
    def _avro_output_needs_a_registry(self) -> Settings:
        if self.wire_format == "avro" and not self.schema_registry_url:
            raise ValueError(
                "BADGES_WIRE_FORMAT=avro needs SCHEMA_REGISTRY_URL: consumers find the schema "
                "of each message there"
            )
        return self

    @property
    def schema_registry_auth(self) -> tuple[str, str] | None:
        if self.schema_registry_user_info is None:
            return None
        user, _, password = self.schema_registry_user_info.get_secret_value().partition(":")
        return user, password

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, raw: object) -> object:
        return raw.lower() if isinstance(raw, str) else raw

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings; raise InvalidSettings naming every variable that is wrong."""
        environ = os.environ if environ is None else environ
        values = {
            field: environ[name]
            for name, field in ENVIRONMENT.items()
            if environ.get(name, "").strip() != ""
        }
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            by_field = {field: name for name, field in ENVIRONMENT.items()}
            problems = [
                f"{_variable(e['loc'], by_field)}{e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors(include_url=False)
            ]
            raise InvalidSettings("bad settings:\n  - " + "\n  - ".join(problems)) from None

    def topic_name(self, name: str) -> str:
        """Apply the Open edX ``EVENT_BUS_TOPIC_PREFIX`` rule: prefix ``dev`` -> ``dev-<name>``."""
        return f"{self.topic_prefix}-{name}" if self.topic_prefix else name

    @property
    def input_topics(self) -> tuple[str, ...]:
        return tuple(self.topic_name(name) for name in self.event_topics)

    @property
    def lifecycle_topic(self) -> str:
        return self.topic_name(self.output_topic)

    @property
    def dead_letter_topic(self) -> str:
        return f"{self.app_id}-dead-letters"

    def issuer_topic(self, provider: str) -> str:
        """Issue/revoke commands for one provider, keyed by badge uuid."""
        return f"{self.app_id}-issuer-{provider}"

    def issuer_retry_topic(self, provider: str) -> str:
        """Retries of one provider's commands, each with the time it is due."""
        return f"{self.app_id}-issuer-{provider}-retries"

    @property
    def issuer_dead_letter_topic(self) -> str:
        return f"{self.app_id}-issuer-dead-letters"

    @property
    def learner_events_topic(self) -> str:
        """The repartition topic: input events keyed by learner."""
        return f"{self.app_id}-learner-events-repartition"

    @property
    def replay_topic(self) -> str:
        """Where ``faust-badges replay`` copies input to re-run: never the LMS's own topics."""
        return f"{self.app_id}-replay"

    def changelog_topic(self, table: str) -> str:
        """A table's changelog topic, named as Faust names it."""
        return f"{self.app_id}-{table}-changelog"

    @property
    def config_topic(self) -> str:
        """The ``config`` GlobalTable's changelog."""
        return self.changelog_topic(CONFIG_TABLE)

    @property
    def kafka_bootstrap(self) -> str:
        """The broker list without Faust's ``kafka://`` scheme, for plain Kafka clients."""
        return ",".join(
            part.strip().removeprefix("kafka://") for part in self.broker_url.split(";")
        )


def _variable(location: tuple[int | str, ...], by_field: dict[str, str]) -> str:
    # A check across variables has no location: its message names them.
    return f"{by_field.get(str(location[0]), location[0])}: " if location else ""
