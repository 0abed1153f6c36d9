"""Every error the job raises on purpose has one root, and is told apart by its type."""

from __future__ import annotations

import pytest

from faust_badges.cli.replay_commands import UnknownTopic
from faust_badges.config_file import ConfigFileError
from faust_badges.core.config_checks import InvalidConfig
from faust_badges.core.errors import BadgesError
from faust_badges.core.explain import UnknownTemplate
from faust_badges.core.issuing import NotInError, UnknownBadge
from faust_badges.events.errors import BadBody
from faust_badges.events.payloads import InvalidPayload, MissingUser, validate_payload
from faust_badges.events.schema_registry import SchemaRegistryError
from faust_badges.providers.base import ProviderError
from faust_badges.settings import InvalidSettings


@pytest.mark.parametrize(
    "error",
    [
        UnknownTopic,
        ConfigFileError,
        InvalidConfig,
        UnknownTemplate,
        NotInError,
        UnknownBadge,
        BadBody,
        InvalidPayload,
        SchemaRegistryError,
        ProviderError,
        InvalidSettings,
    ],
)
def test_every_error_of_the_job_derives_from_badges_error(error: type[Exception]) -> None:
    assert issubclass(error, BadgesError)


def test_a_payload_without_user_data_is_a_missing_user_by_type() -> None:
    with pytest.raises(MissingUser) as caught:
        validate_payload("org.openedx.learning.course.passing.status.updated.v1", {})
    assert caught.value.reason == "missing_user"


def test_a_user_of_the_wrong_shape_is_an_invalid_payload_not_a_missing_user() -> None:
    data = {"user": {"id": "7"}, "is_passing": True}
    with pytest.raises(InvalidPayload) as caught:
        validate_payload("org.openedx.learning.course.passing.status.updated.v1", data)
    assert not isinstance(caught.value, MissingUser)
    assert caught.value.reason == "invalid_payload"
