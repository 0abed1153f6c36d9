"""The signing key: PEM or multibase, its public forms, and no key material in any text."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from faust_badges.openbadges.keys import (
    SigningKeyError,
    generate_pem,
    load_signing_key,
    parse_signing_key,
    public_key_from_multibase,
)

PEM = generate_pem()
SECRET_BODY = "".join(line for line in PEM.splitlines() if "-----" not in line)


def test_a_key_loads_from_a_variable_or_a_file(tmp_path: Path) -> None:
    from_env = load_signing_key(env_var="K", file=None, environ={"K": PEM})
    path = tmp_path / "ob.pem"
    path.write_text(PEM)
    from_file = load_signing_key(env_var=None, file=str(path), environ={})
    assert from_env.public_multibase == from_file.public_multibase
    assert from_env.public_multibase.startswith("z6Mk")
    public = public_key_from_multibase(from_env.public_multibase)
    assert public.public_bytes_raw() == from_env.public_key.public_bytes_raw()


def test_no_text_of_a_key_shows_the_private_key() -> None:
    key = parse_signing_key(PEM.encode())
    for text in (repr(key), str(key), f"{key}", str(key.public_jwk())):
        assert SECRET_BODY not in text and SECRET_BODY[:16] not in text
    assert "d" not in key.public_jwk()
    with pytest.raises(TypeError):
        pickle.dumps(key)


@pytest.mark.parametrize(
    "content",
    [
        PEM.replace(SECRET_BODY[10:20], "AAAAAAAAAA"),  # corrupt: still PEM-shaped
        "not a key at all " + SECRET_BODY,
        "z" + SECRET_BODY[:40],
    ],
)
def test_errors_name_where_the_key_was_never_what_it_holds(content: str) -> None:
    with pytest.raises(SigningKeyError) as raised:
        load_signing_key(env_var="OB_KEY", file=None, environ={"OB_KEY": content})
    message = str(raised.value)
    assert "OB_KEY" in message
    assert SECRET_BODY[:12] not in message and content[:20] not in message
    # Raised "from None": a traceback does not show the parser's exception either.
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_a_missing_file_or_variable_is_named(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError, match="OB_KEY is not set"):
        load_signing_key(env_var="OB_KEY", file=None, environ={})
    missing = tmp_path / "absent.pem"
    with pytest.raises(SigningKeyError, match=r"absent\.pem cannot be read"):
        load_signing_key(env_var=None, file=str(missing), environ={})
