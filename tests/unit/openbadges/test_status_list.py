"""The Bitstring Status List: bits, encoding, and the list credential."""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime

import pytest

from faust_badges.openbadges.status_list import (
    LIST_SIZE,
    bit_is_set,
    decode_list,
    encode_list,
    status_list_credential,
)


def test_a_revoked_index_is_the_only_bit_set() -> None:
    bits = decode_list(encode_list([0, 9, LIST_SIZE - 1]))
    assert len(bits) * 8 == LIST_SIZE == 131_072  # the spec's 16 KiB minimum
    assert [i for i in range(LIST_SIZE) if bit_is_set(bits, i)] == [0, 9, LIST_SIZE - 1]
    # Index 0 is the leftmost bit of the first byte (spec: "the first bit").
    assert bits[0] == 0x80 and bits[1] == 0x40


def test_the_encoding_is_multibase_base64url_gzip_and_deterministic() -> None:
    encoded = encode_list([5])
    assert encoded == encode_list([5]) and encoded.startswith("u") and "=" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert raw[0] == 0b00000100


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        encode_list([LIST_SIZE])
    with pytest.raises(ValueError):
        decode_list("zabc")
    with pytest.raises(ValueError):
        decode_list("u!!!")


def test_the_list_credential() -> None:
    url = "https://badges.example.org/ob/status/0-0"
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    document = status_list_credential(url, "https://badges.example.org/ob/issuer", [3], moment)
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["validFrom"] == "2026-01-01T00:00:00Z"
    subject = document["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert bit_is_set(decode_list(subject["encodedList"]), 3)
