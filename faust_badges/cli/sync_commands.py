"""``faust-badges sync credly|accredible``: add or update provider templates in the config."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import click

from faust_badges.cli.common import load_settings, run
from faust_badges.config_topic import publish_config, read_config_document
from faust_badges.core.config import BadgeConfig
from faust_badges.core.config_checks import InvalidConfig, parse_config
from faust_badges.core.sync import SyncSummary, sync_accredible_groups, sync_credly_templates
from faust_badges.providers.base import ProviderError
from faust_badges.providers.pool import ProviderPool


@click.group("sync")
def sync_group() -> None:
    """Fetch the providers' templates into the badge config (new ones inactive)."""


def _current_config() -> tuple[Any, BadgeConfig]:
    settings = load_settings()
    document = run(read_config_document(settings))
    if document is None:
        raise click.ClickException("no config yet: `faust-badges config apply FILE` first")
    return settings, parse_config(document)


def _publish(settings: Any, config: BadgeConfig, summary: SyncSummary, dry_run: bool) -> None:
    try:
        config = parse_config(config.model_dump(mode="json"))
    except InvalidConfig as exc:  # e.g. a synced name that clashes: say so, publish nothing
        raise click.ClickException(str(exc)) from None
    if not dry_run:
        run(publish_config(settings, config))
    click.echo(f"{'would sync' if dry_run else 'synced'}: {summary}")
    for label, ids in (
        ("added", summary.added),
        ("updated", summary.updated),
        ("deactivated", summary.deactivated),
    ):
        for template_id in ids:
            click.echo(f"  {label}: {template_id}")


@sync_group.command("credly")
@click.option("--organization", help="Only this Credly organization id.")
@click.option("--dry-run", is_flag=True, help="Show what would change; publish nothing.")
def sync_credly(organization: str | None, dry_run: bool) -> None:
    """Fetch every page of each organization's active badge templates."""
    settings, config = _current_config()
    accounts = [o.id for o in config.providers.credly.organizations if organization in (None, o.id)]
    if not accounts:
        raise click.ClickException("no such Credly organization in providers.credly")

    async def fetch(pool: ProviderPool, account: str) -> list[dict[str, Any]]:
        return await pool.credly(account, config).badge_templates()

    synced, summary = _sync(config, accounts, fetch, sync_credly_templates)
    _publish(settings, synced, summary, dry_run)


@sync_group.command("accredible")
@click.option("--api-config", "api_config", help="Only this Accredible api_config name.")
@click.option("--dry-run", is_flag=True, help="Show what would change; publish nothing.")
def sync_accredible(api_config: str | None, dry_run: bool) -> None:
    """Fetch the groups of each Accredible API config."""
    settings, config = _current_config()
    names = config.providers.accredible.api_configs
    accounts = [c.name for c in names if api_config in (None, c.name)]
    if not accounts:
        raise click.ClickException("no such Accredible api_config in providers.accredible")

    async def fetch(pool: ProviderPool, account: str) -> list[dict[str, Any]]:
        return await pool.accredible(account, config).groups()

    synced, summary = _sync(config, accounts, fetch, sync_accredible_groups)
    _publish(settings, synced, summary, dry_run)


Fetch = Callable[[ProviderPool, str], Awaitable[list[dict[str, Any]]]]
Fold = Callable[[BadgeConfig, str, list[dict[str, Any]]], tuple[BadgeConfig, SyncSummary]]


def _sync(
    config: BadgeConfig, accounts: list[str], fetch: Fetch, fold: Fold
) -> tuple[BadgeConfig, SyncSummary]:
    """Fetch each account's templates and fold them into the config, one account at a time."""

    async def fetch_all() -> list[list[dict[str, Any]]]:
        pool = ProviderPool()
        try:
            return [await fetch(pool, account) for account in accounts]
        finally:
            await pool.close()

    try:
        fetched = run(fetch_all())
    except ProviderError as exc:
        raise click.ClickException(str(exc)) from None
    total = SyncSummary()
    for account, items in zip(accounts, fetched, strict=True):
        config, summary = fold(config, account, items)
        total.added += summary.added
        total.updated += summary.updated
        total.deactivated += summary.deactivated
    return config, total
