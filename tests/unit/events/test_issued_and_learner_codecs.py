"""The ``issued`` and ``learners`` tables' values survive their changelog's JSON unchanged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from faust_badges.core.issuing import IssuedBadge, IssueState, Recipient, Wanted
from faust_badges.core.learner import LearnerRecord
from faust_badges.events.state_codecs import ISSUED_CODEC, LEARNER_CODEC, StateDecodeError

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_an_issued_record_round_trips_with_its_states_and_times() -> None:
    record = IssuedBadge(
        badge_uuid="6c1e1ea8-8f62-5b9b-9d5e-000000000001",
        template_id="t",
        provider="credly",
        recipient=Recipient("ada", 7, "ada@example.org", "Zoë Ada", AT),
        wanted=Wanted.REVOKED,
        state=IssueState.RETRYING,
        attempts=2,
        calls=3,
        external_id="cred-1",
        last_error="credly revoke: HTTP 503",
        next_attempt_at=AT,
        created_at=AT,
        updated_at=AT,
    )

    loaded = ISSUED_CODEC.load(ISSUED_CODEC.dump(record))

    assert loaded == record
    assert loaded.state is IssueState.RETRYING and loaded.wanted is Wanted.REVOKED


def test_a_learner_record_round_trips() -> None:
    record = LearnerRecord("ada", 7, "ada@example.org", "Zoë Ada", True, AT)
    assert LEARNER_CODEC.load(LEARNER_CODEC.dump(record)) == record


def test_a_record_of_another_shape_is_refused_not_guessed() -> None:
    with pytest.raises(StateDecodeError, match="IssuedBadge"):
        ISSUED_CODEC.load(b'{"badge_uuid": "x"}')
