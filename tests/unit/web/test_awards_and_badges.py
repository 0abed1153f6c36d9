"""The pure parts of ``/badges/awards/`` and ``/badges/badges/``: bucketing badge events by
time, and merging the workers' answers about issued badges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from faust_badges.core.event_types import BADGE_AWARDED, BADGE_REVOKED
from faust_badges.kafka_io import Record
from faust_badges.web.awards_view import award_buckets
from faust_badges.web.badges_views import newest_first

OURS = "openedx/test/worker"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def event(event_type: str, at: datetime, source: str = OURS) -> Record:
    headers = (("ce_type", event_type.encode()), ("ce_source", source.encode()))
    return Record("lifecycle", 0, 0, int(at.timestamp() * 1000), b"k", b"v", headers)


def test_a_short_range_counts_our_awards_and_revocations_per_hour() -> None:
    records = [
        event(BADGE_AWARDED, NOW - timedelta(hours=2, minutes=50)),
        event(BADGE_AWARDED, NOW - timedelta(hours=2, minutes=10)),
        event(BADGE_REVOKED, NOW - timedelta(hours=2, minutes=5)),
        event(BADGE_AWARDED, NOW - timedelta(minutes=1)),
        event(BADGE_AWARDED, NOW - timedelta(minutes=1), source="openedx/other/worker"),
        event("org.openedx.learning.course.passing.status.updated.v1", NOW),
    ]

    answer = award_buckets(records, OURS, NOW - timedelta(days=1), NOW)

    assert answer["bucket"] == "hour"
    assert answer["buckets"] == [
        {"start": "2026-03-10T09:00:00+00:00", "awarded": 2, "revoked": 1},
        {"start": "2026-03-10T11:00:00+00:00", "awarded": 1, "revoked": 0},
    ]


def test_a_range_over_three_days_counts_per_day() -> None:
    records = [
        event(BADGE_AWARDED, datetime(2026, 3, 1, 8, tzinfo=UTC)),
        event(BADGE_AWARDED, datetime(2026, 3, 1, 23, tzinfo=UTC)),
        event(BADGE_REVOKED, datetime(2026, 3, 5, 1, tzinfo=UTC)),
    ]

    answer = award_buckets(records, OURS, NOW - timedelta(days=10), NOW)

    assert answer["bucket"] == "day"
    assert [(b["start"][:10], b["awarded"], b["revoked"]) for b in answer["buckets"]] == [
        ("2026-03-01", 2, 0),
        ("2026-03-05", 0, 1),
    ]


def issued(badge: str, updated_at: str | None, state: str = "error") -> dict[str, Any]:
    return {"badge_uuid": badge, "updated_at": updated_at, "state": state}


def test_the_newest_copy_of_each_badge_wins_newest_first_up_to_the_limit() -> None:
    answers = [
        issued("a", "2026-03-01T10:00:00+00:00", "retrying"),
        issued("b", "2026-03-02T10:00:00+00:00"),
        issued("a", "2026-03-03T10:00:00+00:00", "error"),  # a standby's newer copy
        issued("c", None),
    ]

    merged = newest_first(answers, limit=10)

    assert [(r["badge_uuid"], r["state"]) for r in merged] == [
        ("a", "error"),
        ("b", "error"),
        ("c", "error"),
    ]
    assert [r["badge_uuid"] for r in newest_first(answers, limit=1)] == ["a"]
    assert newest_first(answers, limit=-5) == []
