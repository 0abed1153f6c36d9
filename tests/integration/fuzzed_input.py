"""Seeded bad input for the ingest agent: what a broken or hostile producer could put on the input
topic, each message with the dead-letter reasons it may get; and good events dressed in noise
(odd keys and headers) that must still be decided.

Every message carries a ``fuzz_case`` header with its number, so that its dead letter (which keeps
the original headers) can be matched back to it whatever partition it lands in.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.events.avro_format import bundled_schema, frame, parse, write
from faust_badges.samples import KafkaMessage, passing_event, passing_status_data

PASS = COURSE_PASSING_STATUS
CASE_HEADER = "fuzz_case"
Headers = list[tuple[str, bytes]]

UNDECODABLE = frozenset({"undecodable"})
BAD_PAYLOAD = frozenset({"invalid_payload", "missing_user"})
NO_DATA = frozenset({"missing_data_key", "invalid_payload", "missing_user"})


@dataclass(frozen=True)
class BadMessage:
    case: int
    kind: str
    message: KafkaMessage
    reasons: frozenset[str]  # the dead-letter reasons it may get (the decoder decides which)
    username: str  # of the learner in it, which no reason may name


@dataclass
class _Template:
    """A good event of a made-up learner, the raw material of one bad message."""

    username: str
    course: str
    key: bytes
    data: dict[str, Any]
    headers: Headers

    def json(self, body: Any) -> bytes:
        return json.dumps(body).encode()

    def value(self) -> bytes:
        return self.json({"course_passing_status": self.data})

    def avro(self, schema_id: int) -> bytes:
        """Confluent-framed Avro, as the event bus writes it (the worker reads it without
        a registry, with the bundled schema, whatever the id)."""
        schema = bundled_schema(PASS)
        assert schema is not None
        return frame(schema_id, write(parse(schema), {"course_passing_status": self.data}))

    def with_content_type(self, content_type: bytes) -> Headers:
        return [(n, v) for n, v in self.headers if n != "content-type"] + [
            ("content-type", content_type)
        ]


def _template(rng: random.Random, courses: list[str]) -> _Template:
    user_id = rng.randrange(1, 10**6)
    username = f"bad-{user_id:06d}"
    course = rng.choice(courses)
    key, _value, headers = passing_event(user_id, username, course, rng.random() < 0.8)
    return _Template(
        username,
        course,
        key or b"",
        passing_status_data(user_id, username, course, True),
        headers,
    )


def _random_bytes(rng: random.Random, low: int = 1, high: int = 400) -> bytes:
    return rng.randbytes(rng.randrange(low, high))


def _not_utf8(rng: random.Random) -> bytes:
    # 0xff and 0xfe never occur in UTF-8; a lone continuation byte neither starts a character.
    return rng.choice([b"\xff", b"\xfe\xff", b"\x80"]) + _random_bytes(rng, 0, 40)


# --- the kinds of bad message: each returns (value, headers, reasons) ------------------------

Made = tuple[bytes | None, Headers, frozenset[str]]


def random_bytes(rng: random.Random, t: _Template) -> Made:
    return _not_utf8(rng) + _random_bytes(rng), t.headers, UNDECODABLE


def random_bytes_no_content_type(rng: random.Random, t: _Template) -> Made:
    headers = [(n, v) for n, v in t.headers if n != "content-type"]
    # Sniffed: a first byte 0 reads as Avro framing, anything else as JSON (which a few random
    # bytes may happen to be, e.g. b"42": then there is no data key).
    return _random_bytes(rng), headers, frozenset({"undecodable", "bad_framing", *NO_DATA})


def truncated_avro(rng: random.Random, t: _Template) -> Made:
    framed = t.avro(rng.randrange(2**32))
    cut = rng.randrange(0, len(framed))
    reasons = {0: "empty_value"}.get(cut, "bad_framing" if cut < 5 else "undecodable")
    return framed[:cut], t.with_content_type(b"application/avro"), frozenset({reasons})


def avro_garbage_body(rng: random.Random, t: _Template) -> Made:
    value = frame(rng.randrange(2**32), _random_bytes(rng, 0, 200))
    return value, t.with_content_type(b"application/avro"), UNDECODABLE | BAD_PAYLOAD


def wrong_magic(rng: random.Random, t: _Template) -> Made:
    framed = t.avro(1)
    value = bytes([rng.randrange(1, 256)]) + framed[1:]
    return value, t.with_content_type(b"application/avro"), frozenset({"bad_framing"})


_WRONG_SHAPES: list[Any] = [
    [],
    1,
    "text",
    None,
    True,
    {},
    {"other_key": {}},
    {"course_passing_status": []},
    {"course_passing_status": None},
    {"course_passing_status": "passing"},
    {"course_passing_status": {}},
    {"course_passing_status": {"user": 5}},
    {"course_passing_status": {"user": {}}},
    {"course_passing_status": {"user": []}},
    [{"course_passing_status": {}}],
]


def json_wrong_shape(rng: random.Random, t: _Template) -> Made:
    shape = rng.choice(_WRONG_SHAPES)
    if rng.random() < 0.3:  # a whole good data object under another event's data key
        shape = {"ccx_course_passing_status": t.data}
    return t.json(shape), t.headers, NO_DATA


_WRONG_TYPES: list[tuple[tuple[str, ...], Any]] = [
    (("is_passing",), "yes"),
    (("is_passing",), 1),
    (("is_passing",), None),
    (("is_passing",), float("nan")),
    (("user", "id"), "12"),
    (("user", "id"), 1.5),
    (("user", "id"), True),
    (("user", "id"), None),
    (("user", "id"), 2**64),  # beyond Avro's long, which Open edX's UserData.id is
    (("user", "id"), -(2**63) - 1),
    (("user", "is_active"), "true"),
    (("user", "pii", "username"), 5),
    (("user", "pii", "username"), ""),
    (("user", "pii", "email"), None),
    (("user", "pii"), "someone"),
    (("user", "pii"), None),
    (("user",), None),
    (("user",), "42"),
    (("course", "course_key"), 7),
    (("course",), []),
    (("course",), None),
]
_REQUIRED = [("is_passing",), ("course",), ("user",), ("user", "id"), ("user", "pii", "username")]


def wrong_field_types(rng: random.Random, t: _Template) -> Made:
    data = json.loads(t.value())["course_passing_status"]
    if rng.random() < 0.25:
        path = rng.choice(_REQUIRED)
        _parent(data, path).pop(path[-1])
    else:
        path, wrong = rng.choice(_WRONG_TYPES)
        _parent(data, path)[path[-1]] = wrong
    return t.json({"course_passing_status": data}), t.headers, BAD_PAYLOAD


def _parent(data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    for name in path[:-1]:
        data = data[name]
    return data


def hostile_json(rng: random.Random, t: _Template) -> Made:
    """Well-formed JSON that trips up a JSON library: nesting past Python's recursion limit,
    integer literals past its digit limit, lone UTF-16 surrogates (not text in any encoding)."""
    data = json.loads(t.value())["course_passing_status"]
    choice = rng.randrange(6)
    if choice == 0:
        depth = rng.randrange(2_000, 50_000)
        return b"[" * depth + b"]" * depth, t.headers, UNDECODABLE
    if choice == 1:  # deep inside an extra field, which the payload models allow
        depth = rng.randrange(100, 3_000)
        nested = b'{"course_passing_status": {"deep": ' + b"[" * depth + b"]" * depth + b", "
        return nested + t.value()[len(b'{"course_passing_status": {') :], t.headers, UNDECODABLE
    if choice == 2:
        digits = b"7" * rng.randrange(5_000, 20_000)
        value = t.value().replace(b'"is_active": true', b'"is_active": true, "big": ' + digits)
        return value, t.headers, UNDECODABLE
    if choice == 3:
        data["user"]["pii"]["username"] = "\ud800" + t.username
    elif choice == 4:
        data["user"]["pii"]["name"] = t.username + "\udfff"
    else:
        data["notes"] = {"\udc80key": "value"}
    return t.json({"course_passing_status": data}), t.headers, UNDECODABLE


def header_faults(rng: random.Random, t: _Template) -> Made:
    """Missing, empty, duplicated or garbage CloudEvents headers (the last of a name counts)."""
    h = t.headers
    without = [(n, v) for n, v in h if n not in ("ce_type", "ce_id", "content-type")]
    type_, id_, ct = (dict(h)[n] for n in ("ce_type", "ce_id", "content-type"))
    faults: list[tuple[Headers, str]] = [
        ([(n, v) for n, v in h if n != "ce_type"], "missing_ce_type"),
        ([*without, ("ce_type", b""), ("ce_id", id_), ("content-type", ct)], "missing_ce_type"),
        ([*without, ("ce_type", b" \t "), ("ce_id", id_)], "missing_ce_type"),
        ([*without, ("ce_type", type_), ("ce_type", b""), ("ce_id", id_)], "missing_ce_type"),
        ([*without, ("CE_TYPE", type_), ("ce_id", id_)], "missing_ce_type"),
        ([], "missing_ce_type"),
        ([(n, v) for n, v in h if n != "ce_id"], "missing_ce_id"),
        ([*without, ("ce_type", type_), ("ce_id", b"  ")], "missing_ce_id"),
        ([*without, ("ce_type", type_), ("ce_id", id_), ("ce_id", b"")], "missing_ce_id"),
        ([*without, ("ce_type", type_), ("ce_id", id_), ("content-type", b"text/plain")], "ct"),
        ([*without, ("ce_type", type_), ("ce_id", id_), ("content-type", b"\xff\xfe")], "ct"),
        ([*h, ("content-type", b"application/xml")], "ct"),
    ]
    headers, reason = rng.choice(faults)
    reason = "unsupported_content_type" if reason == "ct" else reason
    return t.value(), headers, frozenset({reason})


def empty_value(rng: random.Random, t: _Template) -> Made:
    return rng.choice([b"", None]), t.headers, frozenset({"empty_value"})


KINDS: dict[str, Callable[[random.Random, _Template], Made]] = {
    "random_bytes": random_bytes,
    "random_bytes_no_content_type": random_bytes_no_content_type,
    "truncated_avro": truncated_avro,
    "avro_garbage_body": avro_garbage_body,
    "wrong_magic": wrong_magic,
    "json_wrong_shape": json_wrong_shape,
    "wrong_field_types": wrong_field_types,
    "hostile_json": hostile_json,
    "header_faults": header_faults,
    "empty_value": empty_value,
}


def _odd_key(rng: random.Random, key: bytes) -> bytes | None:
    """A key as a broken producer might set it: none, empty, or bytes that are not UTF-8."""
    return rng.choice([key, None, b"", _not_utf8(rng), _not_utf8(rng)])


def bad_messages(
    count: int, courses: list[str], *, seed: int, first_case: int = 0
) -> list[BadMessage]:
    """``count`` bad messages, every kind about equally often, a third of them with odd keys and
    a non-UTF-8 header value (both must reach the dead letter byte for byte)."""
    rng = random.Random(seed)
    kinds = sorted(KINDS)
    made: list[BadMessage] = []
    for offset in range(count):
        case = first_case + offset
        template = _template(rng, courses)
        kind = kinds[offset % len(kinds)]
        value, headers, reasons = KINDS[kind](rng, template)
        key: bytes | None = template.key
        if rng.random() < 0.35:
            key = _odd_key(rng, template.key)
            headers = [*headers, ("sourcehost", _not_utf8(rng))]
        headers = [*headers, (CASE_HEADER, str(case).encode())]
        made.append(BadMessage(case, kind, (key, value, headers), reasons, template.username))
    return made


def unconfigured_types(
    count: int, courses: list[str], *, seed: int, first_case: int
) -> list[KafkaMessage]:
    """Good bodies under event types nobody configured (random text, or not UTF-8): skipped."""
    rng = random.Random(seed)
    messages: list[KafkaMessage] = []
    for offset in range(count):
        template = _template(rng, courses)
        ce_type = rng.choice(
            [f"org.example.fuzz.{rng.randrange(10**9)}.v1".encode(), _not_utf8(rng)]
        )
        headers = [(n, ce_type if n == "ce_type" else v) for n, v in template.headers]
        headers.append((CASE_HEADER, str(first_case + offset).encode()))
        messages.append((template.key, template.value(), headers))
    return messages


def noisy_good_events(count: int, course: str, *, seed: int, first_case: int) -> list[KafkaMessage]:
    """Good passing events of fresh learners (one each), with noise the decoder must tolerate:
    odd keys, unreadable or out-of-range ``ce_time``, repeated headers whose last value is good,
    unknown extra headers, an extra payload field. Each earns its learner a badge."""
    rng = random.Random(seed)
    times = [b"yesterday", b"", b"\xff\xfe", b"2026-13-45T99:00:00", b"0001-01-01T00:00:00+14:00"]
    times += [b"9999-12-31T23:59:59-14:00", b"0001-01-01T00:00:00", b"9999-12-31T23:59:59"]
    messages: list[KafkaMessage] = []
    for offset in range(count):
        user_id = 900_000 + offset
        username = f"noisy-{seed}-{offset:04d}"
        key, value, headers = passing_event(user_id, username, course)
        headers = [(n, rng.choice(times) if n == "ce_time" else v) for n, v in headers]
        if rng.random() < 0.5:
            headers = [("ce_type", b"garbage"), ("ce_id", b""), *headers]
        if rng.random() < 0.5:
            headers.append(("x-fuzz-" + str(rng.randrange(100)), _not_utf8(rng)))
        if rng.random() < 0.3 and value is not None:
            value = value.replace(b'"is_passing":true', b'"is_passing":true,"extra":[1,{}]')
        headers.append((CASE_HEADER, str(first_case + offset).encode()))
        messages.append((_odd_key(rng, key or b""), value, headers))
    return messages
