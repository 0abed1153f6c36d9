"""``faust-badges sync credly|accredible``: add or update provider templates in the config."""

from __future__ import annotations

import os
from typing import Any

import click

from faust_badges.cli.common import load_settings, run
from faust_badges.config_topic import publish_config, read_config_document
from faust_badges.core.config import BadgeConfig
from faust_badges.core.config_checks import InvalidConfig, parse_config
from faust_badges.core.sync import SyncSummary, sync_accredible_groups, sync_credly_templates
from faust_badges.providers.accredible import AccredibleClient
from faust_badges.providers.base import ProviderError
from faust_badges.providers.credly import CredlyClient


@click.group("sync")
def sync_group() -> None:
    """Fetch the providers' templates into the badge config (new ones inactive)."""


def _current_config() -> tuple[Any, BadgeConfig]:
    settings = load_settings()
    document = run(read_config_document(settings))
    if document is None:
        raise click.ClickException("no config yet: `faust-badges config apply FILE` first")
    return settings, parse_config(document)


def _api_key(variable: str) -> str:
    value = os.environ.get(variable, "")
    if not value:
        raise click.ClickException(f"the API key variable {variable} is not set")
    return value


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
    provider = config.providers.credly
    organizations = [o for o in provider.organizations if organization in (None, o.id)]
    if not organizations:
        raise click.ClickException("no such Credly organization in providers.credly")
    total = SyncSummary()
    for account in organizations:

        async def fetch(account_id: str = account.id, key_env: str = account.api_key_env) -> Any:
            client = CredlyClient(
                account_id,
                _api_key(key_env),
                sandbox=provider.sandbox,
                api_base_url=provider.api_base_url,
            )
            try:
                return await client.badge_templates()
            finally:
                await client.close()

        try:
            templates = run(fetch())
        except ProviderError as exc:
            raise click.ClickException(f"Credly organization {account.id}: {exc}") from None
        config, summary = sync_credly_templates(config, account.id, templates)
        _merge(total, summary)
    _publish(settings, config, total, dry_run)


@sync_group.command("accredible")
@click.option("--api-config", "api_config", help="Only this Accredible api_config name.")
@click.option("--dry-run", is_flag=True, help="Show what would change; publish nothing.")
def sync_accredible(api_config: str | None, dry_run: bool) -> None:
    """Fetch the groups of each Accredible API config."""
    settings, config = _current_config()
    provider = config.providers.accredible
    accounts = [c for c in provider.api_configs if api_config in (None, c.name)]
    if not accounts:
        raise click.ClickException("no such Accredible api_config in providers.accredible")
    total = SyncSummary()
    for account in accounts:

        async def fetch(key_env: str = account.api_key_env) -> Any:
            client = AccredibleClient(
                _api_key(key_env), sandbox=provider.sandbox, api_base_url=provider.api_base_url
            )
            try:
                return await client.groups()
            finally:
                await client.close()

        try:
            groups = run(fetch())
        except ProviderError as exc:
            raise click.ClickException(f"Accredible api_config {account.name}: {exc}") from None
        config, summary = sync_accredible_groups(config, account.name, groups)
        _merge(total, summary)
    _publish(settings, config, total, dry_run)


def _merge(total: SyncSummary, summary: SyncSummary) -> None:
    total.added += summary.added
    total.updated += summary.updated
    total.deactivated += summary.deactivated
