"""JSON codecs for the core's state types, through pydantic's Rust core.

JSON (not pickle) keeps changelog topics readable by ops tools and safe to load.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import TypeAdapter

T = TypeVar("T")


class JsonStateCodec(Generic[T]):
    """Serializes one state dataclass type as JSON bytes."""

    def __init__(self, state_type: type[T]) -> None:
        self._adapter: TypeAdapter[T] = TypeAdapter(state_type)

    def dump(self, value: T) -> bytes:
        return self._adapter.dump_json(value)

    def load(self, raw: bytes) -> T:
        return self._adapter.validate_json(raw)
