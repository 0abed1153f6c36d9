"""The JSON wire format: CloudEvents binary mode, value = UTF-8 JSON of ``{<data key>: {...}}``."""

from __future__ import annotations

import json
from typing import Any

from faust_badges.events.errors import BadBody

#: Far deeper than any Open edX payload. Bounding it here keeps every later JSON step of the
#: event (re-encoding it for the learner stream, decoding it again downstream) clear of
#: Python's recursion limit, which would crash the agent doing that step.
MAX_NESTING = 32


def decode_json_body(value: bytes) -> Any:
    """Parse a JSON message value; raises ``BadBody`` for bytes that are not UTF-8 JSON text."""
    try:
        # Decoded here, not by json.loads: it would also take UTF-16 and UTF-32.
        text = value.decode("utf-8-sig")
        body = json.loads(text)
    except UnicodeDecodeError:
        raise BadBody("undecodable", "value is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadBody("undecodable", f"value is not JSON ({exc.msg} at byte {exc.pos})") from None
    except ValueError:  # an integer literal past Python's digit limit (int_max_str_digits)
        raise BadBody("undecodable", "value has a number too long to read") from None
    except RecursionError:
        raise BadBody("undecodable", f"value nests deeper than {MAX_NESTING} levels") from None
    # Cheap tests first: only a value with many brackets can be too deep, and only a \u escape
    # can make a lone surrogate (valid JSON, but no text: encoding it again would raise).
    if text.count("[") + text.count("{") > MAX_NESTING or "\\u" in text:
        _check_tree(body)
    return body


def _check_tree(body: Any) -> None:
    pending: list[tuple[Any, int]] = [(body, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, str):
            _check_text(node)
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > MAX_NESTING:
            raise BadBody("undecodable", f"value nests deeper than {MAX_NESTING} levels")
        if isinstance(node, dict):
            for name in node:
                _check_text(name)
            pending.extend((child, depth + 1) for child in node.values())
        else:
            pending.extend((child, depth + 1) for child in node)


def _check_text(text: str) -> None:
    if text.isascii():
        return
    try:
        text.encode()
    except UnicodeEncodeError:
        raise BadBody("undecodable", "value has a lone UTF-16 surrogate escape") from None


def encode_json_body(body: Any) -> bytes:
    """Compact UTF-8 JSON, the form the output topic carries."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
