"""Read a badge lifecycle event back (the issuer intake reads the ones this job wrote).

The value is decoded in whichever wire format it declares, then checked against ``BadgeData``,
so the caller gets a typed badge or a ``BadBody`` naming what was wrong.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from faust_badges.events.cloudevents import EventMetadata, value_content_type
from faust_badges.events.errors import BadBody
from faust_badges.events.inbound import BodyDecoder
from faust_badges.events.payloads import BadgeModel, describe_validation_error

#: The data key of ``badge.awarded`` and ``badge.revoked``.
BADGE_DATA_KEY = "badge"


async def decode_badge(
    value: bytes | None, meta: EventMetadata, decoders: Mapping[str, BodyDecoder]
) -> BadgeModel:
    """The ``BadgeData`` of a badge event; BadBody when the value does not hold one."""
    content_type = value_content_type(meta, value)
    decoder = decoders.get(content_type)
    if decoder is None:
        raise BadBody("unsupported_content_type", f"content-type {content_type!r}")
    body = await decoder(value or b"", meta.type)
    data = body.get(BADGE_DATA_KEY) if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise BadBody("missing_data_key", f"payload has no {BADGE_DATA_KEY!r} object")
    try:
        return BadgeModel.model_validate(data)
    except ValidationError as exc:
        raise BadBody("invalid_payload", describe_validation_error(exc)) from None
