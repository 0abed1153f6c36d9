"""Issuing badges at a provider (SPEC §6), as pure decisions: given the issued record of a badge
and a command, what to call; given the call's outcome, the new record and what comes next.

The issuer agents do the I/O: they call the provider, store the record, and send retries to a
retry topic with the due time this module computes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from faust_badges.core.errors import BadgesError
from faust_badges.core.retry import backoff_delay


class IssueState(StrEnum):
    """Credly's states (pending, accepted, rejected, revoked, expired), Accredible's (accepted,
    expired), and ours: queued (not called yet, or the outcome of a call is unknown), retrying
    (a retry is scheduled), error (given up; ``faust-badges issuer retry`` re-queues it)."""

    QUEUED = "queued"
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    REVOKED = "revoked"
    EXPIRED = "expired"
    RETRYING = "retrying"
    ERROR = "error"


#: States in which the provider holds a badge that a revoke must take back.
HELD = frozenset({IssueState.PENDING, IssueState.ACCEPTED})
#: States after which nothing is left to do.
FINAL = frozenset({IssueState.REVOKED, IssueState.EXPIRED, IssueState.REJECTED})


class Wanted(StrEnum):
    ISSUED = "issued"
    REVOKED = "revoked"


class CommandKind(StrEnum):
    ISSUE = "issue"  # the badge was awarded
    REVOKE = "revoke"  # the badge was revoked
    RETRY_DUE = "retry_due"  # a scheduled retry has come due
    RETRY = "retry"  # an operator asked to retry a badge in error


class Call(StrEnum):
    NOTHING = "nothing"
    ISSUE = "issue"
    REVOKE = "revoke"  # also finds a badge whose issue outcome is unknown, then revokes it


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a badge is issued to, and when it was awarded (kept for retries, which carry only the
    badge uuid). Holds PII: shown in the learner view only, never logged."""

    username: str
    user_id: int
    email: str
    name: str
    awarded_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedBadge:
    """The ``issued`` table's value: where a badge stands at its provider."""

    badge_uuid: str
    template_id: str
    provider: str
    recipient: Recipient
    wanted: Wanted
    state: IssueState
    attempts: int = 0  # calls made for the current goal (reset by a manual retry or a revoke)
    calls: int = 0  # calls ever made: 0 means the provider cannot hold the badge
    external_id: str | None = None
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter; a provider's Retry-After wins when it asks for longer."""

    max_attempts: int = 6
    base_delay: float = 2.0
    max_delay: float = 300.0
    jitter: float = 0.2

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        return backoff_delay(
            attempt,
            base_delay=self.base_delay,
            max_delay=self.max_delay,
            jitter=self.jitter,
            retry_after=retry_after,
            rng=rng,
        )


@dataclass(frozen=True, slots=True)
class Plan:
    record: IssuedBadge
    call: Call


@dataclass(frozen=True, slots=True)
class Command:
    """A request to the issuer: from a badge event, a due retry, or an operator."""

    kind: CommandKind
    badge_uuid: str
    template_id: str
    provider: str
    recipient: Recipient | None = None  # in ISSUE and REVOKE commands
    attempt: int | None = None  # in RETRY_DUE commands: the attempt that scheduled it


class NotInError(BadgesError):
    """An operator asked to retry a badge that is not parked in ``error``."""

    def __init__(self, record: IssuedBadge) -> None:
        super().__init__(f"badge {record.badge_uuid} is {record.state}, not error")
        self.state = record.state


class UnknownBadge(BadgesError, LookupError):
    """A command for a badge this worker holds no issued record of."""


def retry_command(record: IssuedBadge) -> Command:
    """An operator's retry of a badge parked in ``error`` (the web view and the CLI send it);
    NotInError for a badge in any other state, which has nothing to retry."""
    if record.state is not IssueState.ERROR:
        raise NotInError(record)
    return Command(CommandKind.RETRY, record.badge_uuid, record.template_id, record.provider)


