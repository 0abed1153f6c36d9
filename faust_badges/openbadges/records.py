"""What the job stores of its Open Badges: each badge's signed credential, and each status list
(its allocated indexes, its revoked bits and the signed list credential served)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StoredCredential:
    """A badge's credential, signed once: ``credential`` is the exact JSON served, ever after."""

    badge_uuid: str
    template_id: str
    credential: str
    status_list: str  # list id, as in /ob/status/{list}
    status_index: int
    issued_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StatusList:
    """One Bitstring Status List: ``allocated`` indexes handed out (0 .. allocated-1), the
    revoked ones, and the signed ``BitstringStatusListCredential`` that publishes them."""

    list_id: str
    allocated: int
    revoked: tuple[int, ...]
    credential: str
    updated_at: datetime
