"""The issuer agents, one pair per provider: one calls the provider for each command and keeps
the ``issued`` table; the other holds scheduled retries until they are due.

A provider that is slow or down only holds up its own agents (and a call is one attempt: a
failure is scheduled on the retry topic), so awards and the other provider go on.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime

from faust.types import StreamT

from faust_badges.core.issuing import (
    Call,
    CallOutcome,
    Command,
    CommandKind,
    IssuedBadge,
    ScheduledRetry,
    UnknownBadge,
    failed,
    plan,
    succeeded,
)
from faust_badges.delivery.batches import handled_in_order
from faust_badges.events.issuer_messages import (
    command_record,
    decode_command,
    decode_retry,
    encode_retry,
)
from faust_badges.logs import log_kv
from faust_badges.providers.base import ProviderError
from faust_badges.runtime import Runtime
from faust_badges.topics import PROVIDERS

logger = logging.getLogger(__name__)

_RNG = random.Random()


def register_issuer_agents(runtime: Runtime) -> None:
    for provider in PROVIDERS:
        _register_provider(runtime, provider)


def _register_provider(runtime: Runtime, provider: str) -> None:
    app, topics = runtime.app, runtime.topics
    commands, retries = topics.issuer_commands[provider], topics.issuer_retries[provider]
    command_offsets = runtime.offset_guard(f"issuer_{provider}", commands.topics)
    retry_offsets = runtime.offset_guard(f"issuer_{provider}_retries", retries.topics)

    @app.agent(commands, name=f"issuer_{provider}")
    async def issue_or_revoke(stream: StreamT) -> None:
        async for event in handled_in_order(stream, command_offsets, runtime.gate):
            await handle_command(runtime, decode_command(event.value))

    @app.agent(retries, name=f"issuer_{provider}_retries")
    async def release_retries(stream: StreamT) -> None:
        async for event in handled_in_order(stream, retry_offsets, runtime.gate):
            retry = decode_retry(event.value)
            wait = (retry.due_at - datetime.now(UTC)).total_seconds()
            if not await runtime.gate.sleep(wait):
                return  # stopping: the retry stays unhandled and is redelivered after restart
            key, value = command_record(retry.command)
            await commands.send(key=key, value=value)


async def handle_command(runtime: Runtime, command: Command) -> None:
    """Decide, call the provider if needed, store the outcome, schedule what comes next."""
    now = datetime.now(UTC)
    stored = runtime.issued.get(command.badge_uuid)
    try:
        decided = plan(stored, command, now=now)
    except UnknownBadge as exc:
        await _dead_letter(runtime, command, f"unknown_badge: {exc}")
        return
    if decided.call is Call.NOTHING:
        if decided.record != stored:
            runtime.issued.put(command.badge_uuid, decided.record)
        return
    outcome = await _call(runtime, decided.call, decided.record, now)
    runtime.issued.put(command.badge_uuid, outcome.record)
    if outcome.retry_at is not None:
        due = Command(
            CommandKind.RETRY_DUE,
            command.badge_uuid,
            command.template_id,
            command.provider,
            attempt=outcome.record.attempts,
        )
        await runtime.topics.issuer_retries[command.provider].send(
            key=command.badge_uuid.encode(),
            value=encode_retry(ScheduledRetry(due, outcome.retry_at)),
        )
    if outcome.dead_letter is not None:
        await _dead_letter(runtime, command, outcome.dead_letter)


async def _call(runtime: Runtime, call: Call, record: IssuedBadge, now: datetime) -> CallOutcome:
    provider = record.provider
    try:
        answer = await runtime.providers.perform(call, record, runtime.live_config.index())
    except ProviderError as exc:
        result = "transient" if exc.transient else "permanent"
        runtime.metrics.issuer_calls.inc(provider=provider, call=str(call), result=result)
        outcome = failed(
            record,
            transient=exc.transient,
            retry_after=exc.retry_after,
            error=str(exc),
            now=now,
            policy=runtime.retry_policy,
            rng=_RNG,
        )
        log_kv(
            logger,
            logging.WARNING,
            f"issuer_{call}_failed",
            badge=record.badge_uuid,
            provider=provider,
            state=outcome.record.state,
            attempts=outcome.record.attempts,
            error=str(exc),
        )
        return outcome
    result = "already_existed" if answer.already_existed else "ok"
    runtime.metrics.issuer_calls.inc(provider=provider, call=str(call), result=result)
    outcome = succeeded(record, call, external_id=answer.external_id, state=answer.state, now=now)
    log_kv(
        logger,
        logging.INFO,
        f"issuer_{call}_done",
        badge=record.badge_uuid,
        provider=provider,
        state=outcome.record.state,
        external_id=answer.external_id,
    )
    return outcome


async def _dead_letter(runtime: Runtime, command: Command, reason: str) -> None:
    key, value = command_record(command)
    await runtime.topics.issuer_dead_letters.send(
        key=key, value=value, headers=[("dead_letter_reason", reason.encode())]
    )
    log_kv(
        logger,
        logging.ERROR,
        "issuer_dead_lettered",
        badge=command.badge_uuid,
        provider=command.provider,
        reason=reason,
    )
