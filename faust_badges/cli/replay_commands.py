"""``faust-badges replay --since ISO_TIME``: re-run a time range of input through the job.

The range is copied, original key, value, headers and timestamp, to the ``<app>-replay`` topic
that the ingest agent consumes beside the input topics, so the LMS's own topics are never
written. Only what the job would accept is copied: a replay never adds dead letters. Replaying
is safe because the job is idempotent: ``decide`` applies an event id to a template once, and
learner records keep the newest data by event time.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import click
from aiokafka import AIOKafkaProducer, TopicPartition

from faust_badges.cli.common import load_settings, run
from faust_badges.cli.explain_commands import current_index
from faust_badges.cli.progress import ProgressBar
from faust_badges.core.errors import BadgesError
from faust_badges.core.index import ConfigIndex
from faust_badges.events.cloudevents import header_map
from faust_badges.events.formats import WireFormats
from faust_badges.events.inbound import Accepted, Skipped, decode_inbound
from faust_badges.kafka_io import ensure_topics, topic_partitions
from faust_badges.kafka_scan import Ranges, reader, scan, time_ranges
from faust_badges.settings import Settings


class IsoTime(click.ParamType):
    """An ISO 8601 time; without a time zone it is UTC."""

    name = "ISO_TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time, e.g. 2026-03-01T09:00:00Z", param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class TopicSummary:
    topic: str
    read: int = 0
    copied: int = 0
    skipped: int = 0  # event types not configured
    dead_letters: Counter[str] = field(default_factory=Counter)  # reason -> messages not copied
    first_ms: int | None = None
    last_ms: int | None = None

    def saw(self, timestamp_ms: int) -> None:
        self.read += 1
        self.first_ms = timestamp_ms if self.first_ms is None else min(self.first_ms, timestamp_ms)
        self.last_ms = timestamp_ms if self.last_ms is None else max(self.last_ms, timestamp_ms)


class UnknownTopic(BadgesError, LookupError):
    """An input topic named for a replay is not on the broker."""


@click.command("replay")
@click.option("--since", required=True, type=IsoTime(), help="Start of the range (Kafka time).")
@click.option("--until", type=IsoTime(), default=None, help="End of the range (default: now).")
@click.option(
    "--topic",
    "topics",
    multiple=True,
    help="Input topic to replay (repeatable; default: every configured input topic).",
)
def replay(since: datetime, until: datetime | None, topics: tuple[str, ...]) -> None:
    """Re-run the input of a time range through the job, against the current config."""
    settings = load_settings()
    until = until or datetime.now(UTC)
    if until <= since:
        raise click.BadParameter("must be later than --since", param_hint="'--until'")
    chosen = topics or settings.input_topics
    if settings.replay_topic in chosen:
        raise click.BadParameter(
            f"{settings.replay_topic} is where replay writes; name an input topic",
            param_hint="'--topic'",
        )
    index = current_index(settings)
    try:
        summaries = run(replay_range(settings, index, chosen, since, until, ProgressBar()))
    except (UnknownTopic, TimeoutError) as exc:
        raise click.ClickException(str(exc)) from None
    for line in summary_lines(settings, index, since, until, summaries):
        click.echo(line)


async def replay_range(
    settings: Settings,
    index: ConfigIndex,
    topics: Sequence[str],
    since: datetime,
    until: datetime,
    progress: ProgressBar,
) -> list[TopicSummary]:
    """Copy what the job would accept from each topic's ``[since, until)`` to the replay topic."""
    bootstrap = settings.kafka_bootstrap
    # The worker creates it too; a replay before the first start of this version must not fail.
    await ensure_topics(
        bootstrap,
        {settings.replay_topic: settings.topic_partitions},
        replication=settings.topic_replication_factor,
    )
    copier = _Copier(settings, index, progress)
    await copier.start()
    try:
        ranges = {topic: await copier.offset_range(topic, since, until) for topic in topics}
        progress.start(sum(end - first for r in ranges.values() for first, end in r.values()))
        summaries = [
            await copier.copy(topic, topic_ranges) for topic, topic_ranges in ranges.items()
        ]
        progress.finish()
        return summaries
    finally:
        await copier.stop()


