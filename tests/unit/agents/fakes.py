"""In-memory stand-ins for what the issuer agents and dead-lettering touch: a table, topics and
a provider pool (no broker, no HTTP)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from faust_badges.core.index import ConfigIndex
from faust_badges.core.issuing import Call, IssuedBadge
from faust_badges.providers.pool import ProviderAnswer


@dataclass
class Sent:
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


class FakeTopic:
    """Keeps what is sent to it, in order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[Sent] = []

    async def send(self, *, key: bytes | None, value: bytes | None, headers: Any = None) -> None:
        self.sent.append(Sent(key, value, list(headers or [])))

    def header(self, index: int, name: str) -> str | None:
        return next((v.decode() for k, v in self.sent[index].headers if k == name), None)


class FakeIssuedTable:
    """The two calls the issuer makes on the ``issued`` table."""

    def __init__(self) -> None:
        self.stored: dict[str, IssuedBadge] = {}
        self.puts: list[str] = []

    def get(self, key: str) -> IssuedBadge | None:
        return self.stored.get(key)

    def put(self, key: str, value: IssuedBadge) -> None:
        self.puts.append(key)
        self.stored[key] = value


@dataclass
class FakeProviders:
    """Answers each call with the next scripted answer (an exception is raised)."""

    answers: list[ProviderAnswer | Exception] = field(default_factory=list)
    calls: list[tuple[Call, str]] = field(default_factory=list)

    async def perform(self, call: Call, record: IssuedBadge, index: ConfigIndex) -> ProviderAnswer:
        self.calls.append((call, record.badge_uuid))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer
