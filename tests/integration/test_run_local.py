"""``make run`` end to end: ``scripts/run_local.py --once`` starts its own broker and worker in a
temporary run dir, shows the demo badges, and leaves nothing running."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.integration.harness import free_port

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "run_local.py"

# examples/badges.yaml and samples.demo_events: learner i passes the first i courses
# (Py101, Py201, PyTest, Stats 2026, MLIntro), then demo-learner-3 fails Py101.
EXPECTED_BADGES = {
    *{("awarded", f"demo-learner-{i}", "First Course Passed") for i in range(1, 6)},
    *{("awarded", f"demo-learner-{i}", "Python Fundamentals") for i in range(3, 6)},
    ("revoked", "demo-learner-3", "Python Fundamentals"),
    ("awarded", "demo-learner-5", "Data Science Track"),
}


def badge_rows(output: str) -> set[tuple[str, str, str]]:
    """(status, learner, template) from the table the script prints."""
    rows = set()
    for line in output.splitlines():
        cells = re.split(r"\s{2,}", line.strip())  # columns are padded, names have single spaces
        if cells[0] in ("awarded", "revoked") and len(cells) == 4:
            rows.add((cells[0], cells[1], cells[2]))
    return rows


def leftover_processes(app_id: str, run_dir: Path) -> list[str]:
    """Live workers of this app id and brokers of this run dir (zombies have no cmdline)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = (proc / "environ").read_bytes().split(b"\0")
        except (OSError, ValueError):  # gone meanwhile, or not ours to read
            continue
        worker = "faust_badges.app" in cmdline and f"BADGES_APP_ID={app_id}".encode() in environ
        broker = "kafka.Kafka" in cmdline and str(run_dir) in cmdline
        if worker or broker:
            found.append(f"{proc.name}: {cmdline[:200]}")
    return found


def test_run_local_once_shows_the_demo_badges_and_stops_everything(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    app_id = f"run-local-{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        # Settings that would point the demo at other topics or another wire format.
        if not key.startswith(("BADGES_", "APP_", "WEB_", "TOPIC_", "BROKER_"))
    }
    env |= {"FAUST_BADGES_RUN_DIR": str(run_dir), "WEB_PORT": str(port), "BADGES_APP_ID": app_id}

    # Own session, so that a timed-out run can be stopped like an operator's Ctrl-C would.
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--once"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGTERM)  # run_local.py then stops its worker and broker
        output, _ = process.communicate(timeout=60)
        pytest.fail(f"run_local.py --once took over 120 s:\n{output}")

    assert process.returncode == 0, output
    assert badge_rows(output) == EXPECTED_BADGES, output
    assert f"http://127.0.0.1:{port}/health" in output, output
    assert f"http://127.0.0.1:{port}/badges/" in output, output
    assert leftover_processes(app_id, run_dir) == []
