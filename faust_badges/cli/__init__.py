"""The ``faust-badges`` command (besides Faust's own ``faust -A faust_badges.app worker``)."""

from __future__ import annotations

import click

from faust_badges.cli.config_commands import config_group
from faust_badges.cli.explain_commands import explain_command
from faust_badges.cli.issuer_commands import issuer_group
from faust_badges.cli.ob_commands import ob_group
from faust_badges.cli.replay_commands import replay
from faust_badges.cli.sample_commands import produce_sample
from faust_badges.cli.sync_commands import sync_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Operate faust-badges: config, explain, replay, issuing, provider sync, samples, Open
    Badges (settings from the environment)."""


main.add_command(config_group)
main.add_command(issuer_group)
main.add_command(sync_group)
main.add_command(produce_sample)
main.add_command(explain_command)
main.add_command(replay)
main.add_command(ob_group)
