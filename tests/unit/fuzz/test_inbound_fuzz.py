"""Fuzzing the inbound decoder (issue 10): whatever a message holds, it ends accepted, skipped as
unconfigured, or rejected with a named reason; never an exception (SPEC §2: bad input must not
stop the worker).

Every case goes through ``outcome`` (inbound_messages.py), which decodes as the ingest agent
does and checks what the agent relies on: a rejection names a known reason (a metrics label) and
no personal data; an accepted event is a valid learner event that the learner stream can carry
and whose learner and time fit the badge events it may lead to. No broker: Avro schemas are the
bundled ones, read directly or through an in-memory stand-in for the schema registry.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faust_badges.core.event_types import BADGE_REVOKED, COURSE_PASSING_STATUS
from faust_badges.events.avro_format import frame
from faust_badges.events.cloudevents import CONTENT_TYPE_AVRO, header_map
from faust_badges.events.inbound import Accepted, Skipped
from faust_badges.events.json_format import MAX_NESTING
from tests.unit.events.test_inbound import EVENT_TIME, KAFKA_TIME
from tests.unit.fuzz.inbound_messages import (
    AVRO_SEEDS,
    CE_HEADERS,
    DATA,
    EVENT_TYPES,
    FIELD_TYPES,
    INDEX,
    LONG_MAX,
    LONG_MIN,
    PAYLOAD_REASONS,
    SCHEMA_IDS,
    UNAVAILABLE_SCHEMA_ID,
    WIRES,
    FieldPath,
    Pairs,
    avro_value,
    headers_of,
    json_value,
    json_value_with_raw,
    outcome,
    paths_of,
    rejected_for,
    utf8_encodable,
    with_field,
    with_header,
)

# --- strategies -------------------------------------------------------------------------------

# Text with lone surrogates too (JSON can carry them as \ud800 escapes, UTF-8 cannot): joined
# from chunks, as an alphabet of all characters would draw one of the 2048 surrogates too rarely.
ANY_TEXT = st.lists(st.text(max_size=6) | st.characters(categories=["Cs"]), max_size=3).map("".join)
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=10,
)
JSON_PUNCTUATION = ("{", "}", "[", "]", ":", ",", " ", "\n", "\x00", "\udcff", "-", "e", ".5")
JSON_ATOMS = ('"a"', '"user"', '"course_passing_status"', "1", "true", "null", "NaN", '"\\ud800"')
JSON_TOKENS = st.lists(
    st.sampled_from([*JSON_PUNCTUATION, *JSON_ATOMS, '"\\u00"']), max_size=30
).map(lambda tokens: "".join(tokens).encode("utf-8", "surrogateescape"))


# --- bytes and framing ------------------------------------------------------------------------

CONTENT_TYPES = [
    None,
    b"",
    b"application/json",
    b"application/avro",
    b"Application/JSON; charset=utf-8",
    b"application/avro;v=1",
    b"text/plain",
    b"\xff\xfe",
]
RANDOM_VALUES = st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=300).map(lambda raw: b"\x00" + raw),  # sniffed as Avro
    st.tuples(st.integers(0, UNAVAILABLE_SCHEMA_ID + 1), st.binary(max_size=300)).map(
        lambda framed: frame(*framed)
    ),
    JSON_TOKENS,
)


@settings(max_examples=2000, deadline=None)
@given(
    value=RANDOM_VALUES,
    event_type=st.sampled_from(EVENT_TYPES),
    content_type=st.sampled_from(CONTENT_TYPES),
    wire=WIRES,
)
async def test_random_bytes_are_accepted_or_rejected_with_a_reason(
    value: bytes, event_type: str, content_type: bytes | None, wire: str
) -> None:
    await outcome(value, with_header(headers_of(event_type), "content-type", content_type), wire)


@settings(max_examples=1500, deadline=None)
@given(seed=AVRO_SEEDS, wire=WIRES, data=st.data())
async def test_truncated_or_corrupted_avro_is_never_an_exception(
    seed: tuple[str, bytes, Pairs], wire: str, data: st.DataObject
) -> None:
    _, value, pairs = seed
    cut = data.draw(st.integers(0, len(value)), label="cut")
    flips = data.draw(
        st.lists(st.tuples(st.integers(0, len(value) - 1), st.integers(0, 255)), max_size=3),
        label="flips",
    )
    mutated = bytearray(value)
    for position, byte in flips:
        mutated[position] = byte
    result = await outcome(bytes(mutated[:cut]), pairs, wire)
    if cut < len(value) and not flips:
        assert rejected_for(result, {"empty_value", "bad_framing", "undecodable"}), result


@settings(max_examples=300, deadline=None)
@given(seed=AVRO_SEEDS, magic=st.integers(1, 255), wire=WIRES)
async def test_a_wrong_magic_byte_is_bad_framing(
    seed: tuple[str, bytes, Pairs], magic: int, wire: str
) -> None:
    _, value, pairs = seed
    result = await outcome(bytes([magic]) + value[1:], pairs, wire)
    assert rejected_for(result, {"bad_framing"}), result


@settings(max_examples=300, deadline=None)
@given(seed=AVRO_SEEDS, schema_id=st.integers(0, 2**32 - 1))
async def test_any_schema_id_is_looked_up_or_rejected_as_unknown(
    seed: tuple[str, bytes, Pairs], schema_id: int
) -> None:
    event_type, value, pairs = seed
    reframed = frame(schema_id, value[5:])
    result = await outcome(reframed, pairs, "registry")
    if schema_id == SCHEMA_IDS[event_type]:
        assert isinstance(result, Accepted), result
    elif schema_id == UNAVAILABLE_SCHEMA_ID:
        assert rejected_for(result, {"registry_unavailable"}), result
    elif schema_id not in SCHEMA_IDS.values():
        assert rejected_for(result, {"unknown_schema_id"}), result
    # Without a registry the schema follows ce_type: the id is not looked up.
    assert isinstance(await outcome(reframed, pairs, "bundled"), Accepted)


# --- huge values and deep nesting -------------------------------------------------------------

HUGE_STRINGS = st.tuples(st.integers(1000, 300_000), st.sampled_from(["x", "é", "\U0001f600"]))
HUGE_INTS = st.tuples(st.integers(1, 6000), st.sampled_from(["9", "1"]), st.booleans())


@settings(max_examples=300, deadline=None)
@given(event_type=st.sampled_from(EVENT_TYPES), huge=HUGE_STRINGS, data=st.data())
async def test_a_very_long_string_is_still_a_string(
    event_type: str, huge: tuple[int, str], data: st.DataObject
) -> None:
    path = data.draw(st.sampled_from(paths_of(event_type, str)), label="path")
    length, char = huge
    long_data = with_field(DATA[event_type], path, char * length)
    wire = data.draw(st.sampled_from(["json", "avro"]), label="wire")
    if wire == "json":
        value, pairs = json_value(event_type, long_data), headers_of(event_type)
    else:
        value = avro_value(event_type, long_data)
        pairs = headers_of(event_type, CONTENT_TYPE_AVRO)
    assert isinstance(await outcome(value, pairs), Accepted)


@settings(max_examples=300, deadline=None)
@given(event_type=st.sampled_from(EVENT_TYPES), huge=HUGE_INTS, data=st.data())
async def test_a_huge_number_is_rejected_where_it_does_not_fit(
    event_type: str, huge: tuple[int, str, bool], data: st.DataObject
) -> None:
    digits, digit, negative = huge
    literal = ("-" if negative else "") + digit * digits
    shape = data.draw(st.sampled_from(["int", "float", "exponent"]), label="shape")
    raw = {"int": literal, "float": literal + ".5", "exponent": f"{literal[:2]}e{digits}"}[shape]
    path = data.draw(st.sampled_from(sorted(FIELD_TYPES[event_type])), label="path")
    result = await outcome(json_value_with_raw(event_type, path, raw), headers_of(event_type))
    if shape == "int" and digits > 4300:  # more digits than Python reads into an int
        assert rejected_for(result, {"undecodable"}), result
    elif shape == "int" and path == ("user", "id"):
        assert isinstance(result, Accepted) == (LONG_MIN <= int(literal) <= LONG_MAX), result
    elif (int if shape == "int" else float) not in FIELD_TYPES[event_type][path]:
        assert rejected_for(result, PAYLOAD_REASONS), result


@settings(max_examples=400, deadline=None)
@given(
    depth=st.integers(1, 20_000),
    opener=st.sampled_from(["[", '{"a":']),
    place=st.sampled_from(["value", "extra field", "user"]),
)
async def test_deep_nesting_is_rejected_as_undecodable(depth: int, opener: str, place: str) -> None:
    closer = "]" if opener == "[" else "}"
    nested = opener * depth + "0" + closer * depth
    if place == "value":
        value, total_depth = nested.encode(), depth
    else:
        # Two levels around the field: the document and the data object.
        path = ("grade",) if place == "extra field" else ("user",)
        value = json_value_with_raw(COURSE_PASSING_STATUS, path, nested)
        total_depth = depth + 2
    result = await outcome(value, headers_of(COURSE_PASSING_STATUS))
    # Refused past the bound, whatever the place: near Python's recursion limit json.loads
    # still succeeds, and a later JSON step of the event would fail.
    if total_depth > MAX_NESTING:
        assert rejected_for(result, {"undecodable"}), result
    elif place == "value":
        assert rejected_for(result, {"missing_data_key"}), result
    elif place == "user":
        assert rejected_for(result, PAYLOAD_REASONS), result
    else:
        assert isinstance(result, Accepted), result  # extra fields are kept, whatever they hold


# --- payload fields of the wrong type, and random documents -----------------------------------


@settings(max_examples=1500, deadline=None)
@given(
    event_type=st.sampled_from(EVENT_TYPES),
    new_value=JSON_SCALARS | JSON_VALUES,  # scalars more often: most fields hold one
    data=st.data(),
)
async def test_a_field_of_another_type_is_an_invalid_payload(
    event_type: str, new_value: Any, data: st.DataObject
) -> None:
    allowed = FIELD_TYPES[event_type]
    path = data.draw(st.sampled_from(sorted(allowed)), label="path")
    value = json_value(event_type, with_field(DATA[event_type], path, new_value))
    result = await outcome(value, headers_of(event_type))
    if type(new_value) not in allowed[path]:
        expected = {"missing_user"} if path == ("user",) else {"invalid_payload"}
        if not utf8_encodable(new_value):
            expected.add("undecodable")  # refused as it is read, before its type is looked at
        assert rejected_for(result, expected), result


@settings(max_examples=1000, deadline=None)
@given(event_type=st.sampled_from(EVENT_TYPES), document=JSON_VALUES, wrap=st.booleans())
async def test_a_random_json_document_is_never_an_exception(
    event_type: str, document: Any, wrap: bool
) -> None:
    value = json_value(event_type, document) if wrap else json.dumps(document).encode()
    result = await outcome(value, headers_of(event_type))
    if not wrap:
        assert not isinstance(result, Accepted), result


# --- CloudEvents headers ----------------------------------------------------------------------

# Valid ISO times without a UTC form: a day or an hour beyond the calendar's ends.
EDGE_TIMES = (b"0001-01-01T00:00:00+01:00", b"9999-12-31T23:59:59-05:00")
HEADER_VALUES = st.one_of(
    st.none(),
    st.sampled_from([b"", b"  ", b"\xff", b"\xc3(", b"\xed\xa0\x80"]),  # blank or not UTF-8
    st.binary(max_size=40),
    ANY_TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.sampled_from([t.encode() for t in (*EVENT_TYPES, BADGE_REVOKED, "org.example.other.v1")]),
    st.sampled_from([*CONTENT_TYPES[1:], b"application/cloudevents+json", b";", b" ;x"]),
    st.sampled_from([*EDGE_TIMES, b"2026-03-01T12:30:00Z", b"2026-02-30T00:00:00", b"yesterday"]),
)
HEADER_CHANGES = st.lists(
    st.tuples(
        st.sampled_from(["drop", "set", "repeat", "upper-case name"]),
        st.sampled_from(CE_HEADERS),
        HEADER_VALUES,
    ),
    min_size=1,
    max_size=4,
)


def changed_headers(pairs: Pairs, changes: list[tuple[str, str, bytes | None]]) -> Pairs:
    for change, name, value in changes:
        if change == "drop":
            pairs = with_header(pairs, name, None)
        elif change == "set":
            pairs = [(n, value if n == name else v) for n, v in pairs]
        elif change == "repeat":  # a repeated header: the last one wins, as in header_map
            pairs = [*pairs, (name, value)]
        else:  # header names are case-sensitive: CE_TYPE is not ce_type
            pairs = [(n.upper() if n == name else n, v) for n, v in pairs]
    return pairs


def header_text(pairs: Pairs, name: str) -> str:
    raw = header_map(pairs).get(name)  # type: ignore[arg-type]
    return raw.decode("utf-8", "replace").strip() if raw else ""


@settings(max_examples=2000, deadline=None)
@given(
    event_type=st.sampled_from(EVENT_TYPES),
    avro=st.booleans(),
    changes=HEADER_CHANGES,
    wire=WIRES,
)
async def test_bad_missing_or_repeated_cloudevents_headers_are_named(
    event_type: str,
    avro: bool,
    changes: list[tuple[str, str, bytes | None]],
    wire: str,
) -> None:
    if avro:
        value = avro_value(event_type, DATA[event_type])
        pairs = headers_of(event_type, CONTENT_TYPE_AVRO)
    else:
        value, pairs = json_value(event_type, DATA[event_type]), headers_of(event_type)
    pairs = changed_headers(pairs, changes)
    result = await outcome(value, pairs, wire)
    ce_type, ce_id = header_text(pairs, "ce_type"), header_text(pairs, "ce_id")
    if not ce_type:
        assert rejected_for(result, {"missing_ce_type"}), result
    elif not INDEX.processes(ce_type):
        assert result == Skipped(ce_type)
    elif not ce_id:
        assert rejected_for(result, {"missing_ce_id"}), result
    elif isinstance(result, Accepted):
        assert result.event.event_id == ce_id


HEADER_NAMES = st.one_of(
    st.text(max_size=20),
    st.binary(max_size=20).map(lambda raw: raw.decode("utf-8", "surrogateescape")),
    st.sampled_from(CE_HEADERS).map(lambda name: name.upper()),
)


@settings(max_examples=1000, deadline=None)
@given(
    event_type=st.sampled_from(EVENT_TYPES),
    extra=st.lists(st.tuples(HEADER_NAMES, st.none() | st.binary(max_size=40)), max_size=6),
)
async def test_headers_the_decoder_does_not_read_change_nothing(
    event_type: str, extra: list[tuple[str, bytes | None]]
) -> None:
    pairs = headers_of(event_type)
    result = await outcome(json_value(event_type, DATA[event_type]), [*extra, *pairs])
    again = await outcome(json_value(event_type, DATA[event_type]), [*pairs, *extra])
    if not any(name in CE_HEADERS for name, _ in extra):
        assert isinstance(result, Accepted), result
        assert again == result


# --- found by fuzzing: each was accepted, and failed later in the pipeline, or raised ---------


@pytest.mark.parametrize(
    ("user_id", "accepted"),
    [(LONG_MAX, True), (LONG_MAX + 1, False), (LONG_MIN, True), (LONG_MIN - 1, False)],
)
async def test_a_user_id_must_fit_an_avro_long(user_id: int, accepted: bool) -> None:
    data = with_field(DATA[COURSE_PASSING_STATUS], ("user", "id"), user_id)
    result = await outcome(
        json_value(COURSE_PASSING_STATUS, data), headers_of(COURSE_PASSING_STATUS)
    )
    assert isinstance(result, Accepted) if accepted else rejected_for(result, {"invalid_payload"})


@pytest.mark.parametrize("ce_time", EDGE_TIMES)
async def test_a_time_without_a_utc_form_falls_back_to_the_kafka_time(ce_time: bytes) -> None:
    pairs = with_header(headers_of(COURSE_PASSING_STATUS), "ce_time", ce_time)
    result = await outcome(json_value(COURSE_PASSING_STATUS, DATA[COURSE_PASSING_STATUS]), pairs)
    assert isinstance(result, Accepted)
    assert result.event.event_time == KAFKA_TIME


async def test_the_event_time_is_kept_in_utc() -> None:
    pairs = with_header(headers_of(COURSE_PASSING_STATUS), "ce_time", b"2026-03-01T14:30:00+02:00")
    result = await outcome(json_value(COURSE_PASSING_STATUS, DATA[COURSE_PASSING_STATUS]), pairs)
    assert isinstance(result, Accepted)
    assert result.event.event_time == EVENT_TIME
    assert result.event.event_time.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("path", "raw"),
    [(("user", "id"), "9" * 5000), (("grade",), "[" * 500 + "]" * 500), (("course",), '"\\udc80"')],
    ids=["number-too-long", "deep-nesting", "lone-surrogate"],
)
async def test_json_the_decoder_cannot_carry_on_is_undecodable(path: FieldPath, raw: str) -> None:
    value = json_value_with_raw(COURSE_PASSING_STATUS, path, raw)
    result = await outcome(value, headers_of(COURSE_PASSING_STATUS))
    assert rejected_for(result, {"undecodable"}), result
