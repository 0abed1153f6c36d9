"""The JSON wire format's decoder: well-formed JSON that Python cannot carry through the pipeline
is refused at the door (each of these crashed the ingest agent; found by the input fuzz test,
tests/integration/test_bad_input.py)."""

from __future__ import annotations

import json

import pytest

from faust_badges.events.errors import BadBody
from faust_badges.events.json_format import MAX_NESTING, decode_json_body


def undecodable(value: bytes) -> str:
    with pytest.raises(BadBody) as refused:
        decode_json_body(value)
    assert refused.value.reason == "undecodable"
    return refused.value.detail


def test_nesting_past_the_recursion_limit_is_undecodable() -> None:
    assert "nests" in undecodable(b"[" * 100_000 + b"]" * 100_000)


def test_nesting_past_the_bound_is_undecodable_even_where_python_could_parse_it() -> None:
    # The learner stream writes the event again and another agent reads it back, deeper in
    # its stack: only a bound well under Python's limit keeps those steps from crashing.
    deep = {"course_passing_status": {"grade": json.loads("[" * 200 + "]" * 200)}}
    assert "nests" in undecodable(json.dumps(deep).encode())


def test_nesting_up_to_the_bound_is_fine() -> None:
    nested = "[" * MAX_NESTING + "]" * MAX_NESTING
    assert decode_json_body(nested.encode()) == json.loads(nested)


def test_an_integer_past_pythons_digit_limit_is_undecodable() -> None:
    assert "number" in undecodable(b'{"user": {"id": ' + b"7" * 5000 + b"}}")


@pytest.mark.parametrize(
    "value",
    [b'{"name": "\\ud800"}', b'{"\\udfffkey": 1}', b'["\\udc80"]'],
    ids=["value", "key", "list-item"],
)
def test_a_lone_surrogate_escape_is_undecodable(value: bytes) -> None:
    # Valid JSON, but no text: encoding it as UTF-8 (the learner stream, its key) would raise.
    assert "surrogate" in undecodable(value)


def test_a_surrogate_pair_escape_is_text() -> None:
    assert decode_json_body(b'{"name": "\\ud83d\\ude00 \\u00e9"}') == {"name": "\U0001f600 é"}


def test_utf16_json_is_not_utf8_json() -> None:
    # json.loads would detect and take UTF-16; the wire format is UTF-8 (SPEC §2).
    undecodable('{"a": 1}'.encode("utf-16"))


def test_a_utf8_byte_order_mark_is_allowed() -> None:
    assert decode_json_body(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}
