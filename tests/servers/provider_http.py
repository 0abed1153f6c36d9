"""The HTTP plumbing of the local provider API servers (Credly, Accredible) for tests:
a ThreadingHTTPServer in a daemon thread, a log of the requests received, and injected failures
(canned answers, delays before or after handling, going down). Each API adds only its routes.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

Reply = tuple[int, Any, dict[str, str]]  # status, JSON answer (or raw bytes), extra headers


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # as sent, query string included (percent-encoded)
    headers: dict[str, str]  # names in Title-Case ("Authorization", "Content-Type")
    json: Any  # the parsed body, None when empty or not JSON


class LocalProviderServer:
    """A ``ThreadingHTTPServer`` in a daemon thread serving ``/v1/``; methods are thread-safe."""

    name = "local-provider"

    def __init__(self) -> None:
        self.url = ""
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._answered: list[tuple[RecordedRequest, int]] = []
        self._canned: list[Reply] = []
        self._failing: Reply | None = None
        self._delays: list[float] = []
        self._holds: list[float] = []
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> str:
        """Serve on 127.0.0.1 at a free port; return the base URL (``.../v1/``)."""
        self._stopping.clear()
        self._listen()
        self.url = f"http://127.0.0.1:{self._port}/v1/"
        return self.url

    def stop(self) -> None:
        self._stopping.set()  # wakes delayed handlers, so stop() never waits out a delay
        self._close()

    def __enter__(self) -> LocalProviderServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _listen(self) -> None:
        owner = self

        class Handler(_Handler):
            server_owner = owner

        # A short poll interval keeps stop() and go_down() (so each test's teardown) quick.
        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.01,), name=self.name, daemon=True
        )
        self._thread.start()

    def _close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:  # keep-alive connections would outlive the listener
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # -- failure injection -------------------------------------------------------------------

    def go_down(self) -> None:
        """Close the listening socket (and open connections): connections are refused."""
        self._close()

    def come_back(self) -> None:
        """Listen again on the same port."""
        if self._server is None:
            self._listen()

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        """The next ``times`` requests answer ``status`` with ``body`` (JSON, or raw bytes)."""
        answer = body if body is not None else self._error_body(f"injected {status}")
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        with self._lock:
            self._canned.extend([(status, answer, headers)] * times)

    def fail_all(self, status: int) -> None:
        """Every request answers ``status`` (after any canned answer) until ``reset_failures``:
        an outage that lasts a time, not a number of calls."""
        with self._lock:
            self._failing = (status, self._error_body(f"injected {status}"), {})

    def malformed_next(self, times: int = 1) -> None:
        """The next ``times`` requests answer 200 with a body that is not JSON."""
        page = b"<html><body>502 Bad Gateway... or so</body></html>"
        with self._lock:
            self._canned.extend([(200, page, {"Content-Type": "text/html"})] * times)

    def reset_failures(self) -> None:
        """Drop every injected failure not used yet."""
        with self._lock:
            self._canned.clear()
            self._failing = None
            self._delays.clear()
            self._holds.clear()

    def hold_answer_next(self, seconds: float, times: int = 1) -> None:
        """Handle the next ``times`` requests at once (a badge is issued), then hold the answer
        for ``seconds``: what a caller sees when it dies before the answer arrives."""
        with self._lock:
            self._holds.extend([seconds] * times)

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """Hold the next ``times`` requests for ``seconds`` before handling them as usual."""
        with self._lock:
            self._delays.extend([seconds] * times)

    # -- inspection --------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def answered(self) -> list[tuple[RecordedRequest, int]]:
        """Each request with the status it was answered (whether or not the answer arrived)."""
        with self._lock:
            return list(self._answered)

    # -- for subclasses ----------------------------------------------------------------------

    def _error_body(self, message: str) -> Any:
        raise NotImplementedError

    def _route(self, request: RecordedRequest, parts: list[str], query: dict[str, str]) -> Reply:
        raise NotImplementedError

    def _answer(self, request: RecordedRequest) -> Reply:
        reply = self._reply(request)
        with self._lock:
            self._answered.append((request, reply[0]))
        return reply

    def _reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self._requests.append(request)
            delay = self._delays.pop(0) if self._delays else 0.0
            hold = self._holds.pop(0) if self._holds else 0.0
            canned = self._canned.pop(0) if self._canned else self._failing
        if delay:
            self._stopping.wait(delay)
        if canned is not None:
            return canned
        split = urlsplit(request.path)
        parts = [unquote(part) for part in split.path.strip("/").split("/")]
        if parts[:1] != ["v1"]:
            return 404, self._error_body("Not found"), {}
        query = {key: values[0] for key, values in parse_qs(split.query).items()}
        answer = self._route(request, parts[1:], query)
        if hold:
            self._stopping.wait(hold)
        return answer


class _Handler(BaseHTTPRequestHandler):
    server_owner: LocalProviderServer
    protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs do
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall

    def setup(self) -> None:
        super().setup()
        with self.server_owner._lock:
            self.server_owner._connections.add(self.connection)

    def finish(self) -> None:
        with self.server_owner._lock:
            self.server_owner._connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        headers = {name.title(): value for name, value in self.headers.items()}
        request = RecordedRequest(self.command, self.path, headers, parsed)
        status, answer, extra = self.server_owner._answer(request)
        payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        headers = {"Content-Type": "application/json", **extra}
        try:
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(payload))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up (timed out) or we went down mid-answer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests assert on ``requests``; access logs would only add noise
