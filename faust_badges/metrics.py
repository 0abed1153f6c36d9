"""In-process counters and gauges, rendered in the Prometheus text format for ``/metrics``.

Deliberately tiny (no client library): a worker counts a handful of things, all labelled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

Labels = tuple[tuple[str, str], ...]


@dataclass
class Counter:
    name: str
    help: str
    label_names: tuple[str, ...] = ()
    values: dict[Labels, float] = field(default_factory=lambda: defaultdict(float))

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        self.values[tuple((k, labels[k]) for k in self.label_names)] += amount

    def get(self, **labels: str) -> float:
        return self.values.get(tuple((k, labels[k]) for k in self.label_names), 0.0)

    def samples(self) -> Iterable[tuple[Labels, float]]:
        return sorted(self.values.items())

    kind = "counter"


@dataclass
class Gauge:
    """A value read when scraped (e.g. consumer lag); ``kind="counter"`` for a total kept
    elsewhere and read the same way."""

    name: str
    help: str
    read: Callable[[], Iterable[tuple[Labels, float]]]
    kind: str = "gauge"

    def samples(self) -> Iterable[tuple[Labels, float]]:
        return self.read()


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    # Exact for counters of any size (``:g`` would print 1234567 as 1.23457e+06).
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def render(metrics: Iterable[Counter | Gauge]) -> str:
    """Prometheus exposition format 0.0.4."""
    lines: list[str] = []
    for metric in metrics:
        lines.append(f"# HELP {metric.name} {metric.help}")
        lines.append(f"# TYPE {metric.name} {metric.kind}")
        for labels, value in metric.samples():
            label_text = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
            suffix = f"{{{label_text}}}" if label_text else ""
            lines.append(f"{metric.name}{suffix} {_number(value)}")
    return "\n".join(lines) + "\n"


class Metrics:
    """The worker's metrics (one instance per app)."""

    def __init__(self) -> None:
        self.events = Counter(
            "badges_events_total",
            "Input messages by outcome (processed, skipped, dead_lettered) and reason",
            ("outcome", "reason"),
        )
        self.decisions = Counter(
            "badges_decisions_total",
            "Learner events by decision outcome (applied, no_match, duplicate)",
            ("outcome",),
        )
        self.batches = Counter(
            "badges_batches_total",
            "Batches of events handled, by agent (their mean size: events / batches)",
            ("agent",),
        )
        self.awards = Counter("badges_awarded_total", "Badges awarded", ("template",))
        self.revocations = Counter("badges_revoked_total", "Badges revoked", ("template",))
        self.issuer_calls = Counter(
            "badges_issuer_calls_total",
            "Provider calls by provider, call (issue, revoke) and result",
            ("provider", "call", "result"),
        )
        self.config_loads = Counter(
            "badges_config_loads_total", "Config documents loaded by result", ("result",)
        )
        self._gauges: list[Gauge] = []

    def add_gauge(self, gauge: Gauge) -> None:
        self._gauges.append(gauge)

    def all(self) -> list[Counter | Gauge]:
        counters: list[Counter | Gauge] = [
            self.events,
            self.decisions,
            self.batches,
            self.awards,
            self.revocations,
            self.issuer_calls,
            self.config_loads,
        ]
        return counters + list(self._gauges)

    def render(self) -> str:
        return render(self.all())
