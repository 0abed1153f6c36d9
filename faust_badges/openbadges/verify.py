"""Verify an Open Badges 3.0 credential end to end: its issuer's key, its proof, its dates and
its revocation bit. Documents are read through an injected ``fetch`` (the CLI passes HTTP)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from faust_badges.openbadges.dataintegrity import ASSERTION, ProofError, proofs_of, verify_proof
from faust_badges.openbadges.keys import public_key_from_multibase
from faust_badges.openbadges.status_list import bit_is_set, decode_list

Fetch = Callable[[str], Any]  # URL -> parsed JSON; raises on failure
OB_TYPES = {"OpenBadgeCredential", "AchievementCredential"}


class Verdict(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Verification:
    verdict: Verdict
    reason: str = ""

    def __str__(self) -> str:
        return f"{self.verdict}: {self.reason}" if self.reason else str(self.verdict)


class _Invalid(Exception):
    pass


def verify_credential(
    credential: Any, fetch: Fetch, *, now: datetime | None = None
) -> Verification:
    """``valid``, ``revoked`` (good signature, revocation bit set) or ``invalid`` with why."""
    now = now or datetime.now(UTC)
    try:
        if not isinstance(credential, dict):
            raise _Invalid("not a JSON object")
        types = set(_as_list(credential.get("type")))
        if "VerifiableCredential" not in types or not types & OB_TYPES:
            raise _Invalid("not an OpenBadgeCredential")
        issuer_id = _id_of(credential.get("issuer"))
        key = _issuer_key(credential, issuer_id, fetch)
        _check_proof(credential, key)
        _check_dates(credential, now)
        for entry in _as_list(credential.get("credentialStatus")):
            if _revoked(entry, issuer_id, fetch, now):
                return Verification(Verdict.REVOKED, "the issuer has revoked it")
    except _Invalid as exc:
        return Verification(Verdict.INVALID, str(exc))
    return Verification(Verdict.VALID)


def _issuer_key(document: Mapping[str, Any], issuer_id: str, fetch: Fetch) -> Ed25519PublicKey:
    """The key the proof names, trusted only when the issuer's own profile lists it as an
    assertion method controlled by the issuer."""
    try:
        proofs = proofs_of(document)
    except ProofError as exc:
        raise _Invalid(str(exc)) from None
    if len(proofs) != 1:
        raise _Invalid("this verifier checks credentials with exactly one proof")
    proof = proofs[0]
    if proof["proofPurpose"] != ASSERTION:
        raise _Invalid("the proof is not an assertionMethod proof")
    method_id = proof["verificationMethod"]
    if method_id.split("#", 1)[0] != issuer_id:
        raise _Invalid("the signing key is not published in the issuer's profile")
    try:
        profile = fetch(issuer_id)
    except Exception as exc:
        raise _Invalid(f"cannot read the issuer profile: {exc}") from None
    if not isinstance(profile, dict) or profile.get("id") != issuer_id:
        raise _Invalid("the issuer profile does not describe the issuer")
    methods = [m for m in _as_list(profile.get("verificationMethod")) if isinstance(m, dict)]
    method = next((m for m in methods if m.get("id") == method_id), None)
    asserting = [_id_of_or_none(m) for m in _as_list(profile.get(ASSERTION))]
    if method is None or method_id not in asserting or method.get("controller") != issuer_id:
        raise _Invalid("the signing key is not an assertion key of the issuer")
    try:
        return public_key_from_multibase(str(method.get("publicKeyMultibase", "")))
    except ValueError as exc:
        raise _Invalid(f"the issuer's key is unusable: {exc}") from None


def _check_proof(document: Mapping[str, Any], key: Ed25519PublicKey) -> None:
    try:
        verify_proof(document, key)
    except ProofError as exc:
        raise _Invalid(str(exc)) from None


def _check_dates(document: Mapping[str, Any], now: datetime) -> None:
    valid_from = _moment(document.get("validFrom"), "validFrom")
    if valid_from is None:
        raise _Invalid("validFrom is missing")
    if valid_from > now:
        raise _Invalid("not valid yet (validFrom is in the future)")
    valid_until = _moment(document.get("validUntil"), "validUntil")
    if valid_until is not None and valid_until <= now:
        raise _Invalid("expired (validUntil has passed)")


def _revoked(entry: Any, issuer_id: str, fetch: Fetch, now: datetime) -> bool:
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        raise _Invalid("a credentialStatus this verifier does not know")
    purpose = entry.get("statusPurpose")
    url = entry.get("statusListCredential")
    try:
        index = int(entry.get("statusListIndex", ""))
    except ValueError:
        raise _Invalid("statusListIndex is not a number") from None
    if not isinstance(url, str):
        raise _Invalid("statusListCredential is missing")
    try:
        status_list = fetch(url)
    except Exception as exc:
        raise _Invalid(f"cannot read the status list: {exc}") from None
    if not isinstance(status_list, dict):
        raise _Invalid("the status list is not a JSON object")
    if "BitstringStatusListCredential" not in _as_list(status_list.get("type")):
        raise _Invalid("the status list is not a BitstringStatusListCredential")
    if _id_of(status_list.get("issuer")) != issuer_id:
        raise _Invalid("the status list has another issuer")
    _check_proof(status_list, _issuer_key(status_list, issuer_id, fetch))
    _check_dates(status_list, now)
    subject = status_list.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("statusPurpose") != purpose:
        raise _Invalid("the status list is for another purpose")
    try:
        bits = decode_list(str(subject.get("encodedList", "")))
        set_bit = bit_is_set(bits, index)
    except ValueError as exc:
        raise _Invalid(str(exc)) from None
    if purpose != "revocation":
        raise _Invalid(f"status purpose {purpose!r} is not checked by this verifier")
    return set_bit


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _id_of(value: Any) -> str:
    found = _id_of_or_none(value)
    if found is None:
        raise _Invalid("the issuer has no id")
    return found


def _id_of_or_none(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _moment(value: Any, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise _Invalid(f"{field} is not a date-time") from None
    if moment.tzinfo is None:
        raise _Invalid(f"{field} has no time zone")
    return moment
