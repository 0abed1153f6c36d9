"""`faust-badges config apply|show` against the real broker."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
import yaml

from faust_badges.events.state_codecs import CONFIG_KEY
from tests.integration.harness import CLI, Deployment

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def cli(deployment: Deployment, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args], env=deployment.env(), capture_output=True, text=True, timeout=60
    )


def test_apply_then_show_round_trips_the_config(kafka: str, tmp_path: Path) -> None:
    deployment = Deployment(kafka, f"cli-{uuid.uuid4().hex[:6]}", tmp_path)
    assert "no config on" in cli(deployment, "config", "show").stderr

    applied = cli(deployment, "config", "apply", str(REPO / "examples/badges.yaml"))
    assert applied.returncode == 0, applied.stderr
    assert f"to {deployment.app_id}-config-changelog" in applied.stdout

    shown = cli(deployment, "config", "show")
    assert shown.returncode == 0, shown.stderr
    document = yaml.safe_load(shown.stdout)
    original = yaml.safe_load((REPO / "examples/badges.yaml").read_text())
    assert [t["id"] for t in document["templates"]] == [t["id"] for t in original["templates"]]
    assert document["templates"][3]["active"] is False


def test_a_bad_config_is_not_published(kafka: str, tmp_path: Path) -> None:
    deployment = Deployment(kafka, f"cli-{uuid.uuid4().hex[:6]}", tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("templates:\n  - id: x\n    name: X\n    requirements: []\n")
    result = cli(deployment, "config", "apply", str(bad))
    assert result.returncode == 1
    assert "templates[0].requirements: an active template needs at least one" in result.stderr
    records = deployment.read(deployment.settings.config_topic)
    assert [r for r in records if r.key == CONFIG_KEY] == []
