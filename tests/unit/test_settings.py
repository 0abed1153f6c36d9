"""Settings read from the environment (SPEC §8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from faust_badges.settings import ENVIRONMENT, InvalidSettings, Settings


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.app_id == "faust-badges"
    assert settings.broker_url == "kafka://localhost:9092"
    assert settings.store == "rocksdb://"
    assert settings.datadir is None
    assert settings.web_port == 6066
    assert settings.event_topics == ("learning-badges-lifecycle",)
    assert settings.output_topic == "learning-badges-lifecycle"
    assert settings.topic_prefix == ""
    assert settings.schema_registry_url is None
    assert settings.ops_token is None
    assert settings.wire_format in ("json", "avro")


def test_default_topics_have_no_prefix() -> None:
    settings = Settings.from_env({})
    assert settings.input_topics == ("learning-badges-lifecycle",)
    assert settings.lifecycle_topic == "learning-badges-lifecycle"


@pytest.mark.parametrize(
    ("variable", "raw", "field", "expected"),
    [
        ("BADGES_APP_ID", "badges-staging", "app_id", "badges-staging"),
        (
            "BROKER_URL",
            "kafka://k1:9092;kafka://k2:9092",
            "broker_url",
            "kafka://k1:9092;kafka://k2:9092",
        ),
        ("APP_STORE", "memory://", "store", "memory://"),
        ("APP_DATADIR", "/var/lib/badges", "datadir", Path("/var/lib/badges")),
        ("WEB_PORT", "7000", "web_port", 7000),
        ("TOPIC_PARTITIONS", "24", "topic_partitions", 24),
        ("TOPIC_REPLICATION_FACTOR", "3", "topic_replication_factor", 3),
        ("TABLE_STANDBY_REPLICAS", "0", "table_standby_replicas", 0),
        (
            "BADGES_EVENT_TOPICS",
            "learning-course-passing",
            "event_topics",
            ("learning-course-passing",),
        ),
        ("BADGES_TOPIC_PREFIX", "dev", "topic_prefix", "dev"),
        ("BADGES_OUTPUT_TOPIC", "badges-out", "output_topic", "badges-out"),
        ("BADGES_WIRE_FORMAT", "json", "wire_format", "json"),
        (
            "SCHEMA_REGISTRY_URL",
            "http://registry:8081",
            "schema_registry_url",
            "http://registry:8081",
        ),
        ("BADGES_OPS_TOKEN", "s3cret-token", "ops_token", SecretStr("s3cret-token")),
        ("ROCKSDB_BLOCK_CACHE_MIB", "64", "rocksdb_block_cache_mib", 64),
        ("ROCKSDB_WRITE_BUFFER_MIB", "4", "rocksdb_write_buffer_mib", 4),
    ],
)
def test_each_environment_variable_is_read(
    variable: str, raw: str, field: str, expected: Any
) -> None:
    assert getattr(Settings.from_env({variable: raw}), field) == expected


def test_rocksdb_options_are_sized_for_a_worker_not_faust_defaults() -> None:
    options = Settings.from_env({"ROCKSDB_BLOCK_CACHE_MIB": "32"}).rocksdb_options
    assert options["block_cache_size"] == 32 * 1024 * 1024
    assert options["write_buffer_size"] == 4 * 1024 * 1024  # the default
    assert options["max_write_buffer_number"] == 2


def test_avro_output_is_read_with_its_registry() -> None:
    settings = Settings.from_env(
        {"BADGES_WIRE_FORMAT": "avro", "SCHEMA_REGISTRY_URL": "http://registry:8081"}
    )
    assert settings.wire_format == "avro"


def test_avro_output_without_a_registry_is_rejected() -> None:
    with pytest.raises(InvalidSettings) as caught:
        Settings.from_env({"BADGES_WIRE_FORMAT": "avro"})
    assert "BADGES_WIRE_FORMAT=avro needs SCHEMA_REGISTRY_URL" in str(caught.value)


def test_registry_credentials_are_a_secret() -> None:
    settings = Settings.from_env(
        {"SCHEMA_REGISTRY_URL": "http://r:8081", "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO": "u:pw"}
    )
    assert settings.schema_registry_auth == ("u", "pw")
    assert "pw" not in repr(settings)


def test_from_env_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("BADGES_APP_ID", "from-process-env")
    assert Settings.from_env().app_id == "from-process-env"


def test_an_empty_variable_means_the_default() -> None:
    assert Settings.from_env({"WEB_PORT": "", "BADGES_APP_ID": "  "}).web_port == 6066


def test_the_topic_prefix_applies_to_inputs_and_output() -> None:
    settings = Settings.from_env({"BADGES_TOPIC_PREFIX": "dev"})
    assert settings.input_topics == ("dev-learning-badges-lifecycle",)
    assert settings.lifecycle_topic == "dev-learning-badges-lifecycle"


def test_the_topic_prefix_applies_to_every_configured_topic() -> None:
    settings = Settings.from_env(
        {
            "BADGES_TOPIC_PREFIX": "stage",
            "BADGES_EVENT_TOPICS": "learning-badges-lifecycle,learning-ccx",
            "BADGES_OUTPUT_TOPIC": "badges-out",
        }
    )
    assert settings.input_topics == ("stage-learning-badges-lifecycle", "stage-learning-ccx")
    assert settings.lifecycle_topic == "stage-badges-out"


@pytest.mark.parametrize(
    "raw",
    ["one,two,three", " one , two ,three ", "one,,two,three,"],
)
def test_event_topics_are_comma_separated(raw: str) -> None:
    assert Settings.from_env({"BADGES_EVENT_TOPICS": raw}).event_topics == ("one", "two", "three")


def test_event_topics_made_only_of_commas_are_rejected() -> None:
    with pytest.raises(InvalidSettings, match="BADGES_EVENT_TOPICS"):
        Settings.from_env({"BADGES_EVENT_TOPICS": " , ,"})


def test_the_app_id_names_the_dead_letter_topic() -> None:
    assert Settings.from_env({"BADGES_APP_ID": "blue"}).dead_letter_topic == "blue-dead-letters"


def test_the_kafka_bootstrap_drops_the_faust_scheme() -> None:
    settings = Settings.from_env({"BROKER_URL": "kafka://k1:9092;kafka://k2:9092"})
    assert settings.kafka_bootstrap == "k1:9092,k2:9092"


def test_a_bad_environment_names_every_bad_variable() -> None:
    with pytest.raises(InvalidSettings) as caught:
        Settings.from_env({"WEB_PORT": "abc", "TOPIC_PARTITIONS": "0", "BADGES_WIRE_FORMAT": "xml"})
    message = str(caught.value)
    for variable in ("WEB_PORT", "TOPIC_PARTITIONS", "BADGES_WIRE_FORMAT"):
        assert variable in message


def test_a_bad_environment_does_not_name_good_variables() -> None:
    with pytest.raises(InvalidSettings) as caught:
        Settings.from_env({"WEB_PORT": "abc", "BADGES_APP_ID": "fine"})
    assert "BADGES_APP_ID" not in str(caught.value)


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("WEB_PORT", "0"),
        ("WEB_PORT", "70000"),
        ("TOPIC_REPLICATION_FACTOR", "0"),
        ("TABLE_STANDBY_REPLICAS", "-1"),
        ("BADGES_APP_ID", "has spaces"),
    ],
)
def test_an_out_of_range_value_is_rejected(variable: str, raw: str) -> None:
    with pytest.raises(InvalidSettings, match=variable):
        Settings.from_env({variable: raw})


def test_the_ops_token_is_a_secret() -> None:
    settings = Settings.from_env({"BADGES_OPS_TOKEN": "s3cret-token"})
    assert isinstance(settings.ops_token, SecretStr)
    assert settings.ops_token.get_secret_value() == "s3cret-token"


def test_the_ops_token_is_not_in_the_repr_or_str() -> None:
    settings = Settings.from_env({"BADGES_OPS_TOKEN": "s3cret-token"})
    assert "s3cret-token" not in repr(settings)
    assert "s3cret-token" not in str(settings)
