"""A text progress bar for long CLI commands (stderr, redrawn in place)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """A text bar on stderr, redrawn in place every 1% or 0.2 s."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self._stream = stream or sys.stderr
        self._width = width
        self._total = self._done = self._drawn_percent = 0
        self._drawn_at = 0.0

    def start(self, total: int) -> None:
        self._total, self._done = total, 0
        self._draw()

    def advance(self, count: int = 1) -> None:
        self._done += count
        percent = self._done * 100 // max(self._total, 1)
        if percent > self._drawn_percent or time.monotonic() - self._drawn_at >= 0.2:
            self._draw()

    def finish(self) -> None:
        if self._drawn_percent < 100:
            self._draw()
        self._stream.write("\n")
        self._stream.flush()

    def _draw(self) -> None:
        share = self._done / self._total if self._total else 1.0
        filled = int(share * self._width)
        bar = "#" * filled + "." * (self._width - filled)
        self._stream.write(f"\r[{bar}] {share:4.0%} {self._done}/{self._total} messages")
        self._stream.flush()
        self._drawn_percent, self._drawn_at = int(share * 100), time.monotonic()
