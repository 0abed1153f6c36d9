"""Decoding one input message: accepted, skipped as unconfigured, or rejected with a reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from faust_badges.core.config_checks import parse_config
from faust_badges.core.event_types import (
    BADGE_AWARDED,
    CCX_COURSE_PASSING_STATUS,
    COURSE_PASSING_STATUS,
)
from faust_badges.core.index import EMPTY_INDEX, ConfigIndex
from faust_badges.core.learner import LearnerEvent, UserData
from faust_badges.events.cloudevents import header_map
from faust_badges.events.inbound import Accepted, Rejected, Skipped, decode_inbound
from faust_badges.samples import json_event, passing_event, user_data

COURSE = "course-v1:edX+Py101+2026"
EVENT_ID = "5f1c0d6e-8a44-4d5e-9a1c-000000000001"
EVENT_TIME = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
KAFKA_TIME = datetime(2026, 3, 1, 12, 31, 5, tzinfo=UTC)
ENROLLMENT = "org.openedx.learning.course.enrollment.created.v1"

# The learner's personal data, which must never appear in a rejection's detail.
USERNAME = "ada-lovelace"
EMAIL = "ada-lovelace@example.org"
NAME = "Ada Lovelace"


def passing_message(is_passing: bool = True) -> tuple[bytes, dict[str, bytes]]:
    """The value and headers of a good JSON passing-status event."""
    _, value, headers = passing_event(
        7, USERNAME, COURSE, is_passing, event_id=EVENT_ID, time=EVENT_TIME
    )
    assert value is not None
    return value, header_map(headers)


def with_data(data: Any, data_key: str = "course_passing_status") -> bytes:
    return json.dumps({data_key: data}).encode()


def passing_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(passing_message()[0])["course_passing_status"]
    return data


async def decode(
    value: bytes | None, headers: dict[str, bytes], index: ConfigIndex = EMPTY_INDEX
) -> Accepted | Skipped | Rejected:
    return await decode_inbound(value, headers, index, kafka_time=KAFKA_TIME)


async def rejection(value: bytes | None, headers: dict[str, bytes]) -> Rejected:
    result = await decode(value, headers)
    assert isinstance(result, Rejected), result
    return result


def index_of(document: dict[str, Any]) -> ConfigIndex:
    return ConfigIndex.build(parse_config(document))


def template_on(event_type: str) -> dict[str, Any]:
    return {
        "id": "t",
        "name": "T",
        "requirements": [{"id": "r", "event_type": event_type}],
    }


# --- accepted -------------------------------------------------------------------------------


async def test_a_good_json_event_is_accepted_as_a_learner_event() -> None:
    value, headers = passing_message()
    result = await decode(value, headers)
    assert result == Accepted(
        LearnerEvent(
            event_type=COURSE_PASSING_STATUS,
            event_id=EVENT_ID,
            event_time=EVENT_TIME,
            data=passing_data(),
            user=UserData(id=7, username=USERNAME, email=EMAIL, name=NAME, is_active=True),
        )
    )


async def test_the_accepted_data_is_the_object_under_the_data_key() -> None:
    value, headers = passing_message(is_passing=False)
    result = await decode(value, headers)
    assert isinstance(result, Accepted)
    assert result.event.data["is_passing"] is False
    assert result.event.data["course"]["course_key"] == COURSE


async def test_a_ccx_passing_event_is_accepted_by_default() -> None:
    data = {
        "is_passing": True,
        "course": {"ccx_course_key": "ccx-v1:edX+ML+2026+ccx@3", "master_course_key": COURSE},
        "user": user_data(7, USERNAME),
    }
    _, value, headers = json_event(
        CCX_COURSE_PASSING_STATUS, "course_passing_status", data, key=COURSE, event_id=EVENT_ID
    )
    result = await decode(value, header_map(headers))
    assert isinstance(result, Accepted)
    assert result.event.event_type == CCX_COURSE_PASSING_STATUS


async def test_a_content_type_with_a_charset_parameter_is_json() -> None:
    value, headers = passing_message()
    headers["content-type"] = b"application/json; charset=utf-8"
    assert isinstance(await decode(value, headers), Accepted)


async def test_a_message_without_content_type_is_read_as_json() -> None:
    value, headers = passing_message()
    del headers["content-type"]
    assert isinstance(await decode(value, headers), Accepted)


async def test_extra_payload_fields_are_kept() -> None:
    data = passing_data() | {"grade": 0.92}
    _, headers = passing_message()
    result = await decode(with_data(data), headers)
    assert isinstance(result, Accepted)
    assert result.event.data["grade"] == 0.92


async def test_a_custom_event_type_declared_with_its_data_key_is_accepted() -> None:
    index = index_of(
        {
            "events": [{"type": ENROLLMENT, "data_key": "enrollment"}],
            "templates": [template_on(ENROLLMENT)],
        }
    )
    data = {"user": user_data(7, USERNAME), "course": {"course_key": COURSE}, "mode": "verified"}
    _, value, headers = json_event(ENROLLMENT, "enrollment", data, key=COURSE, event_id=EVENT_ID)
    result = await decode(value, header_map(headers), index)
    assert isinstance(result, Accepted)
    assert result.event.user.username == USERNAME


async def test_a_badge_event_is_accepted_when_a_requirement_names_it() -> None:
    index = index_of({"templates": [template_on(BADGE_AWARDED)]})
    badge = {
        "uuid": "0b9d3e62-0000-4000-8000-00000000000a",
        "user": user_data(7, USERNAME),
        "template": {"uuid": "t-1", "origin": "openedx", "name": None},
    }
    _, value, headers = json_event(BADGE_AWARDED, "badge", badge, key="k", event_id=EVENT_ID)
    assert isinstance(await decode(value, header_map(headers), index), Accepted)


# --- skipped --------------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", [ENROLLMENT, BADGE_AWARDED])
async def test_an_event_type_configured_nowhere_is_skipped(event_type: str) -> None:
    value, headers = passing_message()
    headers["ce_type"] = event_type.encode()
    assert await decode(value, headers) == Skipped(event_type)


async def test_a_default_type_left_out_of_the_events_list_is_skipped() -> None:
    index = index_of({"events": [COURSE_PASSING_STATUS], "templates": []})
    value, headers = passing_message()
    headers["ce_type"] = CCX_COURSE_PASSING_STATUS.encode()
    assert await decode(value, headers, index) == Skipped(CCX_COURSE_PASSING_STATUS)


async def test_an_unconfigured_type_is_skipped_even_when_its_body_is_garbage() -> None:
    _, headers = passing_message()
    headers["ce_type"] = ENROLLMENT.encode()
    assert await decode(b"\xff\xfe", headers) == Skipped(ENROLLMENT)


# --- rejected -------------------------------------------------------------------------------


async def test_a_message_without_ce_type_is_rejected() -> None:
    value, headers = passing_message()
    del headers["ce_type"]
    assert (await rejection(value, headers)).reason == "missing_ce_type"


async def test_a_message_with_an_empty_ce_type_is_rejected() -> None:
    value, headers = passing_message()
    headers["ce_type"] = b"  "
    assert (await rejection(value, headers)).reason == "missing_ce_type"


async def test_a_message_without_ce_id_is_rejected() -> None:
    value, headers = passing_message()
    del headers["ce_id"]
    assert (await rejection(value, headers)).reason == "missing_ce_id"


@pytest.mark.parametrize(
    "value",
    [b"\xff\xfe", b"\x80abc", b"not json", b'{"course_passing_status": ', b"\x00\x00\x00\x01\x02"],
    ids=["utf16-bom", "bad-utf8", "text", "truncated-json", "avro-framing"],
)
async def test_a_value_that_is_not_json_is_rejected_as_undecodable(value: bytes) -> None:
    _, headers = passing_message()
    assert (await rejection(value, headers)).reason == "undecodable"


@pytest.mark.parametrize(
    "body",
    [b'{"other_key": {}}', b"[1, 2]", b'"course_passing_status"', b"{}"],
    ids=["other-key", "list", "string", "empty-object"],
)
async def test_json_without_the_data_key_is_rejected(body: bytes) -> None:
    _, headers = passing_message()
    result = await rejection(body, headers)
    assert result.reason == "missing_data_key"
    assert "course_passing_status" in result.detail


async def test_a_payload_without_user_is_rejected_as_missing_user() -> None:
    data = passing_data()
    del data["user"]
    _, headers = passing_message()
    assert (await rejection(with_data(data), headers)).reason == "missing_user"


async def test_a_payload_with_a_null_user_is_rejected_as_missing_user() -> None:
    _, headers = passing_message()
    data = passing_data() | {"user": None}
    assert (await rejection(with_data(data), headers)).reason == "missing_user"


def broken(path: str, value: Any) -> dict[str, Any]:
    """The passing-status data with the field at a dot path replaced (removed for ``...``)."""
    data = passing_data()
    *parents, leaf = path.split(".")
    target = data
    for part in parents:
        target = target[part]
    if value is ...:
        del target[leaf]
    else:
        target[leaf] = value
    return data


INVALID_PAYLOADS: list[tuple[str, Any]] = [
    ("is_passing", "yes"),
    ("is_passing", 1),
    ("user.id", "7"),
    ("user.id", EMAIL),
    ("user.is_active", "true"),
    ("user.pii", NAME),
    ("user.pii.username", ""),
    ("user.pii.email", ...),
    ("course", COURSE),
    ("course.course_key", ...),
]


@pytest.mark.parametrize(("path", "value"), INVALID_PAYLOADS)
async def test_a_payload_failing_validation_is_rejected_as_invalid(path: str, value: Any) -> None:
    _, headers = passing_message()
    result = await rejection(with_data(broken(path, value)), headers)
    assert result.reason == "invalid_payload"
    assert path.split(".")[0] in result.detail


@pytest.mark.parametrize(("path", "value"), INVALID_PAYLOADS)
async def test_a_rejection_detail_holds_no_personal_data(path: str, value: Any) -> None:
    _, headers = passing_message()
    result = await rejection(with_data(broken(path, value)), headers)
    for personal in (EMAIL, NAME, USERNAME):
        assert personal not in result.detail
        assert personal not in result.describe()


async def test_a_data_object_that_is_not_a_mapping_is_rejected_as_invalid() -> None:
    _, headers = passing_message()
    assert (await rejection(with_data([1, 2]), headers)).reason == "invalid_payload"


@pytest.mark.parametrize("content_type", [b"application/avro", b"text/plain", b"application/xml"])
async def test_an_unsupported_content_type_is_rejected(content_type: bytes) -> None:
    value, headers = passing_message()
    headers["content-type"] = content_type
    result = await rejection(value, headers)
    assert result.reason == "unsupported_content_type"
    assert content_type.decode() in result.detail


@pytest.mark.parametrize("value", [None, b""])
async def test_an_empty_value_is_rejected(value: bytes | None) -> None:
    _, headers = passing_message()
    assert (await rejection(value, headers)).reason == "empty_value"


async def test_describe_joins_reason_and_detail() -> None:
    value, headers = passing_message()
    del headers["ce_id"]
    assert (await rejection(value, headers)).describe() == (
        "missing_ce_id: message has no ce_id header"
    )


# --- event time -----------------------------------------------------------------------------


async def accepted_time(headers: dict[str, bytes]) -> datetime:
    result = await decode(passing_message()[0], headers)
    assert isinstance(result, Accepted), result
    return result.event.event_time


async def test_the_event_time_comes_from_ce_time() -> None:
    assert await accepted_time(passing_message()[1]) == EVENT_TIME


async def test_the_event_time_falls_back_to_the_kafka_time_without_ce_time() -> None:
    headers = passing_message()[1]
    del headers["ce_time"]
    assert await accepted_time(headers) == KAFKA_TIME


async def test_the_event_time_falls_back_to_the_kafka_time_when_ce_time_is_unreadable() -> None:
    headers = passing_message()[1] | {"ce_time": b"yesterday"}
    assert await accepted_time(headers) == KAFKA_TIME


@pytest.mark.parametrize(
    ("ce_time", "expected"),
    [
        (b"2026-03-01T12:30:00Z", EVENT_TIME),
        (b"2026-03-01T12:30:00", EVENT_TIME),
        (b"2026-03-01T14:30:00+02:00", EVENT_TIME),
        (b"2026-03-01T12:30:00.250000+00:00", EVENT_TIME + timedelta(milliseconds=250)),
    ],
)
async def test_ce_time_is_read_as_an_aware_datetime(ce_time: bytes, expected: datetime) -> None:
    moment = await accepted_time(passing_message()[1] | {"ce_time": ce_time})
    assert moment == expected
    assert moment.tzinfo is not None
