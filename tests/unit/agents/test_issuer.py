"""The issuer agent's command handling against in-memory fakes: one provider call per command
that needs one, the outcome stored, then a retry scheduled or the command dead-lettered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import cast

from faust_badges.agents.issuer import handle_command
from faust_badges.core.issuing import (
    Call,
    Command,
    CommandKind,
    IssueState,
    Recipient,
    RetryPolicy,
)
from faust_badges.events.issuer_messages import decode_command, decode_retry
from faust_badges.metrics import Metrics
from faust_badges.providers.base import ProviderError
from faust_badges.providers.pool import ProviderAnswer
from faust_badges.runtime import Runtime

from ..core.builders import make_index
from .fakes import FakeIssuedTable, FakeProviders, FakeTopic

BADGE = "6c1e1ea8-8f62-5b9b-9d5e-000000000001"
RECIPIENT = Recipient("ada", 7, "ada@example.org", "Ada L", datetime(2026, 3, 1, tzinfo=UTC))
ISSUE = Command(CommandKind.ISSUE, BADGE, "t", "credly", RECIPIENT)


def fake_runtime(*answers: ProviderAnswer | Exception) -> SimpleNamespace:
    return SimpleNamespace(
        issued=FakeIssuedTable(),
        providers=FakeProviders(list(answers)),
        live_config=SimpleNamespace(index=lambda: make_index()),
        metrics=Metrics(),
        retry_policy=RetryPolicy(max_attempts=3, base_delay=2.0),
        topics=SimpleNamespace(
            issuer_retries={"credly": FakeTopic("retries")},
            issuer_dead_letters=FakeTopic("dead-letters"),
        ),
    )


async def handle(runtime: SimpleNamespace, command: Command) -> None:
    await handle_command(cast(Runtime, runtime), command)


async def test_a_new_badge_is_issued_once_and_its_provider_record_kept() -> None:
    runtime = fake_runtime(ProviderAnswer("cred-1", IssueState.PENDING))

    await handle(runtime, ISSUE)

    assert runtime.providers.calls == [(Call.ISSUE, BADGE)]
    record = runtime.issued.stored[BADGE]
    assert (record.state, record.external_id, record.attempts) == ("pending", "cred-1", 1)
    assert runtime.metrics.issuer_calls.get(provider="credly", call="issue", result="ok") == 1
    assert runtime.topics.issuer_retries["credly"].sent == []
    assert runtime.topics.issuer_dead_letters.sent == []


async def test_a_redelivered_issue_command_calls_nobody() -> None:
    runtime = fake_runtime(ProviderAnswer("cred-1", IssueState.PENDING))
    await handle(runtime, ISSUE)

    await handle(runtime, ISSUE)

    assert runtime.providers.calls == [(Call.ISSUE, BADGE)]
    assert runtime.issued.puts == [BADGE]


async def test_a_transient_failure_schedules_a_retry_no_earlier_than_retry_after() -> None:
    runtime = fake_runtime(
        ProviderError("credly issue: HTTP 503", kind="transient", retry_after=60)
    )
    before = datetime.now(UTC)

    await handle(runtime, ISSUE)

    record = runtime.issued.stored[BADGE]
    assert (record.state, record.attempts) == (IssueState.RETRYING, 1)
    [sent] = runtime.topics.issuer_retries["credly"].sent
    retry = decode_retry(sent.value or b"")
    assert sent.key == BADGE.encode()
    assert (retry.command.kind, retry.command.attempt) == (CommandKind.RETRY_DUE, 1)
    assert retry.due_at >= before + timedelta(seconds=60)
    assert retry.due_at == record.next_attempt_at
    assert runtime.topics.issuer_dead_letters.sent == []


async def test_a_permanent_failure_parks_the_badge_and_dead_letters_the_command() -> None:
    runtime = fake_runtime(ProviderError("credly issue: HTTP 400", kind="permanent", status=400))

    await handle(runtime, ISSUE)

    assert runtime.issued.stored[BADGE].state is IssueState.ERROR
    dead_letters = runtime.topics.issuer_dead_letters
    [sent] = dead_letters.sent
    assert decode_command(sent.value or b"") == ISSUE
    assert (
        dead_letters.header(0, "dead_letter_reason") == "provider_rejected: credly issue: HTTP 400"
    )
    assert runtime.topics.issuer_retries["credly"].sent == []


async def test_a_retry_for_a_badge_never_seen_is_dead_lettered_without_a_call() -> None:
    runtime = fake_runtime()
    retry_due = Command(CommandKind.RETRY_DUE, BADGE, "t", "credly", attempt=1)

    await handle(runtime, retry_due)

    assert runtime.providers.calls == []
    assert runtime.issued.stored == {}
    reason = runtime.topics.issuer_dead_letters.header(0, "dead_letter_reason")
    assert reason is not None and reason.startswith("unknown_badge: ")
