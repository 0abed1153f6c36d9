"""The issuer's Ed25519 signing key: loaded from an environment variable or a file (PEM, or a
multibase ``secretKeyMultibase``), and its public half as a Multikey and a JWK.

No message, repr or exception of this module holds key material.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from faust_badges.core.errors import BadgesError

# Multicodec prefixes of Multikey values (varints of 0xed and 0x1300).
_ED25519_PUBLIC = b"\xed\x01"
_ED25519_PRIVATE = b"\x80\x26"


class SigningKeyError(BadgesError):
    """The signing key is missing or unreadable; the message names where it was looked for."""


class SigningKey:
    """An Ed25519 private key; ``repr`` shows only the public key."""

    __slots__ = ("_private", "public_multibase")

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_multibase = public_multibase(private.public_key())

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._private.public_key()

    def public_jwk(self) -> dict[str, str]:
        """The public key as an RFC 8037 JWK (never with ``d``)."""
        raw = self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}

    def __repr__(self) -> str:
        return f"SigningKey(public={self.public_multibase})"

    __str__ = __repr__

    def __reduce__(self) -> Any:  # never pickled into a log or a queue
        raise TypeError("a SigningKey is not serialisable")


def load_signing_key(
    *, env_var: str | None, file: str | None, environ: Mapping[str, str] | None = None
) -> SigningKey:
    """The key held by ``env_var`` (its value) or ``file`` (its content)."""
    environ = os.environ if environ is None else environ
    if env_var:
        where = f"the variable {env_var}"
        value = environ.get(env_var, "")
        if not value.strip():
            raise SigningKeyError(f"the signing key variable {env_var} is not set")
        data = value.encode()
    elif file:
        where = f"the file {file}"
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise SigningKeyError(
                f"the signing key file {file} cannot be read: {exc.strerror}"
            ) from None
    else:
        raise SigningKeyError("no signing key is configured (signing_key_env or signing_key_file)")
    return parse_signing_key(data, where)


def parse_signing_key(data: bytes, where: str = "the key") -> SigningKey:
    """A PEM (PKCS#8) Ed25519 private key, or a multibase Multikey ``secretKeyMultibase``."""
    text = data.strip()
    try:
        if text.startswith(b"-----BEGIN"):
            private = serialization.load_pem_private_key(text, password=None)
        else:
            decoded = base58.b58decode(text[1:]) if text[:1] == b"z" else b""
            if not decoded.startswith(_ED25519_PRIVATE) or len(decoded) != 34:
                raise ValueError
            private = Ed25519PrivateKey.from_private_bytes(decoded[2:])
    except (ValueError, TypeError):
        # "from None": the library's message or traceback could quote the data.
        raise SigningKeyError(
            f"{where} holds no Ed25519 private key (PEM PKCS#8 or a z... secretKeyMultibase)"
        ) from None
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningKeyError(f"{where} holds a private key that is not Ed25519")
    return SigningKey(private)


def generate_pem() -> str:
    """A new Ed25519 private key, PEM (PKCS#8), for ``faust-badges ob keygen``."""
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode("ascii")
    )


def public_multibase(key: Ed25519PublicKey) -> str:
    """The Multikey ``publicKeyMultibase`` (``z6Mk...``) of a public key."""
    return "z" + base58.b58encode(_ED25519_PUBLIC + _raw(key)).decode("ascii")


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """The public key of a ``publicKeyMultibase``; ValueError when it is not an Ed25519 one."""
    if not value.startswith("z"):
        raise ValueError("publicKeyMultibase must be base58btc (z...)")
    decoded = base58.b58decode(value[1:])
    if not decoded.startswith(_ED25519_PUBLIC) or len(decoded) != 34:
        raise ValueError("publicKeyMultibase is not an Ed25519 key")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


def verify_signature(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
