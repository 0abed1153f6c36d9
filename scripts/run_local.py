#!/usr/bin/env python3
"""``make run``: the local faust-badges demo, from an empty machine to awarded badges.

Starts (or reuses) a single-node Kafka broker, applies examples/badges.yaml, starts one worker,
sends the demo events, prints the badges that came out, then keeps everything running until
Ctrl-C. Everything lives under ``$FAUST_BADGES_RUN_DIR`` (default ``<repo>/.run``).
Runs under the virtualenv's Python: the ``faust`` and ``faust-badges`` scripts sit beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

# local_kafka is a script, not a package; it must run before any virtualenv exists.
from local_kafka import DEFAULT_RUN_DIR, LocalKafka, LocalKafkaError, tail  # noqa: E402

from faust_badges.core.event_types import BADGE_AWARDED, BADGE_REVOKED  # noqa: E402
from faust_badges.kafka_io import Record, read_all  # noqa: E402
from faust_badges.samples import demo_events  # noqa: E402
from faust_badges.settings import InvalidSettings, Settings  # noqa: E402

BIN = Path(sys.executable).parent  # not resolved: a venv's python is a symlink
CONFIG_FILE = REPO / "examples" / "badges.yaml"
DEMO_LEARNERS = 5
DEFAULT_WEB_PORT = 6066


class Fatal(Exception):
    """Ends the demo with exit code 1 after one clear message."""


def say(step: str, message: str) -> None:
    print(f"{step:>7}  {message}", flush=True)


def shown(path: Path) -> str:
    """A path relative to the current directory when it is below it (shorter to read)."""
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def port_free(port: int, host: str) -> bool:
    with socket.socket() as sock:
        # As aiohttp binds: a port in TIME_WAIT is usable, a listening one is not.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def choose_port(requested: int | None, host: str) -> int:
    """The web port: the one asked for (which must be free), else 6066 or any free one."""
    if requested is not None:
        if not port_free(requested, host):
            raise Fatal(f"web port {requested} is in use: choose another with --port N")
        return requested
    if port_free(DEFAULT_WEB_PORT, host):
        return DEFAULT_WEB_PORT
    with socket.socket() as sock:
        sock.bind((host, 0))
        port = int(sock.getsockname()[1])
    say("web", f"port {DEFAULT_WEB_PORT} is in use, using {port} instead")
    return port


def http_get(port: int, path: str, token: str = "") -> str | None:
    """The body of the worker's 200 answer; None when it does not answer (yet) or refuses."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return str(response.read().decode())
    except (urllib.error.URLError, ConnectionError, TimeoutError):  # HTTPError is a URLError
        return None


def decisions_made(port: int, token: str) -> float:
    """How many learner events the worker has decided on so far (from /metrics)."""
    metrics = (http_get(port, "/metrics", token) or "").splitlines()
    return sum(float(m.rpartition(" ")[2]) for m in metrics if m.startswith("badges_decisions"))


def cluster_id(kafka_data: Path) -> str:
    """The id LocalKafka gave the broker's storage: new on every fresh start."""
    try:
        lines = (kafka_data / "meta.properties").read_text().splitlines()
    except OSError:
        return ""
    return next((line[11:] for line in lines if line.startswith("cluster.id=")), "")


def badge_records(bootstrap: str, topic: str) -> list[Record]:
    records = asyncio.run(read_all(bootstrap, topic))
    return [r for r in records if r.header("ce_type") in (BADGE_AWARDED, BADGE_REVOKED)]


def badge_row(record: Record) -> tuple[str, str, str, str]:
    """(status, username, template name, badge uuid) of a lifecycle record."""
    status = "awarded" if record.header("ce_type") == BADGE_AWARDED else "revoked"
    uuid = (record.key or b"").decode()
    try:
        badge = json.loads(record.value or b"")["badge"]
        return status, badge["user"]["pii"]["username"], badge["template"]["name"], uuid
    except (ValueError, KeyError, TypeError):  # e.g. BADGES_WIRE_FORMAT=avro
        return status, "?", "?", uuid


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    header = ("STATUS", "LEARNER", "TEMPLATE", "BADGE UUID")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        print(" " * 9 + "  ".join(cells).rstrip())


