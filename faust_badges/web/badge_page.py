"""The public page of one Open Badge, for people: what it is, who issued it, whether it still
holds, and how to check that without trusting this page. Every value is HTML-escaped."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;color:#1f2933;"
    "padding:0 1rem}img{max-width:8rem}.revoked{color:#b42318}.valid{color:#067647}"
    "code,pre{background:#f2f4f7;padding:.1rem .3rem;overflow-x:auto}"
)


def badge_page(
    credential: dict[str, Any],
    *,
    revoked_at: datetime | None = None,
    recipient_name: str | None = None,
    credential_url: str = "",
) -> str:
    """The HTML page of a credential."""
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    issuer = credential.get("issuer") or {}
    name = escape(str(achievement.get("name", "")))
    image = (achievement.get("image") or {}).get("id")
    parts = [f"<h1>{name}</h1>"]
    if image:
        parts.append(f'<img src="{escape(str(image))}" alt="{name}">')
    parts.append(f"<p>{escape(str(achievement.get('description', '')))}</p>")
    criteria = (achievement.get("criteria") or {}).get("narrative", "")
    parts.append(f"<h2>Criteria</h2><pre>{escape(str(criteria))}</pre>")
    if recipient_name:
        parts.append(f"<p>Awarded to <strong>{escape(recipient_name)}</strong></p>")
    issuer_name = escape(str(issuer.get("name", "")))
    if issuer.get("url"):
        issuer_name = f'<a href="{escape(str(issuer["url"]))}">{issuer_name}</a>'
    parts.append(
        f"<p>Issued by {issuer_name} on {escape(str(credential.get('validFrom', '')))}</p>"
    )
    if revoked_at is not None:
        parts.append(
            f'<p class="revoked" id="status">Revoked on {escape(revoked_at.date().isoformat())}</p>'
        )
    else:
        parts.append('<p class="valid" id="status">Not revoked</p>')
    url = escape(credential_url)
    parts.append(
        "<h2>Check it yourself</h2>"
        f'<p>The signed credential: <a href="{url}">{url}</a> (an Open Badges 3.0 '
        "<code>OpenBadgeCredential</code> with an <code>eddsa-rdfc-2022</code> Data Integrity "
        "proof and a Bitstring Status List entry). This page does not check the signature "
        "itself; any Open Badges 3.0 verifier can, for example:</p>"
        f"<pre>faust-badges ob verify {url}</pre>"
        "<p>The credential names its holder only by a salted hash of their email address: "
        "whoever knows the address can confirm it is theirs.</p>"
    )
    return _html(f"{name} — Open Badge", "".join(parts))


def _html(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )
