"""The worker's settings (the README's "Settings (environment)") as Tutor config values.

Each worker variable is a Tutor value named ``FAUST_BADGES_`` + the variable without its own
``BADGES_`` prefix (``TOPIC_PARTITIONS`` -> ``FAUST_BADGES_TOPIC_PARTITIONS``), with the worker's
default. The few that depend on where the worker runs (broker, registry, data dir, host, token)
are derived from the deployment instead; ``DERIVED`` names them and says from what.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

PREFIX = "FAUST_BADGES_"

#: Services the plugin runs when no existing Kafka / schema registry is named.
KAFKA_SERVICE = "faust-badges-kafka"
KAFKA_BOOTSTRAP = f"{KAFKA_SERVICE}:9092"
REGISTRY_SERVICE = "faust-badges-schema-registry"
REGISTRY_URL = f"http://{REGISTRY_SERVICE}:8081"
WORKER_SERVICE = "faust-badges"
#: Where the image keeps RocksDB, and where the plugin mounts the data volume.
DATA_DIR = "/data"

Platform = Literal["compose", "k8s"]


@dataclass(frozen=True)
class WorkerSetting:
    """One worker environment variable, its default, and whether it is a secret."""

    variable: str
    default: str | int
    secret: bool = False

    @property
    def tutor_name(self) -> str:
        return tutor_name(self.variable)


def tutor_name(variable: str) -> str:
    """The Tutor name of a worker variable: ``BADGES_OPS_TOKEN`` -> ``FAUST_BADGES_OPS_TOKEN``."""
    return PREFIX + variable.removeprefix("BADGES_")


#: Worker settings passed through as they are, with the worker's own defaults.
WORKER_SETTINGS: tuple[WorkerSetting, ...] = (
    WorkerSetting("BADGES_APP_ID", "faust-badges"),
    WorkerSetting("APP_STORE", "rocksdb://"),
    WorkerSetting("WEB_PORT", 6066),
    WorkerSetting("WEB_BIND", "0.0.0.0"),
    WorkerSetting("TOPIC_PARTITIONS", 8),
    WorkerSetting("TOPIC_REPLICATION_FACTOR", 1),
    WorkerSetting("TABLE_STANDBY_REPLICAS", 1),
    WorkerSetting("BROKER_SESSION_TIMEOUT", 60),
    WorkerSetting("BADGES_EVENT_TOPICS", "learning-badges-lifecycle"),
    WorkerSetting("BADGES_TOPIC_PREFIX", ""),
    WorkerSetting("BADGES_OUTPUT_TOPIC", "learning-badges-lifecycle"),
    WorkerSetting("BADGES_WIRE_FORMAT", "json"),
    WorkerSetting("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "", secret=True),
    WorkerSetting("PROVIDER_TIMEOUT", 10),
    WorkerSetting("BADGES_ISSUER_MAX_ATTEMPTS", 6),
    WorkerSetting("BADGES_ISSUER_RETRY_DELAY", 2),
    WorkerSetting("BADGES_BATCH_MAX_EVENTS", 500),
    WorkerSetting("PRODUCER_LINGER_MS", 5),
    WorkerSetting("ROCKSDB_BLOCK_CACHE_MIB", 8),
    WorkerSetting("ROCKSDB_WRITE_BUFFER_MIB", 4),
    WorkerSetting("LOG_LEVEL", "info"),
)

#: Worker variables whose value comes from the deployment, and the Tutor value behind each.
DERIVED: dict[str, str] = {
    "BROKER_URL": "FAUST_BADGES_KAFKA_BOOTSTRAP_SERVERS (empty: the plugin's own Kafka)",
    "SCHEMA_REGISTRY_URL": "FAUST_BADGES_SCHEMA_REGISTRY_URL (empty: the plugin's own registry)",
    "APP_DATADIR": f"always {DATA_DIR}, where the data volume is mounted",
    "WEB_HOST": "FAUST_BADGES_WEB_HOST (empty: the service name, or the pod IP on Kubernetes)",
    "BADGES_OPS_TOKEN": "FAUST_BADGES_OPS_TOKEN, generated once by `tutor config save`",
}


def kafka_bootstrap(config: Mapping[str, Any]) -> str:
    """Kafka bootstrap servers as clients list them: ``host:port,host:port``."""
    return str(config.get("FAUST_BADGES_KAFKA_BOOTSTRAP_SERVERS") or KAFKA_BOOTSTRAP)


def broker_url(config: Mapping[str, Any]) -> str:
    """The same servers as Faust's ``BROKER_URL`` (``kafka://a:9092;kafka://b:9092``)."""
    servers = [server.strip() for server in kafka_bootstrap(config).split(",")]
    return ";".join(f"kafka://{server.removeprefix('kafka://')}" for server in servers if server)


def registry_url(config: Mapping[str, Any]) -> str:
    return str(config.get("FAUST_BADGES_SCHEMA_REGISTRY_URL") or REGISTRY_URL)


def worker_environment(config: Mapping[str, Any], platform: Platform) -> dict[str, str]:
    """The worker's non-secret environment; on Kubernetes an empty WEB_HOST is the pod IP."""
    environment = {
        "BROKER_URL": broker_url(config),
        "SCHEMA_REGISTRY_URL": registry_url(config),
        "APP_DATADIR": DATA_DIR,
    }
    web_host = str(config.get("FAUST_BADGES_WEB_HOST") or "")
    if web_host or platform == "compose":
        environment["WEB_HOST"] = web_host or WORKER_SERVICE
    for setting in WORKER_SETTINGS:
        value = config.get(setting.tutor_name)
        if not setting.secret and value is not None and str(value) != "":
            environment[setting.variable] = str(value)
    return environment


def worker_secrets(config: Mapping[str, Any]) -> dict[str, str]:
    """The ops token, registry credentials and provider API keys (named by the badge config)."""
    secrets = {"BADGES_OPS_TOKEN": str(config["FAUST_BADGES_OPS_TOKEN"])}
    for setting in WORKER_SETTINGS:
        value = config.get(setting.tutor_name)
        if setting.secret and value:
            secrets[setting.variable] = str(value)
    api_keys = config.get("FAUST_BADGES_PROVIDER_API_KEYS") or {}
    secrets.update({str(name): str(value) for name, value in api_keys.items()})
    return secrets
