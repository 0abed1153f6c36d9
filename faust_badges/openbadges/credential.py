"""An Open Badges 3.0 ``OpenBadgeCredential`` for an awarded badge, and the issuer profile.

The learner appears only as a salted SHA-256 of their email (an OB ``IdentityObject``): whoever
knows the email can check it is theirs; the credential itself names nobody.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from faust_badges.openbadges.dataintegrity import ASSERTION, xsd_datetime
from faust_badges.openbadges.jsonld import CREDENTIALS_V2, OB_V3P0
from faust_badges.openbadges.keys import SigningKey

CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
#: Defines ``verificationMethod``, ``Multikey`` and ``publicKeyMultibase`` in the profile.
CONTROLLER_CONTEXT = "https://www.w3.org/ns/cid/v1"


@dataclass(frozen=True, slots=True)
class Issuer:
    """The issuing organisation as credentials and ``/ob/issuer`` show it."""

    id: str
    name: str
    url: str | None = None
    email: str | None = None
    image: str | None = None

    def profile(self) -> dict[str, Any]:
        """The issuer as a ``Profile`` object inside a credential."""
        profile: dict[str, Any] = {"id": self.id, "type": ["Profile"], "name": self.name}
        if self.url:
            profile["url"] = self.url
        if self.email:
            profile["email"] = self.email
        if self.image:
            profile["image"] = {"id": self.image, "type": "Image"}
        return profile

    def key_id(self, key: SigningKey) -> str:
        """The verification method id of ``key``: the profile's URL and the key itself."""
        return f"{self.id}#{key.public_multibase}"


@dataclass(frozen=True, slots=True)
class Achievement:
    """What the badge stands for, from its template."""

    id: str
    name: str
    description: str
    criteria: str
    image: str | None = None

    def as_json(self) -> dict[str, Any]:
        achievement: dict[str, Any] = {
            "id": self.id,
            "type": ["Achievement"],
            "name": self.name,
            "description": self.description or self.name,
            "criteria": {"narrative": self.criteria},
        }
        if self.image:
            achievement["image"] = {"id": self.image, "type": "Image"}
        return achievement


def identity_hash(email: str, salt: str) -> str:
    """OB ``IdentityHash``: ``sha256$`` + hex SHA-256 of the (trimmed, lower-cased) email and
    the salt."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def build_credential(
    *,
    credential_id: str,
    issuer: Issuer,
    achievement: Achievement,
    recipient_email: str,
    salt: str,
    awarded_at: datetime,
    status: dict[str, Any],
) -> dict[str, Any]:
    """The unsigned credential; ``validFrom`` is the award time."""
    return {
        "@context": [CREDENTIALS_V2, OB_V3P0],
        "id": credential_id,
        "type": list(CREDENTIAL_TYPES),
        "name": achievement.name,
        "issuer": issuer.profile(),
        "validFrom": xsd_datetime(awarded_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(recipient_email, salt),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "achievement": achievement.as_json(),
        },
        "credentialStatus": status,
    }


def issuer_document(issuer: Issuer, key: SigningKey) -> dict[str, Any]:
    """``GET /ob/issuer``: the profile, with the public key as a Multikey (and a JWK), listed as
    an assertion method: what a verifier dereferences a proof's ``verificationMethod`` to."""
    key_id = issuer.key_id(key)
    return {
        "@context": [CREDENTIALS_V2, OB_V3P0, CONTROLLER_CONTEXT],
        **issuer.profile(),
        "verificationMethod": [
            {
                "id": key_id,
                "type": "Multikey",
                "controller": issuer.id,
                "publicKeyMultibase": key.public_multibase,
                "publicKeyJwk": key.public_jwk(),
            }
        ],
        ASSERTION: [key_id],
    }
