"""``GET /badges/awards/?since=ISO_TIME``: badges awarded and revoked over time, for a chart.

Read from the lifecycle topic itself (this deployment's events only), so every worker gives the
same answer, whatever partitions it holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from faust import web

from faust_badges.core.event_types import BADGE_AWARDED, BADGE_REVOKED
from faust_badges.kafka_io import Record, read_since
from faust_badges.runtime import Runtime
from faust_badges.web.auth import protected
from faust_badges.web.responses import error

DEFAULT_RANGE = timedelta(days=7)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_STATUS = {BADGE_AWARDED: "awarded", BADGE_REVOKED: "revoked"}


def register_awards_view(runtime: Runtime) -> None:
    @runtime.app.page("/badges/awards/")
    @protected(runtime.settings)
    async def awards(view: web.View, request: web.Request) -> web.Response:
        now = datetime.now(UTC)
        raw = request.query.get("since")
        try:
            since = datetime.fromisoformat(raw) if raw else now - DEFAULT_RANGE
        except ValueError:
            return view.json(error("since must be an ISO 8601 time", "since"), status=400)
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        # Kafka has no time before the epoch (asking it for one is an error): from there on
        # is every record, as asked.
        since = max(since, EPOCH)
        records = await read_since(
            runtime.settings.kafka_bootstrap, runtime.settings.lifecycle_topic, since
        )
        return view.json(award_buckets(records, runtime.event_source, since, now))


def award_buckets(
    records: Iterable[Record], source: str, since: datetime, now: datetime
) -> dict[str, Any]:
    """Awarded and revoked counts of this deployment's badge events (``ce_source``), per hour
    for a range of up to three days, else per day, by Kafka time; empty buckets left out."""
    hourly = now - since <= timedelta(days=3)
    counts: Counter[tuple[datetime, str]] = Counter()
    for record in records:
        status = _STATUS.get(record.header("ce_type") or "")
        if status is None or record.header("ce_source") != source:
            continue
        moment = datetime.fromtimestamp(record.timestamp_ms / 1000, UTC)
        start = moment.replace(minute=0, second=0, microsecond=0)
        counts[(start if hourly else start.replace(hour=0), status)] += 1
    starts = sorted({start for start, _ in counts})
    return {
        "since": since.isoformat(),
        "bucket": "hour" if hourly else "day",
        "buckets": [
            {
                "start": s.isoformat(),
                "awarded": counts[(s, "awarded")],
                "revoked": counts[(s, "revoked")],
            }
            for s in starts
        ],
    }
