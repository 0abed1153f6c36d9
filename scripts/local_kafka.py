#!/usr/bin/env python3
"""Fetch and run a real single-node Apache Kafka broker (KRaft mode) on 127.0.0.1.

The broker jars come from Maven Central (via scripts/kafka/pom.xml) and are cached once under
``$FAUST_BADGES_CACHE`` (default ``<repo>/.cache``). No Docker, no Kafka tarball: only ``java``
(17+) and ``mvn`` are needed. Stdlib only, so it runs before any virtualenv exists.

CLI:    python scripts/local_kafka.py fetch|start|stop|status [--run-dir D] [--port N]
Python: with LocalKafka(run_dir=tmp) as kafka: use(kafka.bootstrap_servers)
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections import deque
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
KAFKA_DIR = REPO / "scripts" / "kafka"
POM = KAFKA_DIR / "pom.xml"
LOG4J_CONFIG = KAFKA_DIR / "log4j2.properties"
DEFAULT_RUN_DIR = REPO / ".run" / "kafka"
STARTED_MARKER = "Kafka Server started"  # logged at INFO by kafka.server.KafkaRaftServer
JVM_OPTS = ["-Xms256m", "-Xmx768m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20"]
JVM_OPTS += ["-Djava.awt.headless=true"]


class LocalKafkaError(RuntimeError):
    """Anything that keeps the local broker from being fetched, started or stopped."""


def default_cache_dir() -> Path:
    return Path(os.environ.get("FAUST_BADGES_CACHE") or REPO / ".cache")


def kafka_version() -> str:
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    version = ET.parse(POM).getroot().findtext("m:properties/m:kafka.version", namespaces=ns)
    if not version:
        raise LocalKafkaError(f"no <kafka.version> property in {POM}")
    return version.strip()


def _tool(name: str, why: str) -> str:
    """Full path of a required executable, or one clear line explaining what is missing."""
    path = shutil.which(name)
    if path is None:
        raise LocalKafkaError(f"{why}, but `{name}` is not on PATH")
    return path


def _java() -> str:
    java = _tool("java", "Java 17+ is needed to run the Kafka broker")
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)', out)
    # Kafka 4.x brokers refuse to run on anything older than Java 17.
    if match and int(match.group(1)) < 17:
        raise LocalKafkaError(
            f"Java 17+ is needed to run the Kafka broker, but {java} is Java {match.group(1)}"
        )
    return java


def _free_port() -> int:
    # Racy in theory (the port could be taken before the broker binds), fine for local use.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


def _alive(pgid: int) -> bool:
    """Whether the broker's process group (just the JVM) still has a live process."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, but belongs to someone else
        return True
    # A broker started by another process is reaped by init, which may take seconds (or never,
    # in containers without an init): a zombie counts as stopped.
    with contextlib.suppress(OSError, IndexError):
        return Path(f"/proc/{pgid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file, for error messages."""
    try:
        with path.open(errors="replace") as f:
            return "".join(deque(f, maxlen=lines)).rstrip()
    except OSError:
        return f"({path} does not exist)"


def _cluster_id() -> str:
    # Same format as `StorageTool random-uuid` (base64url, no padding) without paying for a JVM.
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):  # Kafka rejects ids that look like command-line flags
            return cid


