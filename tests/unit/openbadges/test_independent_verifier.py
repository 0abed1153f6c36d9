"""An issued credential checked by an independent verifier: the eddsa-rdfc-2022 steps written
here from the W3C specification with pyld, cryptography and base58 directly (none of the job's
own canonicalisation or verification code), and the status list decoded by hand."""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld

from faust_badges.openbadges.dataintegrity import add_proof
from faust_badges.openbadges.keys import SigningKey
from faust_badges.openbadges.status_list import status_list_credential
from tests.unit.openbadges.conftest import ISSUER, STATUS_LIST

CONTEXTS = Path(__file__).parents[3] / "faust_badges" / "openbadges" / "contexts"
DOCUMENTS = {
    "https://www.w3.org/ns/credentials/v2": CONTEXTS / "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": CONTEXTS
    / "ob-v3p0-context-3.0.3.jsonld",
}


def offline_loader(url: str, options: Any = None) -> dict[str, Any]:
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(DOCUMENTS[url].read_text()),
    }


def canonical(document: dict[str, Any]) -> bytes:
    options = {"algorithm": "URDNA2015", "format": "application/n-quads"}
    return str(jsonld.normalize(document, {**options, "documentLoader": offline_loader})).encode()


def independently_verified(document: dict[str, Any], public_key_multibase: str) -> bool:
    """VC-DI-EDDSA §3.3.2-3.3.6 for one proof, with the key from its Multikey value."""
    decoded = base58.b58decode(public_key_multibase[1:])
    assert decoded[:2] == b"\xed\x01"  # the Ed25519 public key multicodec
    public = Ed25519PublicKey.from_public_bytes(decoded[2:])
    document = copy.deepcopy(document)
    [proof] = document.pop("proof")
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    signature = base58.b58decode(proof.pop("proofValue")[1:])
    proof["@context"] = document["@context"]
    hash_data = (
        hashlib.sha256(canonical(proof)).digest() + hashlib.sha256(canonical(document)).digest()
    )
    try:
        public.verify(signature, hash_data)
    except InvalidSignature:
        return False
    return True


def test_an_issued_credential_verifies_independently(
    signed: dict[str, Any], key: SigningKey
) -> None:
    [proof] = signed["proof"]
    assert proof["verificationMethod"] == f"{ISSUER.id}#{key.public_multibase}"
    assert independently_verified(signed, key.public_multibase)
    forged = copy.deepcopy(signed)
    forged["credentialSubject"]["identifier"][0]["identityHash"] = "sha256$" + "0" * 64
    assert not independently_verified(forged, key.public_multibase)


def test_a_revoked_badge_has_its_bit_set_in_the_signed_list(key: SigningKey) -> None:
    revoked_at = datetime(2026, 3, 2, tzinfo=UTC)
    unsigned = status_list_credential(STATUS_LIST, ISSUER.id, [7], revoked_at)
    document = add_proof(unsigned, key, verification_method=ISSUER.key_id(key), created=revoked_at)
    assert independently_verified(document, key.public_multibase)
    encoded = document["credentialSubject"]["encodedList"]
    assert encoded[0] == "u"
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    set_bits = [i for i in range(len(bits) * 8) if bits[i // 8] >> (7 - i % 8) & 1]
    assert set_bits == [7]