class _Copier:
    """Reads offset ranges of input topics and sends what the job would accept to the replay
    topic, decoding each message exactly as the ingest agent does."""

    def __init__(self, settings: Settings, index: ConfigIndex, progress: ProgressBar) -> None:
        self.settings, self.index, self.progress = settings, index, progress
        self.formats = WireFormats.from_settings(settings)
        bootstrap = settings.kafka_bootstrap
        self.consumer = reader(bootstrap)
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)

    async def start(self) -> None:
        await self.consumer.start()
        await self.producer.start()

    async def stop(self) -> None:
        await self.producer.stop()
        await self.consumer.stop()
        await self.formats.close()

    async def offset_range(self, topic: str, since: datetime, until: datetime) -> Ranges:
        """Each partition's offsets from the first message at or after ``since`` to the first
        at or after ``until`` (or to the end offset now, when there is none)."""
        partitions = await topic_partitions(self.settings.kafka_bootstrap, topic)
        if not partitions:
            raise UnknownTopic(f"no topic {topic!r} on the broker")
        tps = [TopicPartition(topic, p) for p in partitions]
        return await time_ranges(self.consumer, tps, since, until)

    async def copy(self, topic: str, ranges: Ranges, stall_timeout: float = 15.0) -> TopicSummary:
        """Read the ranges, send what the job would accept, wait until Kafka has it all."""
        summary = TopicSummary(topic)
        pending: list[asyncio.Future[Any]] = []
        async for message in scan(self.consumer, ranges, stall_timeout=stall_timeout):
            sent = await self._copy_one(message, summary)
            if sent is not None:
                pending.append(sent)
            self.progress.advance()
            if len(pending) >= 1000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        return summary

    async def _copy_one(self, message: Any, summary: TopicSummary) -> asyncio.Future[Any] | None:
        summary.saw(message.timestamp)
        result = await decode_inbound(
            message.value,
            header_map(message.headers),
            self.index,
            kafka_time=datetime.fromtimestamp(message.timestamp / 1000, UTC),
            decoders=self.formats.decoders,
        )
        if isinstance(result, Skipped):
            summary.skipped += 1
            return None
        if not isinstance(result, Accepted):
            summary.dead_letters[result.reason] += 1
            return None
        summary.copied += 1
        # The original timestamp too: it is the event time of an event without ce_time.
        sent: asyncio.Future[Any] = await self.producer.send(
            self.settings.replay_topic,
            key=message.key,
            value=message.value,
            headers=list(message.headers or ()),
            timestamp_ms=message.timestamp,
        )
        return sent


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _time(timestamp_ms: int | None) -> str:
    if timestamp_ms is None:
        return "-"
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC).isoformat(timespec="seconds")


def summary_lines(
    settings: Settings,
    index: ConfigIndex,
    since: datetime,
    until: datetime,
    summaries: list[TopicSummary],
) -> list[str]:
    """What was read, copied and left out, per topic, and what a replay can change."""
    width = max([len("topic"), *(len(s.topic) for s in summaries)])
    lines = [
        f"replayed into {settings.replay_topic}, against config revision {index.revision}",
        f"range (Kafka timestamps): {_time(_ms(since))} .. {_time(_ms(until))}",
        "",
        f"{'topic':<{width}} {'read':>8} {'copied':>8} {'skipped':>8} {'dead':>8}"
        "  first .. last message",
    ]
    for s in summaries:
        dead = sum(s.dead_letters.values())
        times = f"{_time(s.first_ms)} .. {_time(s.last_ms)}" if s.read else "-"
        lines.append(
            f"{s.topic:<{width}} {s.read:>8} {s.copied:>8} {s.skipped:>8} {dead:>8}  {times}"
        )
        if dead:
            reasons = ", ".join(f"{r} {n}" for r, n in sorted(s.dead_letters.items()))
            lines.append(f"  not copied, would be dead letters: {reasons}")
    notes = (
        "skipped: event types the config does not process; dead: bad input the job would "
        "dead-letter. Neither is copied, so a replay adds no dead letters.",
        "The job deduplicates by event id and template: an event already applied to a template "
        "changes nothing there; templates added since take it now.",
    )
    lines.append("")
    for note in notes:
        lines.extend(textwrap.wrap(note, width=100))
    return lines
