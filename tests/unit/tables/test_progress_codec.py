"""The progress table's codec: round trips, and reads records written in the older list form."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from faust_badges.core.progress import (
    Badge,
    BadgeStatus,
    Fulfilment,
    LearnerProgress,
    Reset,
    TemplateProgress,
)
from faust_badges.tables.progress import PROGRESS_CODEC

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
    with pytest.raises(ValidationError):
        PROGRESS_CODEC.load(json.dumps(document).encode())
