"""A real local Confluent-compatible Schema Registry over HTTP, with failure injection for tests.

It runs in a daemon thread (``ThreadingHTTPServer``), so in-process async tests and worker
subprocesses reach it the same way: by its URL.

    with LocalSchemaRegistry() as registry:
        schema_id = registry.register("dev-learning-badges-lifecycle-value", schema)
        ...  # point the code under test at registry.url
"""

from __future__ import annotations

import base64
import functools
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


def canonical(schema: dict[str, Any]) -> str:
    """The one text a schema is stored under (so equal schemas get equal ids)."""
    return json.dumps(schema, sort_keys=True, separators=(",", ":"))


class LocalSchemaRegistry:
    """Schemas, subjects and global ids in memory; every method is thread-safe."""

    def __init__(self, *, basic_auth: tuple[str, str] | None = None) -> None:
        self.url = ""
        self._lock = threading.Lock()
        self._authorization = (
            "Basic " + base64.b64encode(":".join(basic_auth).encode()).decode()
            if basic_auth
            else None
        )
        self._ids: dict[str, int] = {}  # canonical text -> id
        self._texts: dict[int, str] = {}  # id -> canonical text
        self._subjects: dict[str, list[int]] = {}  # subject -> ids, in version order
        self._forgotten: set[int] = set()
        self._requests: list[tuple[str, str]] = []
        self._down = False
        self._delay = 0.0
        self._canned: list[tuple[int, bytes, dict[str, str]]] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> str:
        """Serve on 127.0.0.1 at a free port; return the base URL."""
        registry = self

        class Handler(_Handler):
            owner = registry

        self._stopping.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll interval keeps stop() (and so each test's teardown) quick.
        serve = functools.partial(self._server.serve_forever, poll_interval=0.05)
        self._thread = threading.Thread(target=serve, name="local-schema-registry", daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.url

    def stop(self) -> None:
        self._stopping.set()  # wakes delayed handlers, so stop() never waits on set_delay
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LocalSchemaRegistry:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- failure injection -----------------------------------------------------------------

    def go_down(self) -> None:
        """Every request answers 503 until ``come_back``."""
        with self._lock:
            self._down = True

    def come_back(self) -> None:
        with self._lock:
            self._down = False

    def set_delay(self, seconds: float) -> None:
        """Delay every response by ``seconds`` (a slow registry)."""
        with self._lock:
            self._delay = seconds

    def forget(self, schema_id: int) -> None:
        """That id now answers 404 with error code 40403."""
        with self._lock:
            self._forgotten.add(schema_id)

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        body: bytes | None = None,
        retry_after: float | None = None,
    ) -> None:
        """The next ``times`` requests answer ``status`` with ``body`` (e.g. 429, 500, garbage)."""
        payload = body if body is not None else _error(status * 100 + 1, f"injected {status}")
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        with self._lock:
            self._canned.extend([(status, payload, headers)] * times)

    # -- inspection and direct use -----------------------------------------------------------

    @property
    def requests(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every request received so far, query strings left out."""
        with self._lock:
            return list(self._requests)

    def subjects(self) -> dict[str, list[int]]:
        with self._lock:
            return {subject: list(ids) for subject, ids in self._subjects.items()}

    def schema(self, schema_id: int) -> dict[str, Any]:
        with self._lock:
            parsed: dict[str, Any] = json.loads(self._texts[schema_id])
            return parsed

    def register(self, subject: str, schema: dict[str, Any]) -> int:
        """Register as a producer would (no HTTP); return the schema's global id."""
        return self._register(subject, canonical(schema))

    def _register(self, subject: str, text: str) -> int:
        with self._lock:
            schema_id = self._ids.setdefault(text, len(self._ids) + 1)
            self._texts[schema_id] = text
            versions = self._subjects.setdefault(subject, [])
            if schema_id not in versions:
                versions.append(schema_id)
            return schema_id

    # -- request handling (called from server threads) -----------------------------------------

    def _answer(self, method: str, path: str, authorization: str | None, body: bytes) -> _Reply:
        with self._lock:
            self._requests.append((method, path))
            delay, down = self._delay, self._down
            canned = self._canned.pop(0) if self._canned else None
        if delay:
            self._stopping.wait(delay)
        if canned is not None:
            return canned
        if down:
            return 503, _error(50301, "Service unavailable"), {}
        if self._authorization is not None and not hmac.compare_digest(
            (authorization or "").encode(), self._authorization.encode()
        ):
            return 401, _error(40101, "Unauthorized"), {"WWW-Authenticate": 'Basic realm="sr"'}
        parts = [unquote(part) for part in path.strip("/").split("/")]
        match method, parts:
            case "GET", ["subjects"]:
                return _ok(sorted(self.subjects()))
            case "GET", ["subjects", subject, "versions"]:
                ids = self.subjects().get(subject)
                if ids is None:
                    return 404, _error(40401, f"Subject '{subject}' not found."), {}
                return _ok(list(range(1, len(ids) + 1)))
            case "POST", ["subjects", subject, "versions"]:
                return self._post_schema(subject, body)
            case "GET", ["schemas", "ids", number] if number.isdigit():
                return self._get_schema(int(number))
        return 404, _error(404, "HTTP 404 Not Found"), {}

    def _post_schema(self, subject: str, body: bytes) -> _Reply:
        try:
            text = json.loads(body)["schema"]
            schema = json.loads(text)
        except (ValueError, KeyError, TypeError):
            return 422, _error(42201, "Invalid schema"), {}
        if not isinstance(schema, dict):
            return 422, _error(42201, "Invalid schema"), {}
        return _ok({"id": self._register(subject, canonical(schema))})

    def _get_schema(self, schema_id: int) -> _Reply:
        with self._lock:
            text = None if schema_id in self._forgotten else self._texts.get(schema_id)
        if text is None:
            return 404, _error(40403, f"Schema {schema_id} not found"), {}
        return _ok({"schema": text})


_Reply = tuple[int, bytes, dict[str, str]]


def _ok(answer: Any) -> _Reply:
    return 200, json.dumps(answer).encode(), {}


def _error(code: int, message: str) -> bytes:
    return json.dumps({"error_code": code, "message": message}).encode()


class _Handler(BaseHTTPRequestHandler):
    owner: LocalSchemaRegistry
    protocol_version = "HTTP/1.1"  # keep-alive, as the real registry does
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        status, payload, headers = self.owner._answer(
            method, path, self.headers.get("Authorization"), body
        )
        try:
            self.send_response(status)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timed out) before a delayed answer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests assert on ``requests``; access logs would only add noise


def serve(*, basic_auth: tuple[str, str] | None = None) -> Iterator[LocalSchemaRegistry]:
    """Fixture helper: ``yield from serve()`` in a pytest fixture runs one registry per test."""
    with LocalSchemaRegistry(basic_auth=basic_auth) as registry:
        yield registry