class LocalKafka:
    """A single-node KRaft broker: ``fetch()`` the jars, ``start()``, ``stop()``."""

    def __init__(
        self, run_dir: Path | None = None, cache_dir: Path | None = None, port: int | None = None
    ) -> None:
        self.run_dir = Path(run_dir or DEFAULT_RUN_DIR).resolve()
        self.cache_dir = Path(cache_dir or default_cache_dir()).resolve()
        self.port = port
        self.version = kafka_version()
        self.home = self.cache_dir / f"kafka-{self.version}"
        self.libs = self.home / "libs"
        self.state_file = self.run_dir / "broker.json"
        self.log_file = self.run_dir / "broker.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._atexit_registered = False

    @property
    def bootstrap_servers(self) -> str:
        if self.port is None:
            raise LocalKafkaError("broker not started")
        return f"127.0.0.1:{self.port}"

    def fetch(self) -> Path:
        """Copy the broker jars into the cache once; instant when already there."""
        marker = self.home / ".complete"
        # The marker holds the pom's hash, so editing the pom (same Kafka version) refetches.
        want = hashlib.sha256(POM.read_bytes()).hexdigest()
        if marker.exists() and marker.read_text().strip() == want:
            return self.libs
        mvn = _tool("mvn", "Maven is needed to fetch the Kafka broker jars")
        self.home.mkdir(parents=True, exist_ok=True)
        # Lock so parallel callers (make + pytest, xdist workers) don't copy over each other.
        with (self.home / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if marker.exists() and marker.read_text().strip() == want:
                return self.libs
            marker.unlink(missing_ok=True)
            tmp = self.home / "libs.partial"
            shutil.rmtree(tmp, ignore_errors=True)
            goal = [
                "dependency:copy-dependencies",
                f"-DoutputDirectory={tmp}",
                "-DincludeScope=runtime",
            ]
            cmd = [mvn, "-B", "-q", "-f", str(POM), *goal]
            print(f"local_kafka: fetching Kafka {self.version} jars", file=sys.stderr)
            res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if res.returncode != 0 or not any(tmp.glob("kafka_*.jar")):
                tail = "\n".join(res.stdout.strip().splitlines()[-30:])
                raise LocalKafkaError(
                    f"Maven failed to fetch Kafka (exit {res.returncode}):\n{tail}"
                )
            shutil.rmtree(self.libs, ignore_errors=True)
            tmp.rename(self.libs)
            marker.write_text(want + "\n")  # last: only a complete copy counts
        return self.libs

    def running(self) -> dict[str, Any] | None:
        """The broker.json of a live broker in run_dir (from any process), else None."""
        try:
            state: dict[str, Any] = json.loads(self.state_file.read_text())
            pid = int(state["pid"])
        except (OSError, ValueError, KeyError, TypeError):  # missing or half-written
            return None
        if not _alive(pid):
            return None
        # Guard against a recycled pid: on Linux, check it is really a Kafka broker.
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists() and b"kafka.Kafka" not in cmdline.read_bytes():
            return None
        return state

    def start(
        self, timeout: float = 60.0, stop_at_exit: bool = True, keep_data: bool = False
    ) -> str:
        """Format fresh storage, launch the broker and wait until it serves; returns bootstrap.

        ``keep_data``: start again on the storage and ports of the previous start in run_dir, as
        a broker that was stopped and comes back (clients reconnect to the same address).
        """
        if self._proc is not None and self._proc.poll() is None:
            return self.bootstrap_servers
        if (other := self.running()) is not None:
            raise LocalKafkaError(
                f"a broker is already running in {self.run_dir} "
                f"(pid {other['pid']}, {other['bootstrap']}); stop it first"
            )
        java = _java()
        classpath = f"{self.fetch()}/*"
        props = self.run_dir / "server.properties"
        data = self.run_dir / "data"
        if keep_data and (self.port is None or not props.exists() or not data.is_dir()):
            raise LocalKafkaError(f"no stopped broker to start again in {self.run_dir}")
        if self.port is not None and _port_open(self.port):
            raise LocalKafkaError(f"port {self.port} on 127.0.0.1 is already in use")
        self.port = self.port or _free_port()
        if self.log_file.exists():  # keep one old log; also stops us from reading a stale marker
            self.log_file.replace(self.run_dir / "broker.log.1")
        if not keep_data:
            self._format(java, classpath, props, data)

        # kafka.logs.dir is where log4j2.properties puts broker.log.
        jvm = [
            *JVM_OPTS,
            f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
            f"-Dkafka.logs.dir={self.run_dir}",
        ]
        cmd = [java, *jvm, "-cp", classpath, "kafka.Kafka", str(props)]
        with (self.run_dir / "broker.out").open("wb") as out:
            # Own session/process group: Ctrl-C in the caller's terminal doesn't hit the broker,
            # and stop() can signal the whole group.
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True
            )
        if stop_at_exit and not self._atexit_registered:
            atexit.register(self.stop)  # a crashed test session must not leave a broker behind
            self._atexit_registered = True
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        state = {
            "bootstrap": self.bootstrap_servers,
            "pid": self._proc.pid,
            "log": str(self.log_file),
        }
        self.state_file.write_text(json.dumps(state, indent=2) + "\n")
        return self.bootstrap_servers

    def _format(self, java: str, classpath: str, props: Path, data: Path) -> None:
        """Fresh data on every start: tests want an empty cluster, and ports change between runs."""
        cport = _free_port()
        while cport == self.port:
            cport = _free_port()
        shutil.rmtree(data, ignore_errors=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        props.write_text(self._server_properties(cport, data))
        fmt = ["kafka.tools.StorageTool", "format", "-t", _cluster_id(), "-c", str(props)]
        res = subprocess.run([java, "-cp", classpath, *fmt], capture_output=True, text=True)
        if res.returncode != 0:
            raise LocalKafkaError(f"formatting Kafka storage failed:\n{res.stdout}{res.stderr}")

    def _wait_ready(self, timeout: float) -> None:
        # Require both: the log line means startup (metadata catch-up, coordinators) is done, and
        # the TCP check proves the PLAINTEXT listener really accepts connections.
        assert self._proc is not None and self.port is not None
        deadline = time.monotonic() + timeout
        logged = False
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise LocalKafkaError(
                    f"Kafka broker exited with code {self._proc.returncode}:\n{self._log_tail()}"
                )
            if not logged and self.log_file.exists():
                logged = STARTED_MARKER in self.log_file.read_text(errors="replace")
            if logged and _port_open(self.port):
                return
            time.sleep(0.1)
        raise LocalKafkaError(f"Kafka broker not ready after {timeout:.0f}s:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        out = tail(self.run_dir / "broker.out", 10)
        return f"--- {self.log_file}\n{tail(self.log_file)}\n--- broker.out\n{out}"

    def stop(self, timeout: float = 20.0, kill: bool = False) -> bool:
        """SIGTERM the broker's process group, SIGKILL after timeout (at once with ``kill``: a
        crashed broker, for tests). True if one was running."""
        pid = self._proc.pid if self._proc else None
        if pid is None and (state := self.running()) is not None:
            pid = int(state["pid"])  # started by another process (e.g. `make run`)
        if pid is None or not self._alive(pid):
            self._cleanup()
            return False
        with contextlib.suppress(ProcessLookupError):
            # pid == pgid thanks to start_new_session
            os.killpg(pid, signal.SIGKILL if kill else signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self._alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if self._alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            while self._alive(pid):
                time.sleep(0.05)
        self._cleanup()
        return True

    def _alive(self, pid: int) -> bool:
        # Our own child stays a zombie (and "alive" to killpg) until it is waited for.
        if self._proc is not None:
            self._proc.poll()
        return _alive(pid)

    def _cleanup(self) -> None:
        self._proc = None
        self.state_file.unlink(missing_ok=True)

    def _server_properties(self, cport: int, data: Path) -> str:
        return f"""\
# Written by scripts/local_kafka.py: single-node KRaft broker for local dev and tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{cport}
listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{cport}
advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={data}

# One broker: every replication factor and min ISR must be 1.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Small internal topics: creating 50 partitions makes the first group join/transaction slow.
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
share.coordinator.state.topic.num.partitions=10
# Nobody else will join: don't wait 3 s before the first rebalance.
group.initial.rebalance.delay.ms=0

num.partitions=1
# As on a hardened production cluster: a topic that nobody created is an error, not a surprise
# one-partition topic (a metadata request for a missing repartition topic would create it with
# the wrong partition count, which Faust then refuses).
auto.create.topics.enable=false
delete.topic.enable=true

# Flushing is left to the OS page cache (Kafka's default); durability is not a goal here.
log.segment.bytes=67108864
log.retention.hours=24
log.retention.check.interval.ms=300000
# Faust changelogs are compacted; the default 128 MiB dedupe buffer is a lot of a 768 MiB heap.
log.cleaner.dedupe.buffer.size=33554432
num.io.threads=4
num.network.threads=2
"""

    def __enter__(self) -> LocalKafka:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["fetch", "start", "stop", "status"])
    parser.add_argument("--run-dir", type=Path, help=f"default: {DEFAULT_RUN_DIR}")
    parser.add_argument("--port", type=int, help="broker port (default: a free one)")
    parser.add_argument("--timeout", type=float, default=60.0, help="start timeout, seconds")
    args = parser.parse_args(argv)
    try:
        kafka = LocalKafka(run_dir=args.run_dir, port=args.port)
        if args.command == "fetch":
            print(kafka.fetch())
        elif args.command == "start":
            if (state := kafka.running()) is not None:  # idempotent for `make run`
                print(f"local_kafka: already running (pid {state['pid']})", file=sys.stderr)
                print(state["bootstrap"])
                return 0
            # The broker must outlive this CLI process, so no atexit stop here.
            print(kafka.start(timeout=args.timeout, stop_at_exit=False))
        elif args.command == "stop":
            if not kafka.stop():
                print("local_kafka: not running", file=sys.stderr)
        else:
            state = kafka.running()
            print(f"running {state['bootstrap']} pid {state['pid']}" if state else "not running")
            return 0 if state else 1
    except LocalKafkaError as exc:
        print(f"local_kafka: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
