"""The learner record: created from the first event, updated by newer ones only."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from faust_badges.core.learner import LearnerRecord, UserData, merge_learner

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ADA = UserData(id=7, username="ada", email="ada@example.org", name="Ada Lovelace", is_active=True)


def test_an_unknown_learner_is_created_from_the_event() -> None:
    assert merge_learner(None, ADA, T0) == LearnerRecord(
        username="ada",
        user_id=7,
        email="ada@example.org",
        name="Ada Lovelace",
        is_active=True,
        seen_at=T0,
    )


@pytest.mark.parametrize(
    "changed",
    [{"email": "ada@newmail.org"}, {"name": "Ada King"}, {"is_active": False}, {"id": 8}],
)
def test_a_newer_event_updates_the_learner(changed: dict[str, Any]) -> None:
    record = merge_learner(None, ADA, T0)
    later = T0 + timedelta(minutes=5)
    merged = merge_learner(record, replace(ADA, **changed), later)
    assert merged == merge_learner(None, replace(ADA, **changed), later)


def test_an_event_at_the_same_time_with_new_values_updates_the_learner() -> None:
    record = merge_learner(None, ADA, T0)
    merged = merge_learner(record, replace(ADA, email="ada@newmail.org"), T0)
    assert merged.email == "ada@newmail.org"


def test_an_older_event_does_not_update_the_learner() -> None:
    record = merge_learner(None, ADA, T0)
    older = replace(ADA, email="old@example.org", name="A. Byron")
    assert merge_learner(record, older, T0 - timedelta(days=1)) is record


def test_a_redelivered_event_returns_the_same_record() -> None:
    record = merge_learner(None, ADA, T0)
    assert merge_learner(record, ADA, T0) is record


def test_a_newer_event_with_unchanged_values_changes_no_learner_data() -> None:
    record = merge_learner(None, ADA, T0)
    merged = merge_learner(record, ADA, T0 + timedelta(minutes=5))
    assert replace(merged, seen_at=T0) == record


def test_the_newest_event_wins_whatever_the_arrival_order() -> None:
    t1, t2, t3 = T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)
    user_at = {t1: ADA, t2: replace(ADA, email="ada@interim.org"), t3: ADA}

    def merged(arrival: tuple[datetime, ...]) -> LearnerRecord | None:
        record = None
        for moment in arrival:
            record = merge_learner(record, user_at[moment], moment)
        return record

    in_order, late_middle = merged((t1, t2, t3)), merged((t1, t3, t2))
    assert in_order is not None and late_middle is not None
    assert in_order.email == "ada@example.org"
    assert late_middle.email == in_order.email
