"""What the CLI commands share: settings from the environment, running coroutines, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import click

from faust_badges.settings import InvalidSettings, Settings

T = TypeVar("T")


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except InvalidSettings as exc:
        raise click.ClickException(str(exc)) from None


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a Kafka coroutine, turning a broker that cannot be reached into one clear line."""
    try:
        return asyncio.run(coroutine)
    except Exception as exc:  # aiokafka raises several types for an unreachable broker
        if type(exc).__name__ in {"KafkaConnectionError", "KafkaTimeoutError"}:
            raise click.ClickException(f"cannot reach Kafka: {exc}") from None
        raise
