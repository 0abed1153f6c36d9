"""LiveConfig: the config every agent reads, replaced whole by a valid document from the config
topic and kept when a bad one arrives."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import cast

from faust.types import EventT

from faust_badges.core.index import EMPTY_INDEX, ConfigIndex
from faust_badges.events.state_codecs import CONFIG_KEY, encode_config
from faust_badges.metrics import Metrics
from faust_badges.tables.config import LiveConfig

from ..core.builders import course, make_config, requirement, template

FIRST = make_config(template("first", [requirement("a", course("a"))]))
SECOND = make_config(template("second", [requirement("b", course("b"))]))


def changelog_event(key: bytes, value: bytes) -> EventT:
    return cast(EventT, SimpleNamespace(key=key, value=value))


def live() -> tuple[LiveConfig, Metrics]:
    metrics = Metrics()
    return LiveConfig(metrics), metrics


def test_before_any_document_the_config_is_empty() -> None:
    config, _ = live()
    assert config.index() is EMPTY_INDEX


def test_a_valid_document_replaces_the_config_and_is_counted() -> None:
    config, metrics = live()

    config.load(encode_config(FIRST))
    config.load(encode_config(SECOND))

    assert config.index().revision == ConfigIndex.build(SECOND).revision
    assert list(config.index().templates) == ["second"]
    assert metrics.config_loads.get(result="loaded") == 2


def test_the_same_document_again_is_not_compiled_again() -> None:
    config, metrics = live()
    config.load(encode_config(FIRST))
    compiled = config.index()

    config.load(encode_config(FIRST))

    assert config.index() is compiled
    assert metrics.config_loads.get(result="loaded") == 1


def test_a_bad_document_is_rejected_and_the_previous_config_kept() -> None:
    config, metrics = live()
    config.load(encode_config(FIRST))
    kept = config.index()

    config.load(b"{not json")
    config.load(json.dumps({"templates": [{"id": "no requirements"}]}).encode())

    assert config.index() is kept
    assert metrics.config_loads.get(result="rejected") == 2


def test_an_empty_value_changes_nothing() -> None:
    config, metrics = live()
    config.load(encode_config(FIRST))

    config.load(None)
    config.load(b"")

    assert list(config.index().templates) == ["first"]
    assert metrics.config_loads.get(result="rejected") == 0


async def test_only_the_config_key_of_the_changelog_is_loaded() -> None:
    config, _ = live()

    await config.on_changelog_event(changelog_event(b"other", encode_config(FIRST)))
    assert config.index() is EMPTY_INDEX
    await config.on_changelog_event(changelog_event(CONFIG_KEY, encode_config(FIRST)))
    assert list(config.index().templates) == ["first"]
