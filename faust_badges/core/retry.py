"""When to try a failed call again, and how long to wait first: the one rule for every HTTP
client of the job (the providers, through the issuer's retry topic, and the schema registry).

Pure: callers pass the status code and the ``Retry-After`` header's text, not a response.
"""

from __future__ import annotations

import math
import random


def is_transient_status(status: int) -> bool:
    """Whether an HTTP error answer may change if asked again later: 429 (slow down) and 5xx.
    Any other 4xx is the server's final word on that request."""
    return status == 429 or status >= 500


def parse_retry_after(value: str | None) -> float | None:
    """A ``Retry-After`` header in seconds; None when absent, an HTTP date or not a finite
    number (the caller's own backoff applies then)."""
    try:
        seconds = float(value or "")
    except ValueError:
        return None
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def backoff_delay(
    attempt: int,
    *,
    base_delay: float,
    max_delay: float,
    retry_after: float | None = None,
    jitter: float = 0.0,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1 is the first): ``base_delay``
    doubled per attempt, stretched by up to ``jitter`` (a fraction, drawn from ``rng``) so that
    clients failing together do not retry together; a server's ``retry_after`` wins when it
    asks for longer; never more than ``max_delay``. Without ``rng``, no jitter (one waiter)."""
    stretch = 1 + rng.uniform(0, jitter) if rng is not None else 1.0
    backoff = base_delay * 2 ** max(0, attempt - 1) * stretch
    return min(max_delay, max(backoff, retry_after or 0.0))
