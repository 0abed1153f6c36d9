"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC-DI-EDDSA §3.3):
SHA-256 of the canonical proof options, then of the canonical document, signed with Ed25519,
``proofValue`` in base58btc multibase."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from faust_badges.core.errors import BadgesError
from faust_badges.openbadges.jsonld import CanonicalizationError, canonical_nquads
from faust_badges.openbadges.keys import SigningKey, verify_signature

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ASSERTION = "assertionMethod"


class ProofError(BadgesError, ValueError):
    """The proof is missing, malformed, or does not verify."""


def xsd_datetime(moment: datetime) -> str:
    """``2026-01-02T03:04:05Z``: UTC, whole seconds, as Data Integrity and OB examples write it."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_proof(
    document: Mapping[str, Any],
    key: SigningKey,
    *,
    verification_method: str,
    created: datetime,
    extra_contexts: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``document`` with an ``eddsa-rdfc-2022`` proof by ``key`` (assertionMethod)."""
    if "proof" in document:
        raise ProofError("the document already has a proof")
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": ASSERTION,
    }
    signature = key.sign(_hash_data(document, options, extra_contexts))
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}
    # A list (a proof set of one): the OB 3.0 JSON Schema wants `proof` to be an array.
    return {**document, "proof": [proof]}


def proofs_of(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The document's proofs (one object or a proof set), each an ``eddsa-rdfc-2022`` proof
    with the fields verification needs."""
    found = document.get("proof")
    proofs = found if isinstance(found, list) else [found] if found is not None else []
    if not proofs:
        raise ProofError("no proof")
    for proof in proofs:
        if not isinstance(proof, dict):
            raise ProofError("a proof is not an object")
        if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
            raise ProofError(f"a proof is not a {PROOF_TYPE} with cryptosuite {CRYPTOSUITE}")
        for field in ("verificationMethod", "proofPurpose", "proofValue"):
            if not isinstance(proof.get(field), str):
                raise ProofError(f"a proof has no {field}")
    return proofs


def verify_proof(
    document: Mapping[str, Any],
    public_key: Ed25519PublicKey,
    *,
    extra_contexts: Mapping[str, Any] | None = None,
) -> None:
    """Raise ProofError unless every proof of ``document`` was made over it by
    ``public_key``."""
    for proof in proofs_of(document):
        _verify_one(document, proof, public_key, extra_contexts)


def _verify_one(
    document: Mapping[str, Any],
    proof: dict[str, Any],
    public_key: Ed25519PublicKey,
    extra_contexts: Mapping[str, Any] | None,
) -> None:
    value = proof["proofValue"]
    try:
        signature = base58.b58decode(value[1:]) if value.startswith("z") else b""
    except ValueError:
        signature = b""
    if len(signature) != 64:
        raise ProofError("proofValue is not a base58btc Ed25519 signature")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    try:
        data = _hash_data(unsecured, options, extra_contexts)
    except CanonicalizationError as exc:
        raise ProofError(f"cannot canonicalise: {exc}") from None
    if not verify_signature(public_key, signature, data):
        raise ProofError("the signature does not verify")


def _hash_data(
    unsecured: Mapping[str, Any], options: Mapping[str, Any], extra: Mapping[str, Any] | None
) -> bytes:
    # The proof options are canonicalised under the document's own contexts.
    config = {**options, "@context": unsecured.get("@context")}
    proof_hash = hashlib.sha256(canonical_nquads(config, extra).encode()).digest()
    document_hash = hashlib.sha256(canonical_nquads(unsecured, extra).encode()).digest()
    return proof_hash + document_hash
