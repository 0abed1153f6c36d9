"""``faust-badges config validate|apply|show``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from faust_badges.cli.common import load_settings, run
from faust_badges.config_file import ConfigFileError, dump_config_yaml, load_config_file
from faust_badges.config_topic import publish_config, read_config_document
from faust_badges.core.config import BadgeConfig
from faust_badges.core.index import config_revision

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("config")
def config_group() -> None:
    """Check, publish and show the badge configuration."""


def _load_or_exit(path: Path) -> BadgeConfig:
    try:
        return load_config_file(path)
    except ConfigFileError as exc:
        for line in exc.lines():
            click.echo(line, err=True)
        raise click.ClickException(
            f"{len(exc.errors)} error(s): the config was not accepted"
        ) from None


def _summary(config: BadgeConfig) -> str:
    active = sum(1 for t in config.templates if t.active)
    return (
        f"{len(config.templates)} templates ({active} active), revision {config_revision(config)}"
    )


@config_group.command("validate")
@click.argument("file", type=_FILE)
def validate(file: Path) -> None:
    """Check FILE offline and print every error with its location."""
    config = _load_or_exit(file)
    click.echo(f"{file}: valid, {_summary(config)}")


@config_group.command("apply")
@click.argument("file", type=_FILE)
def apply(file: Path) -> None:
    """Validate FILE and publish it to the config topic; running workers pick it up."""
    config = _load_or_exit(file)
    settings = load_settings()
    run(publish_config(settings, config))
    click.echo(f"applied {file} to {settings.config_topic}: {_summary(config)}")


@config_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of YAML.")
def show(as_json: bool) -> None:
    """Print the config the workers currently use (the latest on the config topic)."""
    settings = load_settings()
    document = run(read_config_document(settings))
    if document is None:
        raise click.ClickException(
            f"no config on {settings.config_topic}: "
            "publish one with `faust-badges config apply FILE`"
        )
    click.echo(json.dumps(document, indent=2) if as_json else dump_config_yaml(document), nl=False)
