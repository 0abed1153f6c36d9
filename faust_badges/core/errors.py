"""The root of the job's own errors.

Every error the job raises on purpose derives from ``BadgesError`` (and, where callers expect
it, from the matching built-in: ``ValueError``, ``LookupError``), so that a caller tells errors
apart by type, never by reading their messages. It lives in ``core/`` because every package may
import from there.
"""

from __future__ import annotations


class BadgesError(Exception):
    """An error of faust-badges itself (not of a library it uses)."""
