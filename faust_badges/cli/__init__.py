"""The ``faust-badges`` command (besides Faust's own ``faust -A faust_badges.app worker``)."""

from __future__ import annotations

import click

from faust_badges.cli.config_commands import config_group
from faust_badges.cli.sample_commands import produce_sample


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Operate faust-badges: badge config, sample events (settings come from the environment)."""


main.add_command(config_group)
main.add_command(produce_sample)
