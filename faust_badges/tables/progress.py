"""The ``progress`` table: username -> LearnerProgress (per-template fulfilments and badges)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import faust

from faust_badges.core.progress import LearnerProgress
from faust_badges.events.state_codecs import PROGRESS_CODEC
from faust_badges.settings import PROGRESS_TABLE
from faust_badges.tables.keyed import JsonTable, declare_json_table


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
