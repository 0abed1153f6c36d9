"""The state codecs: round trips, the same bytes pydantic wrote before, and progress records
written in the older list form."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import TypeAdapter

from faust_badges.core.issuing import IssuedBadge, IssueState, Recipient, Wanted
from faust_badges.core.learner import LearnerRecord
from faust_badges.core.progress import (
    Badge,
    BadgeStatus,
    Fulfilment,
    LearnerProgress,
    Reset,
    TemplateProgress,
)
from faust_badges.events.state_codecs import (
    ISSUED_CODEC,
    LEARNER_CODEC,
    PROGRESS_CODEC,
    StateCodec,
    StateDecodeError,
)

T1 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)

PROGRESS = LearnerProgress(
    "ann",
    templates={
        "intro": TemplateProgress(
            {"pass-a": Fulfilment("evt-1", T1, T2)},
            Reset("fail-b", ("pass-b",), "evt-2", T1, T2),
            {"pass-b": T1},
        )
    },
    badges={"intro": Badge("b-uuid", "intro", BadgeStatus.AWARDED, T1, "evt-1")},
    recent_events={"evt-1": ("intro",), "evt-2": ("intro", "other")},
)

# A record as the worker wrote it before ``recent_events`` became a mapping (and before
# per-requirement reset times): it must load, oldest event first.
OLD_RECORD = json.dumps(
    {
        "username": "ann",
        "templates": {
            "intro": {
                "fulfilled": {
                    "pass-a": {
                        "event_id": "evt-1",
                        "event_time": "2026-03-01T12:00:00Z",
                        "processed_at": "2026-03-02T08:30:00Z",
                    }
                },
                "last_reset": None,
            }
        },
        "badges": {},
        "recent_events": [
            {"event_id": "evt-1", "template_ids": ["intro"]},
            {"event_id": "evt-2", "template_ids": ["intro", "other"]},
        ],
    }
).encode()


def test_progress_round_trips() -> None:
    assert PROGRESS_CODEC.load(PROGRESS_CODEC.dump(PROGRESS)) == PROGRESS


def test_the_recent_events_keep_their_order() -> None:
    loaded = PROGRESS_CODEC.load(PROGRESS_CODEC.dump(PROGRESS))
    assert list(loaded.recent_events) == ["evt-1", "evt-2"]


def test_a_record_in_the_older_list_form_loads() -> None:
    loaded = PROGRESS_CODEC.load(OLD_RECORD)

    assert loaded.recent_events == {"evt-1": ("intro",), "evt-2": ("intro", "other")}
    assert list(loaded.recent_events) == ["evt-1", "evt-2"]
    assert loaded.applied_to("evt-2") == {"intro", "other"}
    assert loaded.templates["intro"].fulfilled["pass-a"].event_time == T1
    assert loaded.templates["intro"].reset_at == {}


@pytest.mark.parametrize(
    "recent",
    [[{"event_id": "evt-1"}], ["evt-1"], "evt-1"],
    ids=["item-without-templates", "item-not-an-object", "not-a-list"],
)
def test_a_broken_record_is_still_an_error(recent: object) -> None:
    document = json.loads(OLD_RECORD)
    document["recent_events"] = recent
    with pytest.raises(StateDecodeError):
        PROGRESS_CODEC.load(json.dumps(document).encode())


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b'{"username": 3}', b"\xff"])
def test_a_value_that_is_no_record_is_a_state_decode_error(raw: bytes) -> None:
    with pytest.raises(StateDecodeError, match="LearnerProgress"):
        PROGRESS_CODEC.load(raw)


LEARNER = LearnerRecord("ann", 7, "ann@example.com", "Ann É", True, T1)
ISSUED = IssuedBadge(
    badge_uuid="b-uuid",
    template_id="intro",
    provider="credly",
    recipient=Recipient("ann", 7, "ann@example.com", "Ann É", T1),
    wanted=Wanted.REVOKED,
    state=IssueState.RETRYING,
    attempts=2,
    calls=3,
    external_id="cred-1",
    last_error="503 from the provider",
    next_attempt_at=T2,
    created_at=T1,
    updated_at=T2,
)
SAMPLES = [
    (PROGRESS_CODEC, PROGRESS),
    (PROGRESS_CODEC, replace(PROGRESS, learner=LEARNER)),
    (LEARNER_CODEC, LEARNER),
    (ISSUED_CODEC, ISSUED),
]


@pytest.mark.parametrize(("codec", "value"), SAMPLES)
def test_the_bytes_are_those_pydantic_wrote_and_read_back(
    codec: StateCodec[Any], value: Any
) -> None:
    """Records in changelogs and stores were written by pydantic's JSON before: the codec
    writes the same bytes and reads them back equal."""
    written_before = TypeAdapter(codec.state_type).dump_json(value)

    assert codec.dump(value) == written_before
    assert codec.load(written_before) == value


def test_an_issued_record_comes_back_with_its_enum_members() -> None:
    loaded = ISSUED_CODEC.load(ISSUED_CODEC.dump(ISSUED))
    assert loaded.state is IssueState.RETRYING and loaded.wanted is Wanted.REVOKED


def test_a_record_of_another_shape_is_refused_not_guessed() -> None:
    with pytest.raises(StateDecodeError, match="IssuedBadge"):
        ISSUED_CODEC.load(b'{"badge_uuid": "x"}')
