"""Provider clients for the templates of the current config, and the two calls the issuer makes.

A client per provider account (Credly organization, Accredible API config), kept while its
settings stay the same; API keys are read from the environment variables the config names.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from faust_badges.core.config import (
    AccredibleIssuer,
    BadgeConfig,
    CredlyIssuer,
    OpenBadgesIssuer,
    OpenBadgesProvider,
    Template,
)
from faust_badges.core.index import ConfigIndex
from faust_badges.core.issuing import Call, IssuedBadge, IssueState
from faust_badges.providers.accredible import AccredibleClient
from faust_badges.providers.base import IssueResult, ProviderClient, ProviderError
from faust_badges.providers.credly import CredlyClient
from faust_badges.providers.names import split_name
from faust_badges.providers.openbadges import OpenBadgesClient

REVOKE_REASON = "Revoked by Open edX badge processing: a penalty reset its requirements"


@dataclass(frozen=True)
class ProviderAnswer:
    external_id: str | None
    state: IssueState
    already_existed: bool = False


class ProviderPool:
    """Performs issue and revoke calls for issued-badge records."""

    def __init__(self, environ: Mapping[str, str] | None = None, *, timeout: float = 10.0) -> None:
        self._environ = os.environ if environ is None else environ
        self._timeout = timeout
        self._clients: dict[tuple[object, ...], ProviderClient] = {}
        self._openbadges: OpenBadgesClient | None = None

    def attach_openbadges(self, client: OpenBadgesClient) -> None:
        """Issue ``openbadges`` templates through ``client`` (its store is a worker's table)."""
        self._openbadges = client

    async def perform(self, call: Call, record: IssuedBadge, index: ConfigIndex) -> ProviderAnswer:
        """Issue the badge, or revoke it (finding it first when its id is not known)."""
        plan = index.templates.get(record.template_id)
        if plan is None:
            raise ProviderError(
                f"template {record.template_id!r} is no longer configured", kind="permanent"
            )
        template, config = plan.template, index.config
        if template.issuer.provider != record.provider:
            raise ProviderError(
                f"template {record.template_id!r} is now issued by {template.issuer.provider}",
                kind="permanent",
            )
        if call is Call.ISSUE:
            result = await self._issue(record, template, config)
            return ProviderAnswer(
                result.external_id, IssueState(result.state), result.already_existed
            )
        return await self._revoke(record, template, config)

    async def _issue(
        self, record: IssuedBadge, template: Template, config: BadgeConfig
    ) -> IssueResult:
        recipient, issuer = record.recipient, template.issuer
        if isinstance(issuer, CredlyIssuer):
            first, last = split_name(recipient.name)
            return await self.credly(issuer.organization_id, config).issue(
                recipient_email=recipient.email,
                first_name=first,
                last_name=last,
                template_id=issuer.template_id,
                issued_at=recipient.awarded_at,
            )
        if isinstance(issuer, AccredibleIssuer):
            return await self.accredible(issuer.api_config, config).issue(
                group_id=issuer.group_id,
                recipient_name=recipient.name,
                recipient_email=recipient.email,
                credential_name=template.name,
                issued_on=recipient.awarded_at,
            )
        if isinstance(issuer, OpenBadgesIssuer):
            return self.openbadges().issue(record, template, _openbadges_settings(config))
        raise ProviderError(f"template {template.id!r} has no provider", kind="permanent")

    async def _revoke(
        self, record: IssuedBadge, template: Template, config: BadgeConfig
    ) -> ProviderAnswer:
        issuer, email = template.issuer, record.recipient.email
        if isinstance(issuer, CredlyIssuer):
            credly = self.credly(issuer.organization_id, config)
            badge_id = record.external_id or await _found(credly.find(email, issuer.template_id))
            if badge_id is None:  # never reached Credly: nothing to take back
                return ProviderAnswer(None, IssueState.REVOKED)
            return ProviderAnswer(
                badge_id, IssueState(await credly.revoke(badge_id, REVOKE_REASON))
            )
        if isinstance(issuer, AccredibleIssuer):
            accredible = self.accredible(issuer.api_config, config)
            credential_id = record.external_id or await _found(
                accredible.find(issuer.group_id, email)
            )
            if credential_id is None:
                return ProviderAnswer(None, IssueState.EXPIRED)
            state = await accredible.revoke(credential_id, expired_on=datetime.now(UTC))
            return ProviderAnswer(credential_id, IssueState(state))
        if isinstance(issuer, OpenBadgesIssuer):
            url = self.openbadges().revoke(record, _openbadges_settings(config))
            return ProviderAnswer(url, IssueState.REVOKED)
        raise ProviderError(f"template {template.id!r} has no provider", kind="permanent")

    def credly(self, organization_id: str, config: BadgeConfig) -> CredlyClient:
        """The client of a configured Credly organization."""
        settings = config.providers.credly
        account = next((o for o in settings.organizations if o.id == organization_id), None)
        if account is None:  # the config check prevents it; a removed organization does not
            raise ProviderError("Credly organization is not configured", kind="permanent")
        api_key = self._api_key(account.api_key_env)
        key = ("credly", account.id, account.api_key_env, settings.sandbox, settings.api_base_url)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = CredlyClient(
                account.id,
                api_key,
                sandbox=settings.sandbox,
                api_base_url=settings.api_base_url,
                timeout=self._timeout,
            )
        assert isinstance(client, CredlyClient)
        return client

    def accredible(self, api_config: str, config: BadgeConfig) -> AccredibleClient:
        """The client of a configured Accredible API config."""
        settings = config.providers.accredible
        account = next((c for c in settings.api_configs if c.name == api_config), None)
        if account is None:
            raise ProviderError("Accredible api_config is not configured", kind="permanent")
        api_key = self._api_key(account.api_key_env)
        key = (
            "accredible",
            account.name,
            account.api_key_env,
            settings.sandbox,
            settings.api_base_url,
        )
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = AccredibleClient(
                api_key,
                sandbox=settings.sandbox,
                api_base_url=settings.api_base_url,
                timeout=self._timeout,
            )
        assert isinstance(client, AccredibleClient)
        return client

    def openbadges(self) -> OpenBadgesClient:
        if self._openbadges is None:
            raise ProviderError("openbadges issuing is not set up on this worker", kind="permanent")
        return self._openbadges

    def _api_key(self, variable: str) -> str:
        api_key = self._environ.get(variable, "")
        if not api_key:
            # Permanent until an operator sets it and runs `faust-badges issuer retry`.
            raise ProviderError(f"the API key variable {variable} is not set", kind="permanent")
        return api_key

    async def close(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()


def _openbadges_settings(config: BadgeConfig) -> OpenBadgesProvider:
    settings = config.providers.openbadges
    if settings is None:  # the config check prevents it for a template that names openbadges
        raise ProviderError("providers.openbadges is not configured", kind="permanent")
    return settings


async def _found(lookup: Awaitable[IssueResult | None]) -> str | None:
    result = await lookup
    return None if result is None else result.external_id
