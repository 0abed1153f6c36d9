"""Tutor plugin ``faust-badges``: the badge worker, its Kafka, and the LMS producing to it.

Everything the plugin adds is declared here; what it renders lives in ``patches/`` (one file per
Tutor patch, named after it) and ``templates/faust-badges/`` (files of its own in the env).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import jinja2
import yaml
from tutor import env as tutor_env
from tutor import hooks
from tutor.types import Config

from tutor_faust_badges import worker_settings
from tutor_faust_badges.worker_settings import WORKER_SETTINGS, Platform

HERE = Path(__file__).resolve().parent
NAME = "faust-badges"

#: Plugin settings beyond the worker's own (``worker_settings.WORKER_SETTINGS``).
PLUGIN_DEFAULTS: dict[str, Any] = {
    # The worker image: build it with `make image` in a faust-badges checkout, push it, name it.
    "FAUST_BADGES_DOCKER_IMAGE": "faust-badges:0.1.0",
    # Empty: run a single-node Kafka (KRaft) next to Open edX. Else `host:port,host:port`.
    "FAUST_BADGES_KAFKA_BOOTSTRAP_SERVERS": "",
    "FAUST_BADGES_KAFKA_DOCKER_IMAGE": "apache/kafka:4.1.1",
    "FAUST_BADGES_KAFKA_HEAP_OPTS": "-Xms512m -Xmx512m",
    "FAUST_BADGES_KAFKA_VOLUME_SIZE": "5Gi",
    # Empty: run a schema registry (edx-event-bus-kafka writes Avro and needs one).
    "FAUST_BADGES_SCHEMA_REGISTRY_URL": "",
    "FAUST_BADGES_SCHEMA_REGISTRY_DOCKER_IMAGE": "confluentinc/cp-schema-registry:8.0.0",
    # How other workers reach this one. Empty: the compose service name, or the pod IP.
    "FAUST_BADGES_WEB_HOST": "",
    "FAUST_BADGES_VOLUME_SIZE": "2Gi",
    # Where `tutor local` publishes the ops web on the host (empty: not published).
    "FAUST_BADGES_LOCAL_PUBLISH": "127.0.0.1:6066",
    # A public host name for the ops views through Caddy, e.g. badges.example.org (empty: none).
    "FAUST_BADGES_HOST": "",
    # The badge config (SPEC §3) as a mapping; `tutor local do init` applies it when set.
    "FAUST_BADGES_CONFIG": None,
    # API key variables the badge config names (api_key_env), e.g. {CREDLY_ORG1_API_KEY: ...}.
    "FAUST_BADGES_PROVIDER_API_KEYS": {},
    # Make the LMS publish passing-status events to the badge input topic.
    "FAUST_BADGES_LMS_PRODUCER": True,
    # Installed in the openedx image (`tutor images build openedx`); edx-platform lacks the client.
    "FAUST_BADGES_LMS_PIP_REQUIREMENTS": [
        "edx-event-bus-kafka",
        "confluent-kafka[avro,schema-registry]",
    ],
}

#: The events the LMS sends to the badge input topic, and the field that keys each (by course).
LMS_EVENTS: dict[str, str] = {
    "org.openedx.learning.course.passing.status.updated.v1": (
        "course_passing_status.course.course_key"
    ),
    "org.openedx.learning.ccx.course.passing.status.updated.v1": (
        "course_passing_status.course.ccx_course_key"
    ),
}

hooks.Filters.CONFIG_DEFAULTS.add_items(
    [(setting.tutor_name, setting.default) for setting in WORKER_SETTINGS]
    + list(PLUGIN_DEFAULTS.items())
)
# Generated once by `tutor config save` and kept in config.yml: never in the image.
hooks.Filters.CONFIG_UNIQUE.add_item(("FAUST_BADGES_OPS_TOKEN", "{{ 32|random_string }}"))

hooks.Filters.ENV_TEMPLATE_ROOTS.add_item(str(HERE / "templates"))
hooks.Filters.ENV_TEMPLATE_TARGETS.add_items(
    [("faust-badges/apps", "plugins"), ("faust-badges/k8s", "plugins")]
)

for patch in sorted((HERE / "patches").iterdir()):
    hooks.Filters.ENV_PATCHES.add_item((patch.name, patch.read_text(encoding="utf-8")))

hooks.Filters.CLI_DO_INIT_TASKS.add_item(
    ("faust-badges", (HERE / "tasks" / "init.sh").read_text(encoding="utf-8"))
)

hooks.Filters.IMAGES_PULL.add_items(
    [
        ("faust-badges", "{{ FAUST_BADGES_DOCKER_IMAGE }}"),
        ("faust-badges-kafka", "{{ FAUST_BADGES_KAFKA_DOCKER_IMAGE }}"),
        ("faust-badges-schema-registry", "{{ FAUST_BADGES_SCHEMA_REGISTRY_DOCKER_IMAGE }}"),
    ]
)
hooks.Filters.IMAGES_PUSH.add_item(("faust-badges", "{{ FAUST_BADGES_DOCKER_IMAGE }}"))


def _config(context: jinja2.runtime.Context) -> dict[str, Any]:
    return dict(context.get_all())


def _escape_dollars(value: str) -> str:
    # Compose interpolates ${VAR} and Kubernetes expands $(VAR); `$$` is a literal `$` in both.
    return value.replace("$", "$$")


@jinja2.pass_context
def _worker_env(
    context: jinja2.runtime.Context, platform: Platform, secrets: bool = False
) -> dict[str, str]:
    config = _config(context)
    environment = worker_settings.worker_environment(config, platform)
    if secrets:
        environment.update(worker_settings.worker_secrets(config))
    return {name: _escape_dollars(value) for name, value in environment.items()}


@jinja2.pass_context
def _worker_secrets(context: jinja2.runtime.Context) -> dict[str, str]:
    return worker_settings.worker_secrets(_config(context))


@jinja2.pass_context
def _kafka_bootstrap(context: jinja2.runtime.Context) -> str:
    return worker_settings.kafka_bootstrap(_config(context))


@jinja2.pass_context
def _registry_url(context: jinja2.runtime.Context) -> str:
    return worker_settings.registry_url(_config(context))


@jinja2.pass_context
def _kafka_env(context: jinja2.runtime.Context) -> dict[str, str]:
    """The single-node KRaft broker's settings (apache/kafka reads KAFKA_* variables)."""
    config = _config(context)
    return {
        "KAFKA_NODE_ID": "1",
        "KAFKA_PROCESS_ROLES": "broker,controller",
        "KAFKA_LISTENERS": "PLAINTEXT://:9092,CONTROLLER://:9093",
        "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://{worker_settings.KAFKA_BOOTSTRAP}",
        "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9093",
        # A subfolder: a fresh volume's root may hold lost+found, which Kafka rejects.
        "KAFKA_LOG_DIRS": "/var/lib/kafka/data/logs",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
        "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
        # The worker creates its topics with TOPIC_PARTITIONS; nothing else may guess them.
        "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
        "KAFKA_HEAP_OPTS": str(config["FAUST_BADGES_KAFKA_HEAP_OPTS"]),
    }


