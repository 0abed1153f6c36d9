"""The tables' values as JSON bytes: the core's state dataclasses, one codec per type.

JSON (not pickle) keeps changelog topics readable by ops tools and safe to load. Here (not in
``tables/``) so that the CLI and tests can read state without loading Faust.

msgspec reads and writes the dataclasses directly: the same bytes pydantic wrote before (field
order, ``Z`` for UTC, no spaces), 2x faster to load and 4x faster to dump, which counts on
the per-event path (one load and one dump per learner per batch).
"""

from __future__ import annotations

import json
from typing import Any, Generic, TypeVar

import msgspec

from faust_badges.core.config import BadgeConfig
from faust_badges.core.errors import BadgesError
from faust_badges.core.issuing import IssuedBadge
from faust_badges.core.learner import LearnerRecord
from faust_badges.core.progress import LearnerProgress
from faust_badges.openbadges.records import StatusList, StoredCredential

T = TypeVar("T")


class StateDecodeError(BadgesError, ValueError):
    """A stored value that is not a valid record of its type."""


class StateCodec(Generic[T]):
    """One state dataclass type as JSON bytes."""

    def __init__(self, state_type: type[T]) -> None:
        self.state_type = state_type
        self._encoder = msgspec.json.Encoder()
        self._decoder = msgspec.json.Decoder(state_type)

    def dump(self, value: T) -> bytes:
        return self._encoder.encode(value)

    def load(self, raw: bytes) -> T:
        try:
            return self._decoder.decode(raw)
        except msgspec.DecodeError as exc:  # ValidationError is one
            raise StateDecodeError(f"not a {self.state_type.__name__}: {exc}") from exc

    def from_document(self, document: Any) -> T:
        """A record from already parsed JSON (e.g. after upgrading an older form)."""
        try:
            return msgspec.convert(document, self.state_type)
        except msgspec.ValidationError as exc:
            raise StateDecodeError(f"not a {self.state_type.__name__}: {exc}") from exc


class ProgressCodec(StateCodec[LearnerProgress]):
    """``LearnerProgress``; also reads records written before ``recent_events`` was a mapping
    (a list of ``{"event_id", "template_ids"}``), which the next write replaces."""

    def __init__(self) -> None:
        super().__init__(LearnerProgress)

    def load(self, raw: bytes) -> LearnerProgress:
        try:
            return super().load(raw)
        except StateDecodeError:
            upgraded = _with_recent_events_mapping(raw)
            if upgraded is None:
                raise
            return self.from_document(upgraded)


def _with_recent_events_mapping(raw: bytes) -> dict[str, Any] | None:
    """The record with an older ``recent_events`` list as a mapping; None if it has no such
    list (or is no JSON object at all)."""
    try:
        document = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return None
    recent = document.get("recent_events") if isinstance(document, dict) else None
    if not isinstance(recent, list) or not all(_is_applied(item) for item in recent):
        return None
    document["recent_events"] = {item["event_id"]: item["template_ids"] for item in recent}
    return document


def _is_applied(item: Any) -> bool:
    return isinstance(item, dict) and "event_id" in item and "template_ids" in item


#: The config topic's one key; its value is the validated document as JSON.
CONFIG_KEY = b"badges"


def encode_config(config: BadgeConfig) -> bytes:
    """The value written to the config topic (``faust-badges config apply``)."""
    return json.dumps(config.model_dump(mode="json"), separators=(",", ":")).encode()


PROGRESS_CODEC = ProgressCodec()
LEARNER_CODEC = StateCodec(LearnerRecord)
ISSUED_CODEC = StateCodec(IssuedBadge)
CREDENTIAL_CODEC = StateCodec(StoredCredential)
STATUS_LIST_CODEC = StateCodec(StatusList)
