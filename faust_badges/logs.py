"""Structured log lines: ``event key=value ...``. Never pass learner PII or secrets here."""

from __future__ import annotations

import logging
from typing import Any


def _format(value: Any) -> str:
    text = str(value)
    return f'"{text}"' if (" " in text or "=" in text or not text) else text


def log_kv(logger: logging.Logger, level: int, what: str, /, **fields: Any) -> None:
    """Log one line: the event name, then key=value pairs in the order given."""
    if logger.isEnabledFor(level):
        pairs = " ".join(f"{key}={_format(value)}" for key, value in fields.items())
        logger.log(level, "%s %s", what, pairs)


def open_handlers_to(level: int) -> None:
    """Let records of ``level`` through the root handlers.

    Faust's worker (``-l info``) sets its handlers' own level as well as the root logger's, so a
    DEBUG record of ours (``LOG_LEVEL=debug`` lowers only the ``faust_badges`` logger) would
    pass its logger and then be dropped by the handler. Faust's own loggers keep the root
    logger's level, so only our records are added."""
    for handler in logging.getLogger().handlers:
        if handler.level > level:
            handler.setLevel(level)
