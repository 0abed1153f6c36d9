"""The badge config: a compacted topic read by every worker into a GlobalTable, and the compiled
form the agents use. A new document takes effect as soon as its changelog event arrives.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import faust
from faust.types import EventT

from faust_badges.core.config_checks import InvalidConfig, parse_config
from faust_badges.core.index import EMPTY_INDEX, ConfigIndex
from faust_badges.events.state_codecs import CONFIG_KEY
from faust_badges.logs import log_kv
from faust_badges.metrics import Metrics
from faust_badges.settings import CONFIG_TABLE

logger = logging.getLogger(__name__)


#: The one key of the config topic: the whole document is replaced at once.
class LiveConfig:
    """The current config, compiled once per document; agents call ``index()`` per event."""

    def __init__(self, metrics: Metrics) -> None:
        self._index = EMPTY_INDEX
        self._raw: bytes | None = None
        self._metrics = metrics

    def index(self) -> ConfigIndex:
        return self._index

    def load(self, raw: bytes | None) -> None:
        """Compile a document from the topic; a bad one is logged and the previous one kept."""
        if not raw or raw == self._raw:
            return
        try:
            config = parse_config(json.loads(raw))
        except (ValueError, InvalidConfig) as exc:
            self._metrics.config_loads.inc(result="rejected")
            first_line = str(exc).splitlines()[0]
            log_kv(
                logger,
                logging.ERROR,
                "config_rejected",
                keeping=self._index.revision,
                error=first_line,
            )
            return
        self._index = ConfigIndex.build(config)
        self._raw = raw
        self._metrics.config_loads.inc(result="loaded")
        log_kv(
            logger,
            logging.INFO,
            "config_loaded",
            revision=self._index.revision,
            templates=len(config.templates),
            active=sum(1 for t in config.templates if t.active),
        )

    async def on_changelog_event(self, event: EventT) -> None:
        if event.key == CONFIG_KEY:
            self.load(event.value)


def declare_config_table(app: faust.App, live: LiveConfig) -> Any:
    """The GlobalTable every worker holds in full (one partition; see Faust's GlobalTable notes).

    Its changelog, ``<app id>-config-changelog`` (compacted), is the config topic that
    ``faust-badges config apply`` writes to. Faust's assignor expects a GlobalTable's changelog
    to have its default name, so the name is not configurable.
    """
    table = app.GlobalTable(
        CONFIG_TABLE,
        key_type=bytes,
        value_type=bytes,
        partitions=1,
        # Faust keeps consuming an active-only changelog partition after recovery only when its
        # recovery buffer is 1: that is what delivers a new document to running workers.
        recovery_buffer_size=1,
        on_changelog_event=live.on_changelog_event,
        help="The badge config document (templates, requirements, penalties, providers)",
    )

    async def load_after_recovery() -> None:
        # A restart with local RocksDB data replays no changelog events: read the stored value.
        live.load(table.get(CONFIG_KEY))

    table.on_recover(load_after_recovery)
    return table
