"""The ``issued`` table: badge uuid -> IssuedBadge (where the badge stands at its provider)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import faust

from faust_badges.core.issuing import IssuedBadge
from faust_badges.events.state_codecs import ISSUED_CODEC
from faust_badges.settings import ISSUED_TABLE
from faust_badges.tables.keyed import JsonTable, declare_json_table


def declare_issued_table(
    app: faust.App, partitions: int, store_options: Mapping[str, Any]
) -> JsonTable[IssuedBadge]:
    table = declare_json_table(
        app,
        ISSUED_TABLE,
        partitions,
        store_options,
        "Badges at their provider, keyed by badge uuid",
    )
    return JsonTable(table, ISSUED_CODEC)
