"""Build the Faust app from settings: topics, tables, agents and views, wired in one place."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

import faust
from faust.types import TP, ConsumerT, TransportT
from mode.utils.objects import cached_property
from mode.utils.queues import FlowControlEvent

from faust_badges.agents.ingest import register_ingest_agent
from faust_badges.agents.issuer import register_issuer_agents
from faust_badges.agents.issuer_intake import register_issuer_intake
from faust_badges.agents.progress import register_progress_agent
from faust_badges.core.badges import app_namespace
from faust_badges.delivery.committed import CommittedOffsets
from faust_badges.delivery.faust_corrections import LedgerTransport, LiveFlowControl
from faust_badges.delivery.gate import ProcessingGate
from faust_badges.delivery.inbox import Inboxes
from faust_badges.delivery.ledger import ProcessedOffsets
from faust_badges.delivery.local_state import mark_clean, open_local_state
from faust_badges.delivery.producer import RECORD_BATCH_BYTES
from faust_badges.events.formats import WireFormats
from faust_badges.gc_tuning import tune_for_worker
from faust_badges.logs import log_kv, open_handlers_to
from faust_badges.metrics import Metrics
from faust_badges.providers.openbadges import OpenBadgesClient
from faust_badges.providers.pool import ProviderPool
from faust_badges.runtime import Runtime
from faust_badges.settings import Settings
from faust_badges.tables.config import LiveConfig, declare_config_table
from faust_badges.tables.issued import declare_issued_table
from faust_badges.tables.learners import declare_learners_table
from faust_badges.tables.openbadges import declare_openbadges_table
from faust_badges.tables.progress import declare_progress_table
from faust_badges.tables.restore import ChangelogRestore
from faust_badges.topics import create_missing_topics, declare_topics
from faust_badges.web.awards_view import register_awards_view
from faust_badges.web.badges_views import register_badges_views
from faust_badges.web.credly_webhook import register_credly_webhook
from faust_badges.web.dashboard import register_dashboard
from faust_badges.web.errors import json_errors
from faust_badges.web.health import register_health_view
from faust_badges.web.learner_view import register_learner_view
from faust_badges.web.metrics import register_metrics_view
from faust_badges.web.openbadges_views import register_openbadges_views
from faust_badges.web.templates_view import register_templates_view


class BadgesApp(faust.App):
    """The Faust app, with lifecycle steps of its own (the job's topics exist before anything
    consumes; local state is trusted only after a clean stop; agents stop taking events before
    Faust closes the tables; a rebalance waits for the events in hand) and the corrections of
    delivery/faust_corrections.py (flow control, committed offsets, a producer flush that waits)."""

    badges_settings: Settings
    processing_gate: ProcessingGate
    processed_offsets: ProcessedOffsets
    committed_offsets: CommittedOffsets
    inboxes: Inboxes
    wire_formats: WireFormats
    changelog_restore: ChangelogRestore
    provider_pool: ProviderPool
    _stopped_cleanly = False

    async def on_first_start(self) -> None:
        await super().on_first_start()  # creates the data and table directories
        tune_for_worker()  # start-up is done: what is alive now lives as long as the process
        open_handlers_to(logging.getLogger("faust_badges").getEffectiveLevel())
        # Before any table store opens: a store left by a crash may be ahead of its changelog.
        local_state = open_local_state(Path(self.conf.tabledir))
        log_kv(logger, logging.INFO, "local_state", tables=str(local_state))
        settings = self.badges_settings
        changelogs = {
            table.changelog_topic.get_topic_name(): table.partitions or settings.topic_partitions
            for table in self.tables.values()
        }
        created = await create_missing_topics(settings, changelogs)
        if created:
            log_kv(logger, logging.INFO, "topics_created", topics=",".join(created))

    async def _on_partitions_revoked(self, revoked: set[TP]) -> None:
        # Events of revoked partitions that were not started yet are left to the next owner.
        self.processed_offsets.revoke(revoked)
        self.inboxes.drop(revoked)
        await super()._on_partitions_revoked(revoked)

    async def _consumer_wait_empty(self, consumer: ConsumerT, recorder: Any) -> None:
        """During a rebalance, before Faust flushes the producer: let the events in hand finish,
        so that every record they write is in Kafka before another worker restores their
        partitions (a late write would land after the new owner's)."""
        limit = self.conf.broker_session_timeout * 0.5
        if not await self.processing_gate.wait_idle(limit):
            log_kv(logger, logging.WARNING, "rebalance_with_event_in_flight", waited=f"{limit}s")

    async def on_stop(self) -> None:
        try:
            await self.processing_gate.close()
            # Every record of every handled event acknowledged: the stores may be kept.
            await self.producer.flush()
            self._stopped_cleanly = True
        except Exception as exc:
            log_kv(logger, logging.ERROR, "unclean_stop", error=repr(exc))
        await super().on_stop()
        await self.committed_offsets.close()
        await self.wire_formats.close()
        await self.provider_pool.close()

    async def on_shutdown(self) -> None:
        await super().on_shutdown()
        deliveries = getattr(self.producer, "deliveries", None)
        if self._stopped_cleanly and (deliveries is None or not deliveries.failures):
            mark_clean(Path(self.conf.tabledir))
            log_kv(logger, logging.INFO, "clean_stop")

    @cached_property
    def flow_control(self) -> FlowControlEvent:
        return LiveFlowControl(loop=self.loop)

    def _new_transport(self) -> TransportT:
        return LedgerTransport(self.conf.broker_consumer, self)


logger = logging.getLogger(__name__)


def build_app(settings: Settings) -> faust.App:
    """A worker app for these settings (``faust -A faust_badges.app worker`` runs one)."""
    logging.getLogger("faust_badges").setLevel(settings.log_level.upper())
    app = BadgesApp(
        settings.app_id,
        broker=settings.broker_url,
        store=settings.store,
        datadir=str(settings.datadir) if settings.datadir else None,
        web_port=settings.web_port,
        web_bind=settings.web_bind,
        web_application_options={"middlewares": [json_errors]},
        web_host=settings.web_host or socket.gethostname(),  # Faust's own default
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication_factor,
        table_standby_replicas=settings.table_standby_replicas,
        broker_session_timeout=settings.broker_session_timeout,
        consumer_auto_offset_reset="earliest",
        producer_linger=settings.producer_linger_ms / 1000,
        # Record batches of up to 256 KiB (aiokafka's default is 16 KiB): the per-event path
        # sends whole batches (delivery/producer.py), and fewer, larger requests cost less.
        producer_max_batch_size=RECORD_BATCH_BYTES,
        # Waiting for in-flight events happens in BadgesApp.on_stop (the processing gate): Faust's
        # own wait would wait forever for the event the closed gate holds back, unacknowledged.
        stream_wait_empty=False,
        # Faust's built-in views are off: /table/ would serve PII, the others are not ops views.
        web_tables_enabled=False,
        web_router_enabled=False,
        web_graph_enabled=False,
        web_stats_enabled=False,
        web_metrics_enabled=False,
        autodiscover=False,
    )
    app.badges_settings = settings
    app.processing_gate = ProcessingGate()
    app.processed_offsets = ProcessedOffsets()
    app.committed_offsets = CommittedOffsets(app, settings.kafka_bootstrap)
    app.inboxes = Inboxes()
    app.wire_formats = WireFormats.from_settings(settings)
    app.provider_pool = ProviderPool(timeout=settings.provider_timeout)
    metrics = Metrics()
    live_config = LiveConfig(metrics)
    runtime = Runtime(
        app=app,
        settings=settings,
        namespace=app_namespace(settings.app_id),
        metrics=metrics,
        live_config=live_config,
        topics=declare_topics(app, settings),
        learners=declare_learners_table(app, settings.topic_partitions, settings.rocksdb_options),
        progress=declare_progress_table(app, settings.topic_partitions, settings.rocksdb_options),
        config_table=declare_config_table(app, live_config),
        formats=app.wire_formats,
        issued=declare_issued_table(app, settings.topic_partitions, settings.rocksdb_options),
        openbadges=declare_openbadges_table(
            app, settings.topic_partitions, settings.rocksdb_options
        ),
        providers=app.provider_pool,
        gate=app.processing_gate,
        processed=app.processed_offsets,
        committed=app.committed_offsets,
        inboxes=app.inboxes,
    )
    register_ingest_agent(runtime)
    register_progress_agent(runtime)
    app.changelog_restore = ChangelogRestore()
    for table in (runtime.learners, runtime.progress, runtime.issued, runtime.openbadges):
        app.changelog_restore.register(table.table)
    app.provider_pool.attach_openbadges(OpenBadgesClient(runtime.openbadges))
    register_issuer_intake(runtime)
    register_issuer_agents(runtime)
    register_health_view(runtime)
    register_metrics_view(runtime)
    register_credly_webhook(runtime)
    register_templates_view(runtime)
    register_learner_view(runtime)
    register_badges_views(runtime)
    register_awards_view(runtime)
    register_dashboard(runtime)
    register_openbadges_views(runtime)
    return app
