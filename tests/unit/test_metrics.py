"""The Prometheus text rendering of the worker's metrics."""

from __future__ import annotations

from faust_badges.metrics import Counter, render


def test_counters_render_exactly_at_any_size() -> None:
    counter = Counter("badges_events_total", "events", ("outcome",))
    counter.inc(1_234_567, outcome="processed")
    counter.inc(0.5, outcome="half")
    text = render([counter])
    assert 'badges_events_total{outcome="processed"} 1234567\n' in text
    assert 'badges_events_total{outcome="half"} 0.5\n' in text
    assert "# TYPE badges_events_total counter" in text


def test_label_values_are_escaped() -> None:
    counter = Counter("c", "help", ("reason",))
    counter.inc(reason='bad "quote"\nline')
    assert 'c{reason="bad \\"quote\\"\\nline"} 1' in render([counter])
