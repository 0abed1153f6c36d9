"""``faust-badges ob verify FILE_OR_URL`` checks an Open Badges 3.0 credential (signature,
issuer key, revocation); ``faust-badges ob keygen`` makes a signing key."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import httpx

from faust_badges.openbadges.keys import generate_pem, parse_signing_key
from faust_badges.openbadges.verify import Verdict, verify_credential

EXIT_CODES = {Verdict.VALID: 0, Verdict.REVOKED: 1, Verdict.INVALID: 2}
FETCH_TIMEOUT = 10.0
MAX_DOCUMENT = 1024 * 1024  # a credential, profile or status list is a few KiB


@click.group("ob")
def ob_group() -> None:
    """Open Badges 3.0: verify credentials, make a signing key."""


@ob_group.command("verify")
@click.argument("source")
def verify(source: str) -> None:
    """Verify the credential in SOURCE (a file or an http(s) URL): prints valid, revoked or
    invalid (with why); exit code 0, 1 or 2.

    The issuer's profile and the status list are read from the URLs the credential names."""
    with httpx.Client(timeout=FETCH_TIMEOUT, follow_redirects=True) as http:

        def fetch(url: str) -> Any:
            if not url.startswith(("https://", "http://")):
                raise ValueError(f"{url!r} is not an http(s) URL")
            response = http.get(url, headers={"Accept": "application/ld+json, application/json"})
            if response.status_code != 200:
                raise ValueError(f"{url} answered HTTP {response.status_code}")
            if len(response.content) > MAX_DOCUMENT:
                raise ValueError(f"{url} is too large")
            return response.json()

        try:
            if source.startswith(("https://", "http://")):
                credential = fetch(source)
            else:
                credential = json.loads(Path(source).read_text("utf-8"))
        except (OSError, ValueError, httpx.HTTPError) as exc:
            click.echo(f"invalid: cannot read the credential: {exc}")
            sys.exit(EXIT_CODES[Verdict.INVALID])
        result = verify_credential(credential, fetch)
    click.echo(str(result))
    sys.exit(EXIT_CODES[result.verdict])


@ob_group.command("keygen")
def keygen() -> None:
    """Print a new Ed25519 signing key (PEM) on stdout, its public key on stderr."""
    pem = generate_pem()
    click.echo(pem, nl=False)
    public = parse_signing_key(pem.encode()).public_multibase
    click.echo(f"public key (publicKeyMultibase): {public}", err=True)
