"""Issuing decisions (SPEC §6): what a command asks of the provider, and what a call's outcome
leaves behind. Example tests per behaviour, then a property over random command sequences."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faust_badges.core.issuing import (
    FINAL,
    HELD,
    Call,
    CallOutcome,
    Command,
    CommandKind,
    IssuedBadge,
    IssueState,
    Plan,
    Recipient,
    RetryPolicy,
    Wanted,
    failed,
    plan,
    succeeded,
)

NOW = datetime(2030, 1, 1, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)
AWARDED_AT = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
BADGE = "6a1f0c3e-0000-5000-8000-000000000001"
TEMPLATE = "python-fundamentals"
RECIPIENT = Recipient("ann", 7, "ann@example.org", "Ann Lee", AWARDED_AT)
POLICY = RetryPolicy(max_attempts=3, base_delay=2.0, max_delay=300.0, jitter=0.2)
EXTERNAL_ID = "credly-badge-0001"

ISSUE, REVOKE = CommandKind.ISSUE, CommandKind.REVOKE
RETRY_DUE, RETRY = CommandKind.RETRY_DUE, CommandKind.RETRY
#: The state a successful revoke leaves, per provider (SPEC §6).
REVOKED_STATE = {"credly": IssueState.REVOKED, "accredible": IssueState.EXPIRED}


def command(kind: CommandKind, *, provider: str = "credly", attempt: int | None = None) -> Command:
    """A command as the issuer gets it: badge events carry the recipient, retries only the uuid."""
    recipient = RECIPIENT if kind in (ISSUE, REVOKE) else None
    return Command(kind, BADGE, TEMPLATE, provider, recipient=recipient, attempt=attempt)


def record(
    state: IssueState,
    *,
    wanted: Wanted = Wanted.ISSUED,
    attempts: int = 0,
    provider: str = "credly",
    external_id: str | None = None,
) -> IssuedBadge:
    # Any state but queued is reached through calls; a queued record counts its attempts.
    calls = attempts if state is IssueState.QUEUED else max(attempts, 1)
    return IssuedBadge(
        BADGE,
        TEMPLATE,
        provider,
        RECIPIENT,
        wanted,
        state,
        attempts=attempts,
        calls=calls,
        external_id=external_id,
        last_error="timeout" if state in (IssueState.RETRYING, IssueState.ERROR) else None,
        created_at=NOW,
        updated_at=NOW,
    )


def held(state: IssueState = IssueState.ACCEPTED) -> IssuedBadge:
    """A badge the provider holds after one successful issue call."""
    return record(state, attempts=1, external_id=EXTERNAL_ID)


def fail(
    badge: IssuedBadge, *, transient: bool = True, retry_after: float | None = None
) -> CallOutcome:
    return failed(
        badge,
        transient=transient,
        retry_after=retry_after,
        error="HTTP 503",
        now=LATER,
        policy=POLICY,
        rng=random.Random(7),
    )


# -- a first issue ---------------------------------------------------------------------------------


def test_a_first_issue_command_creates_a_queued_record_and_calls_issue() -> None:
    first = plan(None, command(ISSUE), now=NOW)

    assert first.call is Call.ISSUE
    assert first.record.state is IssueState.QUEUED
    assert first.record.wanted is Wanted.ISSUED
    assert first.record.recipient == RECIPIENT
    assert first.record.created_at == NOW
    assert first.record.attempts == 0
    assert (first.record.badge_uuid, first.record.template_id) == (BADGE, TEMPLATE)


@pytest.mark.parametrize("provider_state", ["pending", "accepted"])
def test_a_successful_issue_stores_the_external_id_and_provider_state(provider_state: str) -> None:
    first = plan(None, command(ISSUE), now=NOW)

    outcome = succeeded(
        first.record, first.call, external_id=EXTERNAL_ID, state=provider_state, now=LATER
    )

    assert outcome.record.state is IssueState(provider_state)
    assert outcome.record.external_id == EXTERNAL_ID
    assert outcome.record.attempts == 1
    assert outcome.record.last_error is None
    assert outcome.record.updated_at == LATER
    assert (outcome.retry_at, outcome.dead_letter) == (None, None)


def test_a_successful_call_clears_the_error_of_the_failed_attempts() -> None:
    retrying = record(IssueState.RETRYING, attempts=2)

    outcome = succeeded(retrying, Call.ISSUE, external_id="x", state="accepted", now=LATER)

    assert outcome.record.last_error is None
    assert outcome.record.next_attempt_at is None
    assert outcome.record.attempts == 3


def test_a_revoke_answer_without_an_id_keeps_the_external_id() -> None:
    outcome = succeeded(held(), Call.REVOKE, external_id=None, state="revoked", now=LATER)

    assert outcome.record.external_id == EXTERNAL_ID


# -- idempotency: never issued twice ---------------------------------------------------------------


@pytest.mark.parametrize(
    "stored",
    [
        held(IssueState.PENDING),
        held(IssueState.ACCEPTED),
        record(IssueState.RETRYING, attempts=1),
        record(IssueState.ERROR, attempts=3),
        record(IssueState.REVOKED, wanted=Wanted.REVOKED, attempts=1),
        record(IssueState.EXPIRED, wanted=Wanted.REVOKED, provider="accredible", attempts=1),
        record(IssueState.REJECTED, attempts=1),
    ],
    ids=lambda badge: badge.state.value,
)
def test_an_issue_command_for_a_badge_past_its_first_call_does_nothing(
    stored: IssuedBadge,
) -> None:
    again = plan(stored, command(ISSUE), now=LATER)

    assert again == Plan(stored, Call.NOTHING)


def test_an_issue_command_for_a_queued_record_calls_issue_again() -> None:
    # Queued after a call whose outcome is unknown (the worker stopped): the provider client
    # counts "already exists" as issued, so calling again is safe.
    queued = record(IssueState.QUEUED, attempts=1)

    assert plan(queued, command(ISSUE), now=LATER).call is Call.ISSUE


def test_an_issue_command_after_a_revoke_does_nothing() -> None:
    revoking = record(IssueState.RETRYING, wanted=Wanted.REVOKED, attempts=1)

    assert plan(revoking, command(ISSUE), now=LATER).call is Call.NOTHING


# -- revoke ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", sorted(HELD))
def test_revoking_a_held_badge_calls_revoke(state: IssueState) -> None:
    revoke = plan(held(state), command(REVOKE), now=LATER)

    assert revoke.call is Call.REVOKE
    assert revoke.record.wanted is Wanted.REVOKED
    assert revoke.record.attempts == 0  # the revoke gets its own attempts
    assert revoke.record.external_id == EXTERNAL_ID


@pytest.mark.parametrize("provider", ["credly", "accredible"])
def test_revoking_a_badge_never_issued_settles_it_without_a_call(provider: str) -> None:
    revoke = plan(None, command(REVOKE, provider=provider), now=NOW)

    assert revoke.call is Call.NOTHING
    assert revoke.record.state is REVOKED_STATE[provider]
    assert revoke.record.wanted is Wanted.REVOKED
    assert revoke.record.recipient == RECIPIENT


@pytest.mark.parametrize("provider", ["credly", "accredible"])
def test_revoking_a_queued_badge_before_its_first_call_settles_it_without_a_call(
    provider: str,
) -> None:
    queued = record(IssueState.QUEUED, provider=provider)

    revoke = plan(queued, command(REVOKE, provider=provider), now=LATER)

    assert revoke.call is Call.NOTHING
    assert revoke.record.state is REVOKED_STATE[provider]


@pytest.mark.parametrize(
    "stored",
    [
        record(IssueState.RETRYING, attempts=1),
        record(IssueState.ERROR, attempts=3),
        record(IssueState.QUEUED, attempts=1),
    ],
    ids=["retrying", "error", "queued-after-a-call"],
)
def test_revoking_a_badge_the_provider_may_hold_calls_revoke(stored: IssuedBadge) -> None:
    # A timed-out issue call may still have created the badge: the revoke looks it up.
    revoke = plan(stored, command(REVOKE), now=LATER)

    assert revoke.call is Call.REVOKE
    assert revoke.record.wanted is Wanted.REVOKED
    assert revoke.record.attempts == 0


@pytest.mark.parametrize("provider", ["credly", "accredible"])
def test_a_revoke_after_a_successful_revoke_does_nothing(provider: str) -> None:
    revoke = plan(replace(held(), provider=provider), command(REVOKE, provider=provider), now=NOW)
    done = succeeded(
        revoke.record, revoke.call, external_id=None, state=REVOKED_STATE[provider], now=NOW
    )

    again = plan(done.record, command(REVOKE, provider=provider), now=LATER)

    assert again == Plan(done.record, Call.NOTHING)


@pytest.mark.parametrize("state", sorted(FINAL))
def test_a_revoke_of_a_badge_in_a_final_state_does_nothing(state: IssueState) -> None:
    final = record(state, attempts=1)

    assert plan(final, command(REVOKE), now=LATER) == Plan(final, Call.NOTHING)


def test_a_redelivered_revoke_while_the_first_revoke_call_is_unresolved_calls_revoke() -> None:
    timed_out = record(IssueState.RETRYING, attempts=1)  # the provider may hold the badge
    first = plan(timed_out, command(REVOKE), now=NOW)
    assert first.call is Call.REVOKE

    # The first revoke call's outcome is unknown (queued: SPEC's "outcome unknown" state).
    again = plan(first.record, command(REVOKE), now=LATER)

    assert again.call is Call.REVOKE


# -- a revoke while an issue retry is pending ------------------------------------------------------


def _revoke_resolutions(revoke: Plan) -> list[IssuedBadge]:
    """The record after the revoke call succeeded, failed for a while, or was rejected."""
    return [
        succeeded(revoke.record, revoke.call, external_id=None, state="revoked", now=NOW).record,
        fail(revoke.record).record,
        fail(revoke.record, transient=False).record,
    ]


@pytest.mark.parametrize("resolution", [0, 1, 2], ids=["revoked", "retrying", "error"])
def test_an_issue_retry_due_after_a_revoke_never_issues(resolution: int) -> None:
    issue_failed = fail(plan(None, command(ISSUE), now=NOW).record).record
    assert issue_failed.state is IssueState.RETRYING
    revoke = plan(issue_failed, command(REVOKE), now=NOW)
    after_revoke = _revoke_resolutions(revoke)[resolution]

    stale = plan(after_revoke, command(RETRY_DUE, attempt=issue_failed.attempts), now=LATER)

    assert stale.call in (Call.NOTHING, Call.REVOKE)


# -- due retries -----------------------------------------------------------------------------------


def test_a_due_retry_repeats_a_failed_issue() -> None:
    retrying = record(IssueState.RETRYING, attempts=2)

    assert plan(retrying, command(RETRY_DUE, attempt=2), now=LATER) == Plan(retrying, Call.ISSUE)


def test_a_due_retry_repeats_a_failed_revoke() -> None:
    retrying = record(IssueState.RETRYING, wanted=Wanted.REVOKED, attempts=1)

    assert plan(retrying, command(RETRY_DUE, attempt=1), now=LATER).call is Call.REVOKE


@pytest.mark.parametrize("attempt", [None, 1, 3])
def test_a_stale_retry_is_ignored(attempt: int | None) -> None:
    retrying = record(IssueState.RETRYING, attempts=2)

    assert plan(retrying, command(RETRY_DUE, attempt=attempt), now=LATER).call is Call.NOTHING


@pytest.mark.parametrize(
    "stored",
    [held(), record(IssueState.ERROR, attempts=1), record(IssueState.REVOKED, attempts=1)],
    ids=lambda badge: badge.state.value,
)
def test_a_due_retry_for_a_record_no_longer_retrying_does_nothing(stored: IssuedBadge) -> None:
    assert plan(stored, command(RETRY_DUE, attempt=1), now=LATER).call is Call.NOTHING


# -- operator retry --------------------------------------------------------------------------------


def test_an_operator_retry_of_a_failed_issue_resets_and_issues() -> None:
    given_up = record(IssueState.ERROR, attempts=POLICY.max_attempts)

    retry = plan(given_up, command(RETRY), now=LATER)

    assert retry.call is Call.ISSUE
    assert retry.record.attempts == 0
    assert retry.record.last_error is None
    assert retry.record.state is IssueState.QUEUED


def test_an_operator_retry_of_a_failed_revoke_revokes() -> None:
    given_up = record(IssueState.ERROR, wanted=Wanted.REVOKED, attempts=POLICY.max_attempts)

    retry = plan(given_up, command(RETRY), now=LATER)

    assert retry.call is Call.REVOKE
    assert (retry.record.attempts, retry.record.last_error) == (0, None)


@pytest.mark.parametrize(
    "stored",
    [
        record(IssueState.QUEUED),
        held(IssueState.PENDING),
        held(IssueState.ACCEPTED),
        record(IssueState.RETRYING, attempts=1),
        record(IssueState.REVOKED, attempts=1),
        record(IssueState.REJECTED, attempts=1),
    ],
    ids=lambda badge: badge.state.value,
)
def test_an_operator_retry_of_a_badge_not_in_error_does_nothing(stored: IssuedBadge) -> None:
    assert plan(stored, command(RETRY), now=LATER) == Plan(stored, Call.NOTHING)


@pytest.mark.parametrize("kind", [RETRY, RETRY_DUE])
def test_a_retry_for_a_badge_without_a_record_is_a_lookup_error(kind: CommandKind) -> None:
    with pytest.raises(LookupError, match=BADGE):
        plan(None, command(kind, attempt=1), now=NOW)


# -- failed calls ----------------------------------------------------------------------------------


def test_a_transient_failure_schedules_a_retry() -> None:
    queued = plan(None, command(ISSUE), now=NOW).record

    outcome = fail(queued, retry_after=None)

    expected_due = LATER + timedelta(seconds=POLICY.delay(1, None, random.Random(7)))
    assert outcome.retry_at == expected_due
    assert outcome.record.next_attempt_at == expected_due
    assert outcome.record.state is IssueState.RETRYING
    assert outcome.record.attempts == 1
    assert outcome.record.last_error == "HTTP 503"
    assert outcome.dead_letter is None


def test_a_transient_failure_honours_a_long_retry_after() -> None:
    outcome = fail(record(IssueState.QUEUED), retry_after=120.0)

    assert outcome.retry_at == LATER + timedelta(seconds=120)


def test_the_last_allowed_attempt_gives_up_into_error() -> None:
    last_try = record(IssueState.RETRYING, attempts=POLICY.max_attempts - 1)

    outcome = fail(last_try)

    assert outcome.record.state is IssueState.ERROR
    assert outcome.record.attempts == POLICY.max_attempts
    assert outcome.retry_at is None
    assert outcome.record.next_attempt_at is None
    assert outcome.dead_letter is not None
    assert outcome.dead_letter.startswith("attempts_exhausted")


def test_a_permanent_failure_gives_up_at_once() -> None:
    outcome = fail(record(IssueState.QUEUED), transient=False)

    assert outcome.record.state is IssueState.ERROR
    assert outcome.record.attempts == 1
    assert outcome.retry_at is None
    assert outcome.dead_letter is not None
    assert outcome.dead_letter.startswith("provider_rejected")
    assert "HTTP 503" in outcome.dead_letter


def test_a_failed_revoke_keeps_wanting_the_revoke() -> None:
    revoke = plan(held(), command(REVOKE), now=NOW)

    assert fail(revoke.record).record.wanted is Wanted.REVOKED


# -- retry policy ----------------------------------------------------------------------------------

STEADY = RetryPolicy(base_delay=2.0, max_delay=300.0, jitter=0.0)


def test_the_delay_doubles_with_each_attempt() -> None:
    delays = [STEADY.delay(attempt, None, random.Random(0)) for attempt in (1, 2, 3, 4)]

    assert delays == [2.0, 4.0, 8.0, 16.0]


def test_the_delay_is_capped_at_max_delay() -> None:
    assert STEADY.delay(20, None, random.Random(0)) == 300.0


def test_jitter_adds_at_most_the_jitter_fraction() -> None:
    rng = random.Random(42)
    delays = [POLICY.delay(3, None, rng) for _ in range(500)]

    assert all(8.0 <= delay <= 8.0 * 1.2 for delay in delays)
    assert max(delays) - min(delays) > 1.0  # the jitter actually spreads retries


def test_the_same_seed_gives_the_same_delay() -> None:
    assert POLICY.delay(2, None, random.Random(3)) == POLICY.delay(2, None, random.Random(3))


def test_a_retry_after_longer_than_the_backoff_wins() -> None:
    assert POLICY.delay(1, 90.0, random.Random(0)) == 90.0


def test_a_retry_after_shorter_than_the_backoff_is_ignored() -> None:
    assert STEADY.delay(4, 1.0, random.Random(0)) == 16.0


def test_a_retry_after_is_capped_at_max_delay() -> None:
    assert STEADY.delay(1, 3600.0, random.Random(0)) == 300.0


def test_jitter_never_pushes_the_delay_past_max_delay() -> None:
    rng = random.Random(1)

    assert all(POLICY.delay(attempt, None, rng) <= POLICY.max_delay for attempt in range(1, 20))


# -- property: random command sequences and call outcomes ------------------------------------------


@dataclass(frozen=True)
class Step:
    kind: CommandKind
    provider_outcome: str  # success | transient | permanent: what a call made at this step gets
    attempt: int | None  # for RETRY_DUE: None means "the attempt the record is at"
    issued_state: str  # the provider's state when an issue call succeeds


steps = st.builds(
    Step,
    kind=st.sampled_from(list(CommandKind)),
    provider_outcome=st.sampled_from(["success", "transient", "permanent"]),
    attempt=st.one_of(st.none(), st.integers(min_value=0, max_value=POLICY.max_attempts + 1)),
    issued_state=st.sampled_from(["pending", "accepted"]),
)


@dataclass
class History:
    """What the provider has been asked so far, for the invariants."""

    revoke_seen: bool = False
    issue_called: bool = False
    issue_succeeded: bool = False


def _run_step(
    stored: IssuedBadge | None, step: Step, provider: str, history: History
) -> IssuedBadge | None:
    """One command through plan and, when it calls, through succeeded or failed."""
    attempt = step.attempt
    if step.kind is RETRY_DUE and attempt is None and stored is not None:
        attempt = stored.attempts
    try:
        decided = plan(stored, command(step.kind, provider=provider, attempt=attempt), now=NOW)
    except LookupError:
        assert stored is None and step.kind in (RETRY, RETRY_DUE)
        return stored

    # (d) a record in a final state never plans a call, and stays as it is
    if stored is not None and stored.state in FINAL:
        assert decided == Plan(stored, Call.NOTHING)
    # (a) once a revoke was asked, the badge is never issued again
    if history.revoke_seen or step.kind is REVOKE:
        assert decided.call is not Call.ISSUE
    # (b) a badge the provider accepted is never posted again
    if history.issue_succeeded:
        assert decided.call is not Call.ISSUE
    # a badge is settled as revoked without a call only if no issue call ever reached out
    if decided.call is Call.NOTHING and decided.record.state in FINAL and stored != decided.record:
        assert not history.issue_called

    history.revoke_seen |= step.kind is REVOKE
    if decided.call is Call.NOTHING:
        return decided.record
    history.issue_called |= decided.call is Call.ISSUE
    if step.provider_outcome == "success":
        state = step.issued_state if decided.call is Call.ISSUE else REVOKED_STATE[provider]
        if provider == "accredible" and decided.call is Call.ISSUE:
            state = "accepted"  # Accredible has no pending state
        history.issue_succeeded |= decided.call is Call.ISSUE
        outcome = succeeded(decided.record, decided.call, external_id="ext-1", state=state, now=NOW)
    else:
        outcome = failed(
            decided.record,
            transient=step.provider_outcome == "transient",
            retry_after=None,
            error="HTTP 503",
            now=NOW,
            policy=POLICY,
            rng=random.Random(0),
        )
        assert (outcome.retry_at is None) == (outcome.record.state is IssueState.ERROR)
    # (c) attempts stay within the policy; a retry is only scheduled below the limit
    assert outcome.record.attempts <= POLICY.max_attempts
    if outcome.record.state is IssueState.RETRYING:
        assert outcome.record.attempts < POLICY.max_attempts
    return outcome.record


@settings(max_examples=200, deadline=None)
@given(
    provider=st.sampled_from(["credly", "accredible"]),
    sequence=st.lists(steps, min_size=1, max_size=25),
)
def test_random_command_sequences_keep_the_issuing_invariants(
    provider: str, sequence: list[Step]
) -> None:
    history = History()
    stored: IssuedBadge | None = None
    for step in sequence:
        stored = _run_step(stored, step, provider, history)

    if stored is not None and history.revoke_seen:
        assert stored.wanted is Wanted.REVOKED
