"""``faust-badges issuer retry BADGE_UUID | --all-errors``: re-queue badges parked in ``error``."""

from __future__ import annotations

import asyncio

import click

from faust_badges.cli.common import load_settings, run
from faust_badges.core.issuing import (
    Command,
    IssuedBadge,
    IssueState,
    NotInError,
    retry_command,
)
from faust_badges.events.issuer_messages import command_record
from faust_badges.events.state_codecs import ISSUED_CODEC
from faust_badges.kafka_io import produce, read_all
from faust_badges.settings import ISSUED_TABLE, Settings


@click.group("issuer")
def issuer_group() -> None:
    """Look after badges at their providers."""


@issuer_group.command("retry")
@click.argument("badge_uuid", required=False)
@click.option("--all-errors", is_flag=True, help="Re-queue every badge in state error.")
def retry(badge_uuid: str | None, all_errors: bool) -> None:
    """Re-queue a badge in state error (or all of them) for its provider's issuer."""
    if bool(badge_uuid) == all_errors:
        raise click.UsageError("give a BADGE_UUID or --all-errors (one of them)")
    settings = load_settings()
    records = run(issued_records(settings))
    if badge_uuid:
        record = records.get(badge_uuid)
        if record is None:
            raise click.ClickException(f"no issued record for badge {badge_uuid}")
        try:
            chosen = [retry_command(record)]
        except NotInError as exc:
            raise click.ClickException(f"{exc}: nothing to retry") from None
    else:
        chosen = [retry_command(r) for r in records.values() if r.state is IssueState.ERROR]
    run(queue_retries(settings, chosen))
    click.echo(f"re-queued {len(chosen)} badge(s) in error")


async def issued_records(settings: Settings) -> dict[str, IssuedBadge]:
    """The issued table as its changelog holds it: the latest record per badge."""
    changelog = settings.changelog_topic(ISSUED_TABLE)
    records: dict[str, IssuedBadge] = {}
    for record in await read_all(settings.kafka_bootstrap, changelog):
        if record.key is not None and record.value:
            records[record.key.decode()] = ISSUED_CODEC.load(record.value)
    return records


async def queue_retries(settings: Settings, commands: list[Command]) -> None:
    """Send each retry command to its provider's issuer topic."""
    by_provider: dict[str, list[Command]] = {}
    for command in commands:
        by_provider.setdefault(command.provider, []).append(command)
    await asyncio.gather(
        *(
            produce(
                settings.kafka_bootstrap,
                settings.issuer_topic(provider),
                [(*command_record(command), []) for command in group],
            )
            for provider, group in by_provider.items()
        )
    )
