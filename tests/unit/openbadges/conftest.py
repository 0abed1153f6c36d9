"""Shared fixtures of the Open Badges tests: a key, an issuer, a credential for a known badge."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from faust_badges.openbadges.credential import Achievement, Issuer, build_credential
from faust_badges.openbadges.dataintegrity import add_proof
from faust_badges.openbadges.keys import SigningKey, generate_pem, parse_signing_key
from faust_badges.openbadges.status_list import status_entry

DATA = Path(__file__).parent / "data"
BASE = "https://badges.example.org"
ISSUER = Issuer(
    id=f"{BASE}/ob/issuer",
    name="Example University",
    url="https://example.org",
    email="badges@example.org",
    image="https://example.org/logo.png",
)
ACHIEVEMENT = Achievement(
    id=f"{BASE}/ob/achievements/python-fundamentals",
    name="Python Fundamentals",
    description="Passed the three core Python courses",
    criteria="- Pass Python 101\n- Pass Python 102",
    image="https://example.org/py.png",
)
AWARDED_AT = datetime(2026, 3, 1, 12, 30, 15, tzinfo=UTC)
EMAIL = "Ada.Lovelace@example.org"
STATUS_LIST = f"{BASE}/ob/status/3-0"


def data(name: str) -> Any:
    return json.loads((DATA / name).read_text())


@pytest.fixture(scope="session")
def key() -> SigningKey:
    return parse_signing_key(generate_pem().encode())


def unsigned_credential(index: int = 7) -> dict[str, Any]:
    return build_credential(
        credential_id=f"{BASE}/ob/credentials/2b1c8f0e-0000-4000-8000-000000000001",
        issuer=ISSUER,
        achievement=ACHIEVEMENT,
        recipient_email=EMAIL,
        salt="f00dfeed",
        awarded_at=AWARDED_AT,
        status=status_entry(STATUS_LIST, index),
    )


@pytest.fixture
def signed(key: SigningKey) -> dict[str, Any]:
    return add_proof(
        unsigned_credential(),
        key,
        verification_method=ISSUER.key_id(key),
        created=datetime(2026, 3, 1, 12, 31, tzinfo=UTC),
    )
