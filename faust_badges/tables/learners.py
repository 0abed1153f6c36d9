"""The ``learners`` table: username -> LearnerRecord (id, email, name: PII, one view shows it).

Read only: the record now lives in the learner's ``progress`` record (one read and one write per
event instead of two). Kept so that learners last seen before that change still show, and as
the fallback the progress agent reads for them; to be dropped in a later release."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import faust

from faust_badges.core.learner import LearnerRecord
from faust_badges.events.state_codecs import LEARNER_CODEC
from faust_badges.settings import LEARNERS_TABLE
from faust_badges.tables.keyed import JsonTable, declare_json_table


def declare_learners_table(
    app: faust.App, partitions: int, store_options: Mapping[str, Any]
) -> JsonTable[LearnerRecord]:
    table = declare_json_table(
        app,
        LEARNERS_TABLE,
        partitions,
        store_options,
        "Learners as last seen in events, keyed by username",
    )
    return JsonTable(table, LEARNER_CODEC)
