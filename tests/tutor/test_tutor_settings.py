"""Tutor config values: the worker's settings, custom values, the LMS producer settings."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

import attr
import pytest
from tutor_faust_badges.worker_settings import DERIVED, WORKER_SETTINGS

from faust_badges.config_file import load_config_file
from faust_badges.settings import ENVIRONMENT, Settings
from tests.openedx_interop import openedx_signals
from tests.tutor.conftest import REPO, TUTOR_VENV, TutorProject
from tests.tutor.test_tutor_plugin import compose_settings, k8s_env

PASSING_STATUS = "org.openedx.learning.course.passing.status.updated.v1"
CCX_PASSING_STATUS = "org.openedx.learning.ccx.course.passing.status.updated.v1"
EXAMPLE_CONFIG = REPO / "examples" / "badges.yaml"


def test_every_worker_variable_is_a_tutor_setting_or_derived_from_the_deployment() -> None:
    passed_through = {setting.variable for setting in WORKER_SETTINGS}
    assert passed_through.isdisjoint(DERIVED)
    assert passed_through | set(DERIVED) == set(ENVIRONMENT)


@pytest.mark.parametrize("setting", WORKER_SETTINGS, ids=lambda s: s.tutor_name)
def test_tutor_defaults_are_the_worker_defaults(setting: Any) -> None:
    assert setting.tutor_name.startswith("FAUST_BADGES_")
    assert Settings.from_env({setting.variable: str(setting.default)}) == Settings.from_env({})


def test_every_tutor_setting_is_in_the_readme(tutor_available: None) -> None:
    names = json.loads(
        run_in_tutor_venv(
            "import json, tutor_faust_badges.plugin as p;"
            "print(json.dumps([*p.PLUGIN_DEFAULTS, *(s.tutor_name for s in p.WORKER_SETTINGS)]))"
        )
    )
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert [name for name in names if f"`{name}`" not in readme] == []


def test_the_plugin_type_checks_against_tutor(tutor_available: None, tmp_path: Any) -> None:
    # Tutor's own modules re-export without __all__, hence --implicit-reexport.
    done = subprocess.run(
        [
            *(TUTOR_VENV / "bin" / "mypy", "--strict", "--implicit-reexport"),
            *("--cache-dir", str(tmp_path), "-p", "tutor_faust_badges"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO / "tutor-plugin",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def run_in_tutor_venv(code: str) -> str:
    return subprocess.run(
        [str(TUTOR_VENV / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


def producer_settings(settings_py: str, existing: dict[str, Any]) -> dict[str, Any]:
    """Run the plugin's block of an LMS settings file after settings the LMS already has."""
    start, end = (
        settings_py.index("# faust-badges: begin"),
        settings_py.index("# faust-badges: end"),
    )
    namespace: dict[str, Any] = {"EVENT_BUS_PRODUCER_CONFIG": existing}
    exec(settings_py[start:end], namespace)
    return namespace


def check_key_field(event_type: str, key_field: str) -> None:
    """The producer keys each event by this dotted path: it must exist in the event's data."""
    data_key, *path = key_field.split(".")
    data_class = (
        openedx_signals().OpenEdxPublicSignal.get_signal_by_type(event_type).init_data[data_key]
    )
    for name in path:
        data_class = attr.fields_dict(data_class)[name].type


def validated_by_openedx_events(producer_config: dict[str, Any]) -> None:
    """openedx-events' own check of EVENT_BUS_PRODUCER_CONFIG, as the LMS runs it at start."""
    openedx_signals()
    import openedx_events
    from openedx_events.apps import OpenedxEventsConfig

    checker = OpenedxEventsConfig("openedx_events", openedx_events)
    for event_type, topics in producer_config.items():
        checker._get_validated_signal_config(event_type, topics)


@pytest.mark.parametrize("settings_file", ["lms/production.py", "lms/development.py"])
def test_the_lms_produces_passing_status_events_to_the_badge_topic(
    default_project: TutorProject, settings_file: str
) -> None:
    other = {"topic-of-another-plugin": {"event_key_field": "x.y", "enabled": True}}
    lms = producer_settings(
        default_project.text(f"apps/openedx/settings/{settings_file}"),
        {PASSING_STATUS: dict(other)},
    )
    assert lms["EVENT_BUS_PRODUCER"] == "edx_event_bus_kafka.create_producer"
    assert lms["EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS"] == "faust-badges-kafka:9092"
    assert lms["EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL"] == "http://faust-badges-schema-registry:8081"
    assert "EVENT_BUS_TOPIC_PREFIX" not in lms
    producer_config = lms["EVENT_BUS_PRODUCER_CONFIG"]
    assert producer_config[PASSING_STATUS] == {
        **other,
        "learning-badges-lifecycle": {
            "event_key_field": "course_passing_status.course.course_key",
            "enabled": True,
        },
    }
    assert producer_config[CCX_PASSING_STATUS] == {
        "learning-badges-lifecycle": {
            "event_key_field": "course_passing_status.course.ccx_course_key",
            "enabled": True,
        }
    }
    validated_by_openedx_events(producer_config)
    for event_type in (PASSING_STATUS, CCX_PASSING_STATUS):
        check_key_field(
            event_type, producer_config[event_type]["learning-badges-lifecycle"]["event_key_field"]
        )
    assert "faust-badges" not in default_project.text("apps/openedx/settings/cms/production.py")
    dockerfile = default_project.text("build/openedx/Dockerfile")
    assert "install 'edx-event-bus-kafka' 'confluent-kafka[avro,schema-registry]'" in dockerfile


