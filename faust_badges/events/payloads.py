"""Payload models of the Open edX event data classes (``openedx-events``), for validation.

Field names are exact. Extra fields are allowed: newer ``openedx-events`` releases add fields,
and rules may look at them. Types are strict: ``"is_passing": "yes"`` is bad input, not True.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from faust_badges.core.errors import BadgesError
from faust_badges.core.event_types import (
    BADGE_AWARDED,
    BADGE_REVOKED,
    CCX_COURSE_PASSING_STATUS,
    COURSE_PASSING_STATUS,
)
from faust_badges.core.learner import UserData


class _Payload(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class UserPersonalDataModel(_Payload):
    username: str = Field(min_length=1)  # the learner's key: an empty one cannot be partitioned
    email: str
    name: str


# The event bus carries a user id as an Avro long, and so do the badge events this job writes:
# a larger JSON number, accepted here, would fail the Avro encoding of the learner's badge.
AVRO_LONG_MIN, AVRO_LONG_MAX = -(2**63), 2**63 - 1


class UserDataModel(_Payload):
    id: int = Field(ge=AVRO_LONG_MIN, le=AVRO_LONG_MAX)
    is_active: bool
    pii: UserPersonalDataModel


class CourseDataModel(_Payload):
    course_key: str
    display_name: str = ""
    start: str | None = None
    end: str | None = None


class CoursePassingStatusModel(_Payload):
    is_passing: bool
    course: CourseDataModel
    user: UserDataModel


class CcxCourseDataModel(_Payload):
    ccx_course_key: str
    master_course_key: str
    display_name: str = ""
    coach_email: str = ""
    start: str | None = None
    end: str | None = None
    max_students_allowed: int | None = None


class CcxCoursePassingStatusModel(_Payload):
    is_passing: bool
    course: CcxCourseDataModel
    user: UserDataModel


class BadgeTemplateModel(_Payload):
    uuid: str
    origin: str
    name: str | None = None
    description: str | None = None
    image_url: str | None = None


class BadgeModel(_Payload):
    uuid: str
    user: UserDataModel
    template: BadgeTemplateModel


class AnyUserPayloadModel(_Payload):
    """Any other configured event: all the job needs is the learner's ``UserData``."""

    user: UserDataModel


PAYLOAD_MODELS: dict[str, type[_Payload]] = {
    COURSE_PASSING_STATUS: CoursePassingStatusModel,
    CCX_COURSE_PASSING_STATUS: CcxCoursePassingStatusModel,
    BADGE_AWARDED: BadgeModel,
    BADGE_REVOKED: BadgeModel,
}


class InvalidPayload(BadgesError, ValueError):
    """The data object does not fit its event type; the message names fields, never values.
    ``reason`` is the dead-letter reason."""

    reason = "invalid_payload"


class MissingUser(InvalidPayload):
    """The data object has no ``UserData``: the event cannot be tied to a learner."""

    reason = "missing_user"


def validate_payload(event_type: str, data: Any) -> UserData:
    """Check the data object of an event and return the learner it is about."""
    if not isinstance(data, dict):
        raise InvalidPayload("the data object is not a mapping")
    if not isinstance(data.get("user"), dict):
        raise MissingUser("payload has no UserData ('user')")
    model = PAYLOAD_MODELS.get(event_type, AnyUserPayloadModel)
    try:
        payload = model.model_validate(data)
    except ValidationError as exc:
        raise InvalidPayload(describe_validation_error(exc)) from None
    return user_data(payload.user)  # type: ignore[attr-defined]


def user_data(user: UserDataModel) -> UserData:
    """The core's ``UserData`` of a validated user."""
    return UserData(
        id=user.id,
        username=user.pii.username,
        email=user.pii.email,
        name=user.pii.name,
        is_active=user.is_active,
    )


def describe_validation_error(exc: ValidationError) -> str:
    # Field locations and error kinds only: input values may be learner PII.
    problems = [
        f"{'.'.join(str(p) for p in error['loc'])}: {error['type']}"
        for error in exc.errors(include_url=False, include_input=False)
    ]
    shown = "; ".join(problems[:5])
    more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
    return f"payload failed validation: {shown}{more}"


def user_from_valid_payload(data: dict[str, Any]) -> UserData:
    """The learner of a data object already checked by ``validate_payload`` (no re-validation)."""
    user = data["user"]
    pii = user["pii"]
    return UserData(
        id=user["id"],
        username=pii["username"],
        email=pii["email"],
        name=pii["name"],
        is_active=user["is_active"],
    )
