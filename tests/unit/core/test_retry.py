"""The one retry rule shared by the providers and the schema registry client."""

from __future__ import annotations

import random

import pytest

from faust_badges.core.retry import backoff_delay, is_transient_status, parse_retry_after


@pytest.mark.parametrize(
    ("status", "transient"),
    [(429, True), (500, True), (503, True), (599, True), (400, False), (404, False), (422, False)],
)
def test_only_429_and_5xx_are_worth_another_try(status: int, transient: bool) -> None:
    assert is_transient_status(status) is transient


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        ("1.5", 1.5),
        ("-3", 0.0),  # a clock-skewed server: retry now, not in the past
        (None, None),
        ("", None),
        ("Wed, 21 Oct 2026 07:28:00 GMT", None),  # an HTTP date: our own backoff applies
        ("inf", None),
        ("nan", None),
    ],
)
def test_retry_after_is_a_finite_number_of_seconds_or_nothing(
    header: str | None, seconds: float | None
) -> None:
    assert parse_retry_after(header) == seconds


def steady(attempt: int, retry_after: float | None = None, max_delay: float = 300.0) -> float:
    return backoff_delay(
        attempt,
        base_delay=2.0,
        max_delay=max_delay,
        jitter=0.0,
        retry_after=retry_after,
        rng=random.Random(0),
    )


def test_the_backoff_doubles_per_attempt_up_to_its_cap() -> None:
    assert [steady(attempt) for attempt in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert steady(30) == 300.0


def test_a_longer_retry_after_wins_a_shorter_one_does_not_and_the_cap_holds() -> None:
    assert steady(1, retry_after=9.0) == 9.0
    assert steady(3, retry_after=1.0) == 8.0
    assert steady(1, retry_after=60.0, max_delay=10.0) == 10.0


def test_jitter_only_stretches_the_backoff_within_its_fraction() -> None:
    rng = random.Random(5)
    delays = [
        backoff_delay(2, base_delay=1.0, max_delay=99, jitter=0.2, retry_after=None, rng=rng)
        for _ in range(200)
    ]
    assert all(2.0 <= delay <= 2.4 for delay in delays)
    assert len(set(delays)) > 1
