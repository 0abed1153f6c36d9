"""W3C Bitstring Status List v1.0: a list of revocation bits published as a signed credential,
and the ``credentialStatus`` entry that points a credential at its bit."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from faust_badges.openbadges.dataintegrity import xsd_datetime
from faust_badges.openbadges.jsonld import CREDENTIALS_V2

#: Bits per list: the spec's minimum (16 KiB), so that a set bit hides among many.
LIST_SIZE = 131_072
REVOCATION = "revocation"


def encode_list(revoked: Iterable[int], size: int = LIST_SIZE) -> str:
    """``encodedList``: multibase base64url (``u``, no padding) of the GZIP of the bitstring,
    index 0 being the first (most significant) bit of the first byte."""
    bits = bytearray(size // 8)
    for index in revoked:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} is outside the list")
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)  # mtime 0: the same bits, the same bytes
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode_list(encoded: str) -> bytes:
    """The bitstring of an ``encodedList``; ValueError when it is not one."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (u...)")
    body = encoded[1:]
    try:
        packed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
        bits = gzip.decompress(packed)
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError(f"encodedList cannot be decoded: {type(exc).__name__}") from None
    if not bits:
        raise ValueError("encodedList is empty")
    return bits


def bit_is_set(bitstring: bytes, index: int) -> bool:
    if not 0 <= index < len(bitstring) * 8:
        raise ValueError(f"status index {index} is outside the list")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_entry(list_url: str, index: int) -> dict[str, Any]:
    """The ``credentialStatus`` of a credential whose revocation bit is ``index`` of the list."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": REVOCATION,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    list_url: str, issuer_id: str, revoked: Iterable[int], valid_from: datetime
) -> dict[str, Any]:
    """The (unsigned) ``BitstringStatusListCredential`` with the bits of ``revoked`` set."""
    return {
        "@context": [CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": REVOCATION,
            "encodedList": encode_list(revoked),
        },
    }
