"""The eddsa-rdfc-2022 proof: the W3C specification's test vector, and tampering."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from faust_badges.openbadges.dataintegrity import ProofError, add_proof, verify_proof
from faust_badges.openbadges.jsonld import CanonicalizationError, canonical_nquads
from faust_badges.openbadges.keys import SigningKey, parse_signing_key, public_key_from_multibase
from tests.unit.openbadges.conftest import data, unsigned_credential

EXAMPLES = {"https://www.w3.org/ns/credentials/examples/v2": data("credentials-examples-v2.jsonld")}


def test_the_w3c_eddsa_rdfc_2022_test_vector_is_reproduced() -> None:
    pair = data("w3c-eddsa-keyPair.json")
    options = data("w3c-eddsa-proofConfigDataInt.json")
    expected = data("w3c-eddsa-signedDataInt.json")
    key = parse_signing_key(pair["privateKeyMultibase"].encode())
    assert key.public_multibase == pair["publicKeyMultibase"]
    signed = add_proof(
        data("w3c-eddsa-unsigned.json"),
        key,
        verification_method=options["verificationMethod"],
        created=datetime.fromisoformat(options["created"]),
        extra_contexts=EXAMPLES,
    )
    assert signed["proof"] == [expected["proof"]]
    # The specification's own signed document verifies with its public key.
    public = public_key_from_multibase(pair["publicKeyMultibase"])
    verify_proof(expected, public, extra_contexts=EXAMPLES)


def test_the_signature_verifies_with_the_public_key(
    signed: dict[str, Any], key: SigningKey
) -> None:
    verify_proof(signed, key.public_key)


def test_another_key_does_not_verify(signed: dict[str, Any]) -> None:
    other = parse_signing_key(data("w3c-eddsa-keyPair.json")["privateKeyMultibase"].encode())
    with pytest.raises(ProofError, match="does not verify"):
        verify_proof(signed, other.public_key)


def test_any_changed_byte_of_the_subject_fails_verification(
    signed: dict[str, Any], key: SigningKey
) -> None:
    original = signed["credentialSubject"]
    text = json.dumps(original, separators=(",", ":"))
    checked = 0
    for position, char in enumerate(text):
        changed_text = text[:position] + chr(ord(char) ^ 1) + text[position + 1 :]
        try:
            changed = json.loads(changed_text)
        except ValueError:
            continue  # not JSON any more: no verifier gets that far
        assert changed != original
        with pytest.raises(ProofError):
            verify_proof({**signed, "credentialSubject": changed}, key.public_key)
        checked += 1
    assert checked > len(text) // 2  # most positions make another valid document


def test_a_changed_proof_option_fails(signed: dict[str, Any], key: SigningKey) -> None:
    [proof] = signed["proof"]
    for field, value in (("created", "2030-01-01T00:00:00Z"), ("proofPurpose", "authentication")):
        with pytest.raises(ProofError):
            verify_proof({**signed, "proof": [{**proof, field: value}]}, key.public_key)


def test_an_undefined_term_is_refused_not_silently_dropped() -> None:
    credential = unsigned_credential()
    credential["credentialSubject"]["favouriteColour"] = "green"  # no context defines it
    with pytest.raises(CanonicalizationError, match="favouriteColour"):
        canonical_nquads(credential)


def test_unknown_contexts_and_control_characters_are_refused() -> None:
    credential = unsigned_credential()
    with pytest.raises(CanonicalizationError, match="not one this job knows"):
        canonical_nquads({**credential, "@context": [*credential["@context"], "https://x.test/c"]})
    with pytest.raises(CanonicalizationError, match="control character"):
        canonical_nquads({**credential, "name": "bell\x07"})
