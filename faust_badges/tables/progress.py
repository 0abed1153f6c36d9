"""The ``progress`` table: username -> LearnerProgress (per-template fulfilments and badges)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import faust
from pydantic import ValidationError

from faust_badges.core.progress import LearnerProgress
from faust_badges.tables.codecs import JsonStateCodec
from faust_badges.tables.keyed import JsonTable, declare_json_table


class ProgressCodec(JsonStateCodec[LearnerProgress]):
    """``LearnerProgress`` as JSON; also reads records written before ``recent_events`` was a
    mapping (a list of ``{"event_id", "template_ids"}``), which the next write replaces."""

    def __init__(self) -> None:
        super().__init__(LearnerProgress)

    def load(self, raw: bytes) -> LearnerProgress:
        try:
            return super().load(raw)
        except ValidationError:
            document = json.loads(raw)
            recent = document.get("recent_events") if isinstance(document, dict) else None
            if not isinstance(recent, list) or not all(_is_applied(item) for item in recent):
                raise
            document["recent_events"] = {item["event_id"]: item["template_ids"] for item in recent}
            return self._adapter.validate_python(document)


def _is_applied(item: Any) -> bool:
    return isinstance(item, dict) and "event_id" in item and "template_ids" in item


PROGRESS_TABLE = "progress"
PROGRESS_CODEC = ProgressCodec()


def declare_progress_table(
    app: faust.App, partitions: int, store_options: Mapping[str, Any]
) -> JsonTable[LearnerProgress]:
    table = declare_json_table(
        app,
        PROGRESS_TABLE,
        partitions,
        store_options,
        "Learner badge progress and badges, keyed by username",
    )
    return JsonTable(table, PROGRESS_CODEC)
