"""Errors of the wire formats."""

from __future__ import annotations

from faust_badges.core.errors import BadgesError


class BadBody(BadgesError, ValueError):
    """A message value could not be decoded; ``reason`` is a short code for metrics."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