def plan(record: IssuedBadge | None, command: Command, *, now: datetime) -> Plan:
    """What a command asks of the provider, given where the badge stands."""
    kind, attempt = command.kind, command.attempt
    if record is None:
        if command.recipient is None:  # a retry for a badge this worker never saw
            raise UnknownBadge(f"no issued record for badge {command.badge_uuid}")
        record = IssuedBadge(
            command.badge_uuid,
            command.template_id,
            command.provider,
            command.recipient,
            Wanted.ISSUED,
            IssueState.QUEUED,
            created_at=now,
            updated_at=now,
        )
        if kind is not CommandKind.REVOKE:
            return Plan(record, Call.ISSUE)
    if kind is CommandKind.REVOKE:
        return _plan_revoke(record)
    if record.state in FINAL or (record.wanted is Wanted.REVOKED and kind is CommandKind.ISSUE):
        return Plan(record, Call.NOTHING)
    if kind is CommandKind.RETRY:
        if record.state is not IssueState.ERROR:
            return Plan(record, Call.NOTHING)
        record = replace(record, attempts=0, state=IssueState.QUEUED, last_error=None)
        return Plan(record, Call.REVOKE if record.wanted is Wanted.REVOKED else Call.ISSUE)
    if kind is CommandKind.RETRY_DUE:
        # Only the retry scheduled by the latest failure counts; older ones are stale.
        if record.state is not IssueState.RETRYING or attempt != record.attempts:
            return Plan(record, Call.NOTHING)
        return Plan(record, Call.REVOKE if record.wanted is Wanted.REVOKED else Call.ISSUE)
    # An issue command again (a redelivery): call only if no call has succeeded or is scheduled.
    if record.state is IssueState.QUEUED:
        return Plan(record, Call.ISSUE)
    return Plan(record, Call.NOTHING)


def _plan_revoke(record: IssuedBadge) -> Plan:
    if record.state in FINAL:
        return Plan(record, Call.NOTHING)
    revoking = replace(record, wanted=Wanted.REVOKED)
    if record.state in HELD:
        return Plan(replace(revoking, attempts=0), Call.REVOKE)
    if record.state is IssueState.QUEUED and record.calls == 0 and record.attempts == 0:
        # Never called: the provider holds nothing. Settle it without a call.
        return Plan(replace(revoking, state=_revoked_state(record.provider)), Call.NOTHING)
    # Queued after a call whose outcome is unknown, retrying or in error: the provider may hold
    # the badge, so the revoke looks it up and takes it back.
    return Plan(replace(revoking, attempts=0, state=IssueState.QUEUED), Call.REVOKE)


def _revoked_state(provider: str) -> IssueState:
    return IssueState.EXPIRED if provider == "accredible" else IssueState.REVOKED


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """What a provider call leaves: the badge's new record and what the issuer does next.
    (Not ``decide``'s ``Outcome``, which says what an input event did to a learner.)"""

    record: IssuedBadge
    retry_at: datetime | None = None  # send a retry command due then
    dead_letter: str | None = None  # reason for the issuer dead-letter topic


def succeeded(
    record: IssuedBadge, call: Call, *, external_id: str | None, state: str, now: datetime
) -> CallOutcome:
    """The provider did what was asked (or, for a revoke, held nothing to take back)."""
    return CallOutcome(
        replace(
            record,
            state=IssueState(state),
            external_id=external_id or record.external_id,
            attempts=record.attempts + 1,
            calls=record.calls + 1,
            last_error=None,
            next_attempt_at=None,
            updated_at=now,
        )
    )


def failed(
    record: IssuedBadge,
    *,
    transient: bool,
    retry_after: float | None,
    error: str,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
) -> CallOutcome:
    """A call failed: schedule a retry, or give up into ``error`` and the dead-letter topic."""
    called = replace(
        record,
        attempts=record.attempts + 1,
        calls=record.calls + 1,
        last_error=error,
        updated_at=now,
    )
    if transient and called.attempts < policy.max_attempts:
        due = now + timedelta(seconds=policy.delay(called.attempts, retry_after, rng))
        retrying = replace(called, state=IssueState.RETRYING, next_attempt_at=due)
        return CallOutcome(retrying, retry_at=due)
    given_up = replace(called, state=IssueState.ERROR, next_attempt_at=None)
    reason = "attempts_exhausted" if transient else "provider_rejected"
    return CallOutcome(given_up, dead_letter=f"{reason}: {error}")


@dataclass(frozen=True, slots=True)
class ScheduledRetry:
    """A retry waiting on the retry topic until it is due."""

    command: Command
    due_at: datetime
