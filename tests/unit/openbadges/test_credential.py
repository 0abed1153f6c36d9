"""The OpenBadgeCredential of a known badge: every OB 3.0 field, the official JSON Schema, and
no learner email in it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from jsonschema import Draft201909Validator

from faust_badges.openbadges.credential import identity_hash, issuer_document
from faust_badges.openbadges.keys import SigningKey
from tests.unit.openbadges.conftest import (
    ACHIEVEMENT,
    AWARDED_AT,
    BASE,
    EMAIL,
    ISSUER,
    STATUS_LIST,
    data,
    unsigned_credential,
)

SCHEMA = data("ob_v3p0_achievementcredential_schema.json")


def test_the_credential_has_every_required_ob3_field(signed: dict[str, Any]) -> None:
    assert signed["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert signed["id"] == f"{BASE}/ob/credentials/2b1c8f0e-0000-4000-8000-000000000001"
    assert signed["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert signed["name"] == ACHIEVEMENT.name
    assert (
        signed["validFrom"] == "2026-03-01T12:30:15Z" == AWARDED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    assert signed["issuer"] == {
        "id": ISSUER.id,
        "type": ["Profile"],
        "name": "Example University",
        "url": "https://example.org",
        "email": "badges@example.org",
        "image": {"id": "https://example.org/logo.png", "type": "Image"},
    }
    subject = signed["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"] == {
        "id": f"{BASE}/ob/achievements/python-fundamentals",
        "type": ["Achievement"],
        "name": "Python Fundamentals",
        "description": "Passed the three core Python courses",
        "criteria": {"narrative": "- Pass Python 101\n- Pass Python 102"},
        "image": {"id": "https://example.org/py.png", "type": "Image"},
    }
    assert signed["credentialStatus"] == {
        "id": f"{STATUS_LIST}#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": STATUS_LIST,
    }
    [proof] = signed["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"].startswith(f"{ISSUER.id}#z6Mk")
    assert proof["proofValue"].startswith("z")


def test_the_signed_credential_is_valid_against_the_1edtech_schema(
    signed: dict[str, Any],
) -> None:
    validator = Draft201909Validator(SCHEMA)
    assert [e.message for e in validator.iter_errors(signed)] == []


def test_the_schema_check_can_fail() -> None:
    broken = unsigned_credential()
    del broken["credentialSubject"]["achievement"]["criteria"]
    broken["validFrom"] = 2026
    messages = [e.message for e in Draft201909Validator(SCHEMA).iter_errors(broken)]
    assert any("criteria" in m for m in messages) and any("2026" in m for m in messages)


def test_the_learner_is_a_salted_hash_of_their_email_and_nothing_else(
    signed: dict[str, Any],
) -> None:
    text = json.dumps(signed)
    assert EMAIL not in text and EMAIL.lower() not in text and "Lovelace" not in text
    [identity] = signed["credentialSubject"]["identifier"]
    expected = hashlib.sha256(b"ada.lovelace@example.orgf00dfeed").hexdigest()
    assert identity == {
        "type": "IdentityObject",
        "identityHash": f"sha256${expected}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": "f00dfeed",
    }
    assert identity_hash(EMAIL, "other") != identity["identityHash"]  # the salt counts


def test_the_issuer_document_lists_the_public_key_only(key: SigningKey) -> None:
    document = issuer_document(ISSUER, key)
    [method] = document["verificationMethod"]
    assert method["id"] == ISSUER.key_id(key) and method["controller"] == ISSUER.id
    assert method["type"] == "Multikey" and method["publicKeyMultibase"] == key.public_multibase
    assert set(method["publicKeyJwk"]) == {"kty", "crv", "x"}  # never "d"
    assert document["assertionMethod"] == [method["id"]]
    assert document["id"] == ISSUER.id and document["name"] == ISSUER.name
