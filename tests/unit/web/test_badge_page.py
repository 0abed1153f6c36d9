"""The badge page for people: what the credential says, whether it still holds, how to check it;
every value from the credential (or the recipient's name) is HTML-escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from faust_badges.web.badge_page import badge_page

URL = "https://badges.example.org/ob/credentials/b-1"


def credential(**achievement: Any) -> dict[str, Any]:
    return {
        "validFrom": "2026-03-01T12:30:15Z",
        "issuer": {"name": "Example University", "url": "https://example.org"},
        "credentialSubject": {
            "achievement": {
                "name": "Python Fundamentals",
                "description": "Passed the core courses",
                "criteria": {"narrative": "- Pass Python 101"},
                "image": {"id": "https://example.org/py.png"},
                **achievement,
            }
        },
    }


def test_the_page_shows_the_achievement_issuer_status_and_how_to_verify() -> None:
    page = badge_page(credential(), credential_url=URL)

    assert "<title>Python Fundamentals — Open Badge</title>" in page
    assert "<h1>Python Fundamentals</h1>" in page
    assert '<img src="https://example.org/py.png" alt="Python Fundamentals">' in page
    assert "<pre>- Pass Python 101</pre>" in page
    assert 'Issued by <a href="https://example.org">Example University</a>' in page
    assert "on 2026-03-01T12:30:15Z" in page
    assert '<p class="valid" id="status">Not revoked</p>' in page
    assert f'<a href="{URL}">{URL}</a>' in page and f"faust-badges ob verify {URL}" in page
    assert "Awarded to" not in page


def test_a_revoked_badge_says_when() -> None:
    page = badge_page(credential(), revoked_at=datetime(2026, 3, 5, 23, 59, tzinfo=UTC))

    assert '<p class="revoked" id="status">Revoked on 2026-03-05</p>' in page
    assert "Not revoked" not in page


def test_the_recipients_name_is_shown_when_given() -> None:
    assert "Awarded to <strong>Ada Lovelace</strong>" in badge_page(
        credential(), recipient_name="Ada Lovelace"
    )


def test_every_value_is_escaped() -> None:
    evil = '<script>alert("x")</script>'
    document = credential(
        name=evil,
        description=evil,
        criteria={"narrative": evil},
        image={"id": f'x" onerror="{evil}'},
    )
    document["issuer"] = {"name": evil, "url": f'javascript:"{evil}'}
    document["validFrom"] = evil

    page = badge_page(document, recipient_name=evil, credential_url=f'"{evil}')

    assert "<script>" not in page and 'onerror="' not in page
    assert page.count("&lt;script&gt;") >= 8


def test_a_credential_missing_its_parts_still_renders() -> None:
    page = badge_page({})

    assert "<h1></h1>" in page and "<img" not in page and "Not revoked" in page