@jinja2.pass_context
def _registry_env(context: jinja2.runtime.Context) -> dict[str, str]:
    """The schema registry's settings: it keeps schemas in a topic of the same Kafka."""
    servers = worker_settings.kafka_bootstrap(_config(context)).split(",")
    return {
        "SCHEMA_REGISTRY_HOST_NAME": worker_settings.REGISTRY_SERVICE,
        "SCHEMA_REGISTRY_LISTENERS": "http://0.0.0.0:8081",
        "SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS": ",".join(
            server.strip() if "://" in server else f"PLAINTEXT://{server.strip()}"
            for server in servers
        ),
    }


def _to_yaml(value: Any) -> str:
    return str(yaml.safe_dump(value, sort_keys=False, allow_unicode=True))


hooks.Filters.ENV_TEMPLATE_VARIABLES.add_items(
    [
        ("faust_badges_worker_env", _worker_env),
        ("faust_badges_worker_secrets", _worker_secrets),
        ("faust_badges_kafka_bootstrap", _kafka_bootstrap),
        ("faust_badges_registry_url", _registry_url),
        ("faust_badges_kafka_env", _kafka_env),
        ("faust_badges_registry_env", _registry_env),
        ("faust_badges_lms_events", LMS_EVENTS),
    ]
)
hooks.Filters.ENV_TEMPLATE_FILTERS.add_item(("faust_badges_yaml", _to_yaml))


@hooks.Actions.PLUGIN_UNLOADED.add(priority=hooks.priorities.HIGH - 1)
def _remove_rendered_files(plugin: str, root: str, _config: Config) -> None:
    # Tutor 22.0.3 clears a disabled plugin's hooks (priority HIGH) before it looks up the
    # plugin's template targets to delete their files, so it deletes nothing: do it first.
    if plugin == NAME:
        shutil.rmtree(tutor_env.pathjoin(root, "plugins", NAME), ignore_errors=True)
