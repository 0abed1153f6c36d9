"""Badge lifecycle messages: key, value and the CloudEvents headers of SPEC §2 and §5."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

import faust_badges
from faust_badges.core.event_types import BADGE_AWARDED, BADGE_REVOKED
from faust_badges.events.outbound import (
    JsonBadgeEventEncoder,
    OutboundMessage,
    lifecycle_event_id,
)
from faust_badges.samples import user_data

BADGE_UUID = "3f0c4c57-1d1b-5b3a-9a7e-1a2b3c4d5e6f"
AWARDED_AT = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
SOURCE = "openedx/faust-badges/worker"
BADGE: dict[str, Any] = {
    "uuid": BADGE_UUID,
    "user": user_data(7, "ada-lovelace"),
    "template": {
        "uuid": "0b9d3e62-0000-4000-8000-00000000000a",
        "origin": "credly",
        "name": "Python Fundamentals",
        "description": "Passed the three core Python courses",
        "image_url": None,
    },
}

HEADER_NAMES = [
    "ce_type",
    "ce_id",
    "ce_source",
    "ce_specversion",
    "ce_time",
    "ce_minorversion",
    "sourcehost",
    "sourcelib",
    "content-type",
    "ce_datacontenttype",
]


async def encode(
    event_type: str = BADGE_AWARDED, badge: dict[str, Any] = BADGE, time: datetime = AWARDED_AT
) -> OutboundMessage:
    return await JsonBadgeEventEncoder().encode(
        event_type=event_type, badge=badge, time=time, source=SOURCE
    )


def headers_of(message: OutboundMessage) -> dict[str, str]:
    return {name: value.decode() for name, value in message.headers}


async def test_the_key_is_the_badge_uuid() -> None:
    assert (await encode()).key == BADGE_UUID.encode()


async def test_the_value_is_the_badge_data_under_the_badge_key() -> None:
    assert json.loads((await encode()).value) == {"badge": BADGE}


async def test_every_cloudevents_header_is_set_once() -> None:
    names = [name for name, _ in (await encode()).headers]
    assert sorted(names) == sorted(HEADER_NAMES)


async def test_header_values_are_bytes() -> None:
    assert all(isinstance(value, bytes) for _, value in (await encode()).headers)


@pytest.mark.parametrize("event_type", [BADGE_AWARDED, BADGE_REVOKED])
async def test_ce_type_is_the_badge_event_type(event_type: str) -> None:
    assert headers_of(await encode(event_type))["ce_type"] == event_type


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ce_source", SOURCE),
        ("ce_specversion", "1.0"),
        ("ce_minorversion", "0"),
        ("content-type", "application/json"),
    ],
)
async def test_fixed_headers_have_their_values(name: str, expected: str) -> None:
    assert headers_of(await encode())[name] == expected


async def test_sourcehost_and_sourcelib_name_this_worker() -> None:
    headers = headers_of(await encode())
    assert headers["sourcehost"]
    # The event bus parses sourcelib as a tuple of integers: our version, dotted.
    assert headers["sourcelib"] == faust_badges.__version__
    assert all(part.isdigit() for part in headers["sourcelib"].split("."))


async def test_ce_time_is_the_iso_time_of_the_transition() -> None:
    assert datetime.fromisoformat(headers_of(await encode())["ce_time"]) == AWARDED_AT


async def test_ce_time_is_written_in_utc() -> None:
    local = datetime(2026, 3, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    ce_time = datetime.fromisoformat(headers_of(await encode(time=local))["ce_time"])
    assert ce_time == AWARDED_AT
    assert ce_time.utcoffset() == timedelta(0)


async def test_ce_id_is_a_uuid() -> None:
    uuid.UUID(headers_of(await encode())["ce_id"])


async def test_ce_id_is_the_same_for_the_same_badge_and_event_type() -> None:
    first = headers_of(await encode(time=AWARDED_AT))["ce_id"]
    again = headers_of(await encode(time=AWARDED_AT + timedelta(hours=1)))["ce_id"]
    assert first == again == lifecycle_event_id(BADGE_UUID, BADGE_AWARDED)


async def test_ce_id_differs_between_award_and_revocation() -> None:
    awarded = headers_of(await encode(BADGE_AWARDED))["ce_id"]
    revoked = headers_of(await encode(BADGE_REVOKED))["ce_id"]
    assert awarded != revoked


async def test_ce_id_differs_between_badges() -> None:
    other = BADGE | {"uuid": str(uuid.uuid5(uuid.UUID(BADGE_UUID), "other"))}
    assert headers_of(await encode())["ce_id"] != headers_of(await encode(badge=other))["ce_id"]
