"""Learner names: split for Credly, and kept (with API keys) out of error messages."""

from __future__ import annotations

import re

MAX_DETAIL = 200  # characters of a provider's error text worth keeping
_EMAIL = re.compile(r"[^\s\"'<>(),;:@]+@[^\s\"'<>(),;:@]+")


def split_name(full_name: str) -> tuple[str, str]:
    """First word and the rest, for Credly: "Ada King Lovelace" -> ("Ada", "King Lovelace")."""
    words = full_name.split()
    if not words:
        return "", ""
    return words[0], " ".join(words[1:])


def scrub(text: str, *, secrets: tuple[str, ...], pii: tuple[str, ...]) -> str:
    """``text`` with secrets, the given learner details and any email replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    # Each value and each of its words (an echoed surname alone is still PII), longest first;
    # whole words only, so the name "Al" does not mangle "Already".
    terms = {term for value in pii for term in (value.strip(), *value.split()) if len(term) > 1}
    for term in sorted(terms, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", "***", text, flags=re.IGNORECASE)
    text = _EMAIL.sub("***", text)  # emails we did not send, e.g. echoed back by a proxy
    return text if len(text) <= MAX_DETAIL else text[:MAX_DETAIL] + "..."
