"""The Open edX event types the job knows, and the key their payload sits under.

Any Open edX event whose payload carries a ``UserData`` may be added in the config's ``events``
list with its ``data_key``; the ones below need no data key.
"""

from __future__ import annotations

from typing import Final

COURSE_PASSING_STATUS: Final = "org.openedx.learning.course.passing.status.updated.v1"
CCX_COURSE_PASSING_STATUS: Final = "org.openedx.learning.ccx.course.passing.status.updated.v1"
BADGE_AWARDED: Final = "org.openedx.learning.badge.awarded.v1"
BADGE_REVOKED: Final = "org.openedx.learning.badge.revoked.v1"

#: event type -> the key of the data object in the event payload (``{<data key>: {...}}``).
KNOWN_DATA_KEYS: Final[dict[str, str]] = {
    COURSE_PASSING_STATUS: "course_passing_status",
    CCX_COURSE_PASSING_STATUS: "course_passing_status",
    BADGE_AWARDED: "badge",
    BADGE_REVOKED: "badge",
}

#: Processed when no ``events`` list is configured (the reference's default set).
DEFAULT_EVENT_TYPES: Final[tuple[str, ...]] = (COURSE_PASSING_STATUS, CCX_COURSE_PASSING_STATUS)

#: Our own output types: read back from the shared lifecycle topic only when a requirement or a
#: penalty names them (a badge can require another badge), never by default.
BADGE_LIFECYCLE_TYPES: Final = frozenset({BADGE_AWARDED, BADGE_REVOKED})