def test_custom_values_reach_the_rendered_files(new_project: Callable[[], TutorProject]) -> None:
    project = new_project()
    custom = {
        "FAUST_BADGES_DOCKER_IMAGE": "registry.example.org/faust-badges:9.9.9",
        "FAUST_BADGES_KAFKA_BOOTSTRAP_SERVERS": "kafka-a:9092,kafka-b:9092",
        "FAUST_BADGES_SCHEMA_REGISTRY_URL": "https://registry.example.org",
        "FAUST_BADGES_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO": "registry-user:pa$$word",
        "FAUST_BADGES_TOPIC_PARTITIONS": "3",
        "FAUST_BADGES_TOPIC_PREFIX": "prod",
        "FAUST_BADGES_LOG_LEVEL": "debug",
        "FAUST_BADGES_PROVIDER_API_KEYS": '{"CREDLY_ORG1_API_KEY": "credly-$ecret"}',
        "FAUST_BADGES_CONFIG": EXAMPLE_CONFIG.read_text(encoding="utf-8"),
        "FAUST_BADGES_HOST": "badges.example.org",
        "FAUST_BADGES_LOCAL_PUBLISH": "",
    }
    project.tutor("config", "save", *[f"--set={name}={value}" for name, value in custom.items()])

    services = project.services()
    assert not {"faust-badges-kafka", "faust-badges-schema-registry"} & set(services)
    assert not {"faust-badges-kafka", "faust-badges-schema-registry"} & set(
        services["lms"]["depends_on"]
    )
    worker = services["faust-badges"]
    assert worker["image"] == custom["FAUST_BADGES_DOCKER_IMAGE"]
    assert worker["depends_on"] == ["permissions"]
    assert "ports" not in worker
    caddyfile = project.text("apps/caddy/Caddyfile")
    assert (
        'badges.example.org{$default_site_port} {\n    import proxy "faust-badges:6066"'
        in caddyfile
    )
    settings = compose_settings(worker["environment"])
    assert settings.broker_url == "kafka://kafka-a:9092;kafka://kafka-b:9092"
    assert settings.kafka_bootstrap == "kafka-a:9092,kafka-b:9092"
    assert settings.schema_registry_url == "https://registry.example.org"
    assert settings.schema_registry_auth == ("registry-user", "pa$$word")
    assert (settings.topic_partitions, settings.topic_prefix, settings.log_level) == (
        3,
        "prod",
        "debug",
    )
    assert worker["environment"]["CREDLY_ORG1_API_KEY"] == "credly-$$ecret"  # compose: $$ is $

    deployment = project.k8s("Deployment", "faust-badges")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == custom["FAUST_BADGES_DOCKER_IMAGE"]
    assert k8s_env(container)["TOPIC_PARTITIONS"] == "3"
    assert {"Deployment", "Service", "PersistentVolumeClaim"}.isdisjoint(
        r["kind"] for r in project.k8s_resources() if "kafka" in r["metadata"]["name"]
    )
    secret = project.k8s("Secret", "faust-badges")["stringData"]
    assert secret["CREDLY_ORG1_API_KEY"] == "credly-$ecret"
    assert secret["SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO"] == "registry-user:pa$$word"
    assert "credly-" not in project.text("k8s/deployments.yml")

    lms = producer_settings(project.text("apps/openedx/settings/lms/production.py"), {})
    assert lms["EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS"] == "kafka-a:9092,kafka-b:9092"
    assert lms["EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL"] == "https://registry.example.org"
    assert lms["EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_KEY"] == "registry-user"
    assert lms["EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_SECRET"] == "pa$$word"
    assert lms["EVENT_BUS_TOPIC_PREFIX"] == "prod"

    # The badge config reaches the init job's file as the worker's own loader reads it.
    rendered = project.root / "env" / "plugins" / "faust-badges" / "apps" / "config" / "badges.yaml"
    assert load_config_file(rendered) == load_config_file(EXAMPLE_CONFIG)
    project.tutor("local", "do", "init", "--limit", "faust-badges")
    [run] = project.docker_runs()
    assert "faust-badges config apply /etc/faust-badges/badges.yaml" in run[-1]


def test_the_lms_can_be_left_alone(new_project: Callable[[], TutorProject]) -> None:
    project = new_project()
    assert "faust-badges" not in project.text("apps/caddy/Caddyfile")
    project.tutor("config", "save", "--set=FAUST_BADGES_LMS_PRODUCER=false")
    for rendered in ("apps/openedx/settings/lms/production.py", "build/openedx/Dockerfile"):
        assert "faust-badges" not in project.text(rendered)
    assert "faust-badges-kafka" not in project.services()["lms"]["depends_on"]
    assert "faust-badges" in project.services()
