"""Tutor projects with the faust-badges plugin, rendered by the real Tutor in its own venv.

Tutor 22 needs click>=8.4 and the worker pins click 8.3.3, so Tutor and the plugin live in
``.venv/tutor`` (``make setup`` builds it); these tests run its ``tutor`` command in a temporary
``TUTOR_ROOT`` and read what it rendered. No Docker engine is needed: ``docker`` is a stand-in
that records how Tutor called it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TUTOR_VENV = REPO / ".venv" / "tutor"
TUTOR = TUTOR_VENV / "bin" / "tutor"
# worker_settings.py imports nothing from Tutor: the tests read its tables from the source.
sys.path.insert(0, str(REPO / "tutor-plugin"))

FAKE_DOCKER = """#!/bin/sh
# Stand-in for docker: each call's arguments, NUL-separated, in a file of its own.
calls="$FAKE_DOCKER_CALLS"
count=$(ls "$calls" | wc -l)
for argument in "$@"; do printf '%s\\0' "$argument"; done > "$calls/$count"
case " $* " in *" --format json "*) echo "[]";; esac
"""


@dataclass
class TutorProject:
    """One ``TUTOR_ROOT`` with the plugin enabled, and ways to read what Tutor rendered there."""

    root: Path
    environ: dict[str, str]
    docker_calls: Path
    token: str = field(default="", init=False)

    def tutor(self, *arguments: str) -> str:
        done = subprocess.run(
            [str(TUTOR), *arguments],
            env=self.environ,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"tutor {arguments} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def text(self, relative: str) -> str:
        return (self.root / "env" / relative).read_text(encoding="utf-8")

    def documents(self, relative: str) -> list[dict[str, Any]]:
        return [doc for doc in yaml.safe_load_all(self.text(relative)) if doc]

    def config(self) -> dict[str, Any]:
        return yaml.safe_load((self.root / "config.yml").read_text(encoding="utf-8"))

    def services(self, relative: str = "local/docker-compose.yml") -> dict[str, Any]:
        return self.documents(relative)[0]["services"]

    def k8s_resources(self) -> list[dict[str, Any]]:
        """Every resource Tutor renders for ``tutor k8s``, the plugin's own files included."""
        resources: list[dict[str, Any]] = []
        for path in sorted((self.root / "env" / "k8s").glob("*.yml")):
            resources += self.documents(f"k8s/{path.name}")
        for entry in self.documents("kustomization.yml")[0]["resources"]:
            if entry.startswith("plugins/"):
                resources += self.documents(entry)
        return resources

    def k8s(self, kind: str, name: str) -> dict[str, Any]:
        found = [
            r for r in self.k8s_resources() if r["kind"] == kind and r["metadata"]["name"] == name
        ]
        assert len(found) == 1, f"{len(found)} {kind} named {name}"
        return found[0]

    def docker_runs(self) -> list[list[str]]:
        """The ``docker compose ... run`` calls Tutor made, in order."""
        calls = sorted(self.docker_calls.iterdir(), key=lambda path: int(path.name))
        argvs = [path.read_text(encoding="utf-8").split("\0")[:-1] for path in calls]
        return [argv for argv in argvs if "run" in argv]


@pytest.fixture(scope="session")
def tutor_available() -> None:
    if not TUTOR.exists():
        pytest.fail(f"no Tutor at {TUTOR}: run `make setup` (or `make tutor-env`) first")


@pytest.fixture(scope="session")
def new_project(
    tmp_path_factory: pytest.TempPathFactory, tutor_available: None
) -> Callable[[], TutorProject]:
    """Make a Tutor project in a temporary root with the plugin enabled (env rendered)."""

    def make() -> TutorProject:
        base = tmp_path_factory.mktemp("tutor")
        (base / "plugins").mkdir()
        (base / "docker-calls").mkdir()
        (base / "bin").mkdir()
        docker = base / "bin" / "docker"
        docker.write_text(FAKE_DOCKER, encoding="utf-8")
        docker.chmod(0o755)
        # Nothing from the caller's own Tutor setup: TUTOR_* variables override config values.
        environ = {name: value for name, value in os.environ.items() if "TUTOR" not in name}
        environ |= {
            "TUTOR_ROOT": str(base / "root"),
            "TUTOR_PLUGINS_ROOT": str(base / "plugins"),
            "FAKE_DOCKER_CALLS": str(base / "docker-calls"),
            "PATH": f"{base / 'bin'}{os.pathsep}{environ.get('PATH', '')}",
        }
        project = TutorProject(base / "root", environ, base / "docker-calls")
        project.tutor("plugins", "enable", "faust-badges")
        project.tutor("config", "save")  # as `launch` does: generates the unique values
        project.token = project.config()["FAUST_BADGES_OPS_TOKEN"]
        return project

    return make


@pytest.fixture(scope="session")
def default_project(new_project: Callable[[], TutorProject]) -> Iterator[TutorProject]:
    """A project with every setting at its default (read-only for the tests that share it)."""
    yield new_project()
