"""The JSON wire format: CloudEvents binary mode, value = UTF-8 JSON of ``{<data key>: {...}}``."""

from __future__ import annotations

import json
from typing import Any

from faust_badges.events.errors import BadBody


def decode_json_body(value: bytes) -> Any:
    """Parse a JSON message value; raises ``BadBody`` for bytes that are not UTF-8 JSON."""
    try:
        return json.loads(value)
    except UnicodeDecodeError:
        raise BadBody("undecodable", "value is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadBody("undecodable", f"value is not JSON ({exc.msg} at byte {exc.pos})") from None


def encode_json_body(body: Any) -> bytes:
    """Compact UTF-8 JSON, the form the output topic carries."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
