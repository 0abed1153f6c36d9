"""``faust-badges produce-sample``: example events for demos."""

from __future__ import annotations

import click

from faust_badges.cli.common import load_settings, run
from faust_badges.kafka_io import produce
from faust_badges.samples import demo_events


@click.command("produce-sample")
@click.option("--learners", default=5, show_default=True, help="How many demo learners.")
@click.option("--topic", default=None, help="Input topic (default: the first configured one).")
def produce_sample(learners: int, topic: str | None) -> None:
    """Send example course passing events that earn badges of examples/badges.yaml."""
    settings = load_settings()
    target = topic or settings.input_topics[0]
    sent = run(produce(settings.kafka_bootstrap, target, demo_events(learners)))
    click.echo(f"sent {sent} example events to {target}")
