"""The ``openbadges`` provider: the job issues the badge itself, as an Open Badges 3.0
credential signed with the operator's key, and revokes it by setting its status list bit.

It plugs into the provider pool like Credly and Accredible, so intake, retries and parking are
the same; its "API" is a store (the ``ob_credentials`` table on a worker). Issuing is
idempotent: a badge's credential is built and signed once, and a redelivered issue returns the
stored bytes. Status list indexes come from a counter kept in the store, per partition: only
the worker that owns a partition hands out its indexes, and a restart reads the counter back.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from faust_badges.core.config import OpenBadgesIssuer, OpenBadgesProvider, Template
from faust_badges.core.issuing import IssuedBadge
from faust_badges.openbadges.credential import (
    Achievement,
    Issuer,
    build_credential,
)
from faust_badges.openbadges.dataintegrity import add_proof
from faust_badges.openbadges.jsonld import CanonicalizationError
from faust_badges.openbadges.keys import SigningKey, SigningKeyError, load_signing_key
from faust_badges.openbadges.records import StatusList, StoredCredential
from faust_badges.openbadges.status_list import LIST_SIZE, status_entry, status_list_credential
from faust_badges.providers.base import IssueResult, ProviderError

ISSUED = "accepted"
REVOKED = "revoked"


class CredentialStore(Protocol):
    """Where credentials and status lists are kept (a Faust table on a worker)."""

    def partition(self) -> int:
        """The partition of the badge being handled: its status list comes from there."""

    def credential(self, badge_uuid: str) -> StoredCredential | None: ...

    def put_credential(self, stored: StoredCredential) -> None: ...

    def status_list(self, list_id: str) -> StatusList | None: ...

    def put_status_list(self, status_list: StatusList) -> None: ...


def credential_url(settings: OpenBadgesProvider, badge_uuid: str) -> str:
    return f"{settings.base_url}/ob/credentials/{badge_uuid}"


def status_list_url(settings: OpenBadgesProvider, list_id: str) -> str:
    return f"{settings.base_url}/ob/status/{list_id}"


def issuer_of(settings: OpenBadgesProvider) -> Issuer:
    profile = settings.issuer
    return Issuer(
        id=settings.issuer_id,
        name=profile.name,
        url=profile.url,
        email=profile.email,
        image=profile.image,
    )


def signing_key(settings: OpenBadgesProvider, environ: Mapping[str, str] | None) -> SigningKey:
    """The configured key; a ProviderError (permanent, naming only where) when unusable."""
    try:
        return load_signing_key(
            env_var=settings.signing_key_env, file=settings.signing_key_file, environ=environ
        )
    except SigningKeyError as exc:
        raise ProviderError(f"openbadges: {exc}", kind="permanent") from None


def achievement_of(settings: OpenBadgesProvider, template: Template) -> Achievement:
    issuer = template.issuer
    criteria = issuer.criteria if isinstance(issuer, OpenBadgesIssuer) else None
    if not criteria:
        steps = [r.description or r.id for r in template.requirements]
        criteria = "\n".join(f"- {step}" for step in steps) or template.description
    return Achievement(
        id=f"{settings.base_url}/ob/achievements/{template.id}",
        name=template.name,
        description=template.description or template.name,
        criteria=criteria or template.name,
        image=template.image_url,
    )


def _dump(document: Mapping[str, object]) -> str:
    # Compact and ASCII-only: the stored text is the bytes served, on every worker.
    return json.dumps(document, separators=(",", ":"), sort_keys=False)


class OpenBadgesClient:
    """Issues and revokes badges as signed credentials in a ``CredentialStore``."""

    def __init__(
        self,
        store: CredentialStore,
        environ: Mapping[str, str] | None = None,
        *,
        list_size: int = LIST_SIZE,
    ) -> None:
        self.store = store
        self._environ = environ
        self._list_size = list_size

    def issue(
        self,
        record: IssuedBadge,
        template: Template,
        settings: OpenBadgesProvider,
        *,
        now: datetime | None = None,
    ) -> IssueResult:
        """Build, sign and store the badge's credential; one already stored is kept as is."""
        url = credential_url(settings, record.badge_uuid)
        if self.store.credential(record.badge_uuid) is not None:
            return IssueResult(url, ISSUED, already_existed=True)
        now = now or datetime.now(UTC)
        key = signing_key(settings, self._environ)
        issuer = issuer_of(settings)
        status = self._allocate(settings, issuer, key, now)
        unsigned = build_credential(
            credential_id=url,
            issuer=issuer,
            achievement=achievement_of(settings, template),
            recipient_email=record.recipient.email,
            salt=secrets.token_hex(16),
            awarded_at=record.recipient.awarded_at,
            status=status_entry(status_list_url(settings, status.list_id), status.allocated - 1),
        )
        signed = self._sign(unsigned, issuer, key, now)
        # The list's counter is written before the credential: a crash in between wastes an
        # index, never hands one out twice (both go to one changelog partition, in order).
        self.store.put_status_list(status)
        self.store.put_credential(
            StoredCredential(
                badge_uuid=record.badge_uuid,
                template_id=record.template_id,
                credential=_dump(signed),
                status_list=status.list_id,
                status_index=status.allocated - 1,
                issued_at=now,
            )
        )
        return IssueResult(url, ISSUED, already_existed=False)

    def revoke(
        self, record: IssuedBadge, settings: OpenBadgesProvider, *, now: datetime | None = None
    ) -> str | None:
        """Set the badge's revocation bit and re-sign its list; the credential URL, or None when
        no credential was ever issued (nothing to revoke)."""
        stored = self.store.credential(record.badge_uuid)
        if stored is None:
            return None
        now = now or datetime.now(UTC)
        status = self.store.status_list(stored.status_list)
        if status is None:  # the list is written before any credential naming it
            raise ProviderError("openbadges: the badge's status list is missing", kind="permanent")
        if stored.status_index not in status.revoked:
            key = signing_key(settings, self._environ)
            revoked = tuple(sorted({*status.revoked, stored.status_index}))
            self.store.put_status_list(
                self._status_list(settings, issuer_of(settings), key, status, revoked, now)
            )
        if stored.revoked_at is None:
            self.store.put_credential(replace(stored, revoked_at=now))
        return credential_url(settings, record.badge_uuid)

    def _allocate(
        self, settings: OpenBadgesProvider, issuer: Issuer, key: SigningKey, now: datetime
    ) -> StatusList:
        """The partition's first list with a free index, that index taken (``allocated - 1``).

        Lists are ``<partition>-<n>``: each partition's owner counts its own, so no two workers
        ever hand out the same index, and the counters are restored with the table."""
        partition = self.store.partition()
        block = 0
        while True:
            list_id = f"{partition}-{block}"
            current = self.store.status_list(list_id)
            if current is None:
                fresh = StatusList(list_id, 0, (), "", now)
                signed = self._status_list(settings, issuer, key, fresh, (), now)
                return replace(signed, allocated=1)
            if current.allocated < self._list_size:
                return replace(current, allocated=current.allocated + 1)
            block += 1

    def _status_list(
        self,
        settings: OpenBadgesProvider,
        issuer: Issuer,
        key: SigningKey,
        status: StatusList,
        revoked: tuple[int, ...],
        now: datetime,
    ) -> StatusList:
        url = status_list_url(settings, status.list_id)
        unsigned = status_list_credential(url, issuer.id, revoked, now)
        signed = self._sign(unsigned, issuer, key, now)
        return replace(status, revoked=revoked, credential=_dump(signed), updated_at=now)

    @staticmethod
    def _sign(
        document: dict[str, object], issuer: Issuer, key: SigningKey, now: datetime
    ) -> dict[str, object]:
        try:
            return add_proof(document, key, verification_method=issuer.key_id(key), created=now)
        except CanonicalizationError as exc:
            # The template's texts (a control character, say): retrying cannot help.
            raise ProviderError(f"openbadges: cannot sign: {exc}", kind="permanent") from None