class LocalRun:
    """The broker and the worker of one demo run, and how to stop them."""

    def __init__(self, run_dir: Path, keep_kafka: bool) -> None:
        self.run_dir = run_dir
        self.kafka = LocalKafka(run_dir=run_dir / "kafka")
        self.keep_kafka = keep_kafka
        self.started_kafka = False
        self.worker: subprocess.Popen[bytes] | None = None
        self.worker_log = run_dir / "worker.log"

    def start_kafka(self) -> str:
        if (state := self.kafka.running()) is not None:
            say("kafka", f"reusing the broker already running at {state['bootstrap']}")
            self.kafka.port = int(str(state["bootstrap"]).rpartition(":")[2])
            return str(state["bootstrap"])
        if not (self.kafka.home / ".complete").exists():
            say("kafka", "fetching the Kafka jars with Maven (only once: it takes a minute or two)")
        self.kafka.fetch()
        say("kafka", "starting a local broker")
        bootstrap = self.kafka.start(timeout=90.0, stop_at_exit=not self.keep_kafka)
        self.started_kafka = True
        say("kafka", f"ready at {bootstrap} (log: {shown(self.kafka.log_file)})")
        return bootstrap

    def cli(self, env: dict[str, str], *args: str) -> str:
        """Run ``faust-badges ARGS``; its output, or Fatal with what it printed."""
        result = subprocess.run(
            [str(BIN / "faust-badges"), *args], env=env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise Fatal(f"`faust-badges {' '.join(args)}` failed:\n{result.stderr.rstrip()}")
        return result.stdout.strip()

    def start_worker(self, env: dict[str, str], port: int) -> None:
        if self.worker_log.exists():  # keep the previous run's log for comparison
            self.worker_log.replace(self.worker_log.with_suffix(".log.1"))
        with self.worker_log.open("wb") as log:
            # Own process group: Ctrl-C reaches this script only, which then stops the worker
            # cleanly (SIGTERM lets Faust commit offsets and close RocksDB).
            self.worker = subprocess.Popen(
                [str(BIN / "faust"), "-A", "faust_badges.app", "worker", "-l", "info"],
                env=env,
                cwd=self.run_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        say("worker", f"starting (log: {shown(self.worker_log)})")
        started = time.monotonic()
        while http_get(port, "/health") is None:
            self.check_worker()
            if time.monotonic() - started > 90:
                raise Fatal(f"the worker is not healthy after 90 s. {self.log_end()}")
            time.sleep(0.5)
        say("worker", f"healthy after {time.monotonic() - started:.0f} s")

    def check_worker(self) -> None:
        assert self.worker is not None
        if (code := self.worker.poll()) is not None:
            raise Fatal(f"the worker exited with code {code}. {self.log_end()}")

    def log_end(self) -> str:
        return f"The end of {shown(self.worker_log)}:\n{tail(self.worker_log, 40)}"

    def worker_datadir(self) -> Path:
        """The worker's RocksDB dir, emptied when the broker is not the one it was used with:
        a fresh broker has empty changelogs, and Faust refuses local state ahead of them."""
        datadir, marker = self.run_dir / "worker-data", self.run_dir / "worker-data.cluster"
        cluster = cluster_id(self.kafka.run_dir / "data")
        if datadir.exists() and (not marker.exists() or marker.read_text().strip() != cluster):
            say("worker", "new broker, so the worker starts from empty state")
            shutil.rmtree(datadir)
        marker.write_text(cluster + "\n")
        return datadir

    def wait_for_badges(
        self, bootstrap: str, topic: str, before: set[tuple[int, int]], decided: Callable[[], bool]
    ) -> list[Record]:
        """Badge events not in ``before``, once the worker has decided on the sent events and
        their count has not grown for 3 s (output is written just after a decision); max 60 s."""
        new: list[Record] = []
        started = stable_since = time.monotonic()
        while time.monotonic() - started < 60:
            time.sleep(0.5)
            self.check_worker()
            records = badge_records(bootstrap, topic)
            latest = [r for r in records if (r.partition, r.offset) not in before]
            if len(latest) != len(new):
                new, stable_since = latest, time.monotonic()
            if decided() and time.monotonic() - stable_since >= 3:
                break
        return new

    def stop(self) -> None:
        """Worker first (it needs the broker to shut down cleanly), then the broker."""
        if self.worker is not None and self.worker.poll() is None:
            say("worker", "stopping")
            os.killpg(self.worker.pid, signal.SIGTERM)
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                say("worker", "still running after 30 s: killing it")
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait()
        if self.stops_kafka:
            say("kafka", "stopping")
            self.kafka.stop()
        elif self.kafka.running():
            say("kafka", f"left running at {self.kafka.bootstrap_servers}; stop it with:")
            say("", self.kafka_stop_command)

    @property
    def stops_kafka(self) -> bool:
        """Only a broker this run started, unless asked to keep it (a reused one is someone's)."""
        return self.started_kafka and not self.keep_kafka

    @property
    def kafka_stop_command(self) -> str:
        if self.kafka.run_dir == DEFAULT_RUN_DIR:
            return "make kafka-stop"
        script = shown(REPO / "scripts" / "local_kafka.py")
        return f"{shown(Path(sys.executable))} {script} stop --run-dir {shown(self.kafka.run_dir)}"


def demo(run: LocalRun, args: argparse.Namespace) -> None:
    run.run_dir.mkdir(parents=True, exist_ok=True)
    bind = os.environ.get("WEB_BIND") or "127.0.0.1"  # a demo has no business on other hosts
    requested = args.port or os.environ.get("WEB_PORT") or None
    if requested is not None and not str(requested).isdigit():
        raise Fatal(f"WEB_PORT={requested} is not a port number")
    port = choose_port(int(requested) if requested else None, bind)  # before Kafka: fail fast
    bootstrap = run.start_kafka()
    token = os.environ.get("BADGES_OPS_TOKEN") or secrets.token_urlsafe(24)
    if not os.environ.get("BADGES_OPS_TOKEN"):
        say("token", f"BADGES_OPS_TOKEN={token}  (generated for this run)")
    env = {
        **os.environ,
        "BROKER_URL": f"kafka://{bootstrap}",
        "BADGES_APP_ID": os.environ.get("BADGES_APP_ID") or "faust-badges-local",
        "APP_DATADIR": str(run.worker_datadir()),
        "WEB_PORT": str(port),
        "WEB_BIND": bind,
        "BADGES_OPS_TOKEN": token,
        "TOPIC_PARTITIONS": "4",
    }
    try:
        settings = Settings.from_env(env)
    except InvalidSettings as exc:
        raise Fatal(str(exc)) from None
    config = shown(CONFIG_FILE)
    say("config", run.cli(env, "config", "validate", config))
    say("config", run.cli(env, "config", "apply", config))

    run.start_worker(env, port)
    topic = settings.lifecycle_topic
    before = {(r.partition, r.offset) for r in badge_records(bootstrap, topic)}
    # Taken before sending: the worker may decide on the first events before we look again.
    target = decisions_made(port, token) + sum(1 for _ in demo_events(DEMO_LEARNERS))
    say("events", run.cli(env, "produce-sample", "--learners", str(DEMO_LEARNERS)))
    say("badges", "waiting for the worker's badge events")
    new = run.wait_for_badges(
        bootstrap, topic, before, lambda: decisions_made(port, token) >= target
    )
    if new:
        say("badges", f"{len(new)} badge events on {topic}:")
        order = sorted(new, key=lambda r: (badge_row(r)[1], r.timestamp_ms, r.partition, r.offset))
        print_table([badge_row(r) for r in order])
    else:
        say("badges", "no new badges: the demo learners already have theirs (the broker and")
        say("", f"the worker state in {shown(run.run_dir)}/ are kept from an earlier run);")
        say("", f"to start afresh, stop the broker ({run.kafka_stop_command}) first")

    cli = shown(BIN / "faust-badges")
    print(
        f"""
  Worker log   {shown(run.worker_log)}
  Dashboard    http://127.0.0.1:{port}/badges/  (sign in with the ops token)
  Health       http://127.0.0.1:{port}/health
  Metrics      curl -H "Authorization: Bearer {token}" http://127.0.0.1:{port}/metrics
  Explain      BROKER_URL=kafka://{bootstrap} BADGES_APP_ID={settings.app_id} \\
                 {cli} explain demo-learner-1
  Kafka        {bootstrap} (log: {shown(run.kafka.log_file)})
  More events  BROKER_URL=kafka://{bootstrap} {cli} produce-sample
  New config   edit {config}, then:
               BROKER_URL=kafka://{bootstrap} BADGES_APP_ID={settings.app_id} \\
                 {cli} config apply {config}
""",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="stop everything after the demo")
    parser.add_argument("--keep-kafka", action="store_true", help="leave the broker running")
    parser.add_argument("--port", type=int, help="worker web port (default: 6066 or a free one)")
    args = parser.parse_args(argv)
    run_dir = Path(os.environ.get("FAUST_BADGES_RUN_DIR") or REPO / ".run").resolve()
    run = LocalRun(run_dir, keep_kafka=args.keep_kafka)

    def interrupt(signum: int, frame: object) -> NoReturn:
        raise KeyboardInterrupt  # SIGTERM ends the demo just like Ctrl-C

    signal.signal(signal.SIGTERM, interrupt)
    code = 0
    try:
        demo(run, args)
        if not args.once:
            what = "the worker and the broker" if run.stops_kafka else "the worker"
            print(f"  Running. Press Ctrl-C to stop {what}.", flush=True)
            while True:
                run.check_worker()
                time.sleep(1)
    except KeyboardInterrupt:
        print(flush=True)
    except (Fatal, LocalKafkaError) as exc:
        say("error", str(exc))
        code = 1
    finally:
        # A second Ctrl-C must not abandon a half-stopped worker or broker.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        run.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
