"""Session fixtures: one real Kafka broker (KRaft, 127.0.0.1) for the whole test session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from local_kafka import LocalKafka  # noqa: E402  (a script, not a package)


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap address of a real broker started from the project's cached Kafka jars."""
    broker = LocalKafka(run_dir=tmp_path_factory.mktemp("kafka"))
    broker.fetch()
    broker.start(timeout=90.0)
    try:
        yield broker.bootstrap_servers
    finally:
        broker.stop()
