"""The badge configuration document (SPEC §3): templates, requirements, penalties, providers.

These models check the shape of each part; the checks that span parts (unique ids, references
between requirements and penalties, known event types, configured issuers) live in
``config_checks`` so that one pass can list every error of a document at once.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from faust_badges.core.operators import Operator, check_rule_value

SLUG = r"^[a-z0-9][a-z0-9_.-]{0,127}$"


class _Strict(BaseModel):
    # A misspelt key ("requirments") must be an error, not silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Strict):
    """One condition on the event's data object: ``path op value``."""

    path: str = Field(min_length=1)
    op: Operator
    value: Any = None

    @field_validator("path")
    @classmethod
    def _dot_path(cls, path: str) -> str:
        if any(part == "" for part in path.split(".")):
            raise ValueError(f"{path!r} is not a dot path like 'course.course_key'")
        return path

    @model_validator(mode="after")
    def _value_fits_operator(self) -> Rule:
        check_rule_value(self.op, self.value)
        return self


class Requirement(_Strict):
    """A condition that moves a learner towards a badge; a group's requirements are alternatives."""

    id: str = Field(pattern=SLUG)
    event_type: str = Field(min_length=1)
    group: str | None = None
    description: str = ""
    rules: tuple[Rule, ...] = ()


class Penalty(_Strict):
    """A condition that resets the learner's fulfilment of the named requirements."""

    id: str = Field(pattern=SLUG)
    event_type: str = Field(min_length=1)
    requirements: tuple[str, ...] = Field(min_length=1)
    description: str = ""
    rules: tuple[Rule, ...] = ()


class CredlyIssuer(_Strict):
    provider: Literal["credly"]
    organization_id: str = Field(min_length=1)
    template_id: str = Field(min_length=1)


class AccredibleIssuer(_Strict):
    provider: Literal["accredible"]
    api_config: str = Field(min_length=1)
    group_id: int


class OpenBadgesIssuer(_Strict):
    """Issued by this job itself as a signed Open Badges 3.0 credential."""

    provider: Literal["openbadges"]
    # The achievement's criteria narrative; by default the requirements' descriptions.
    criteria: str | None = None


class NoIssuer(_Strict):
    provider: Literal["none"] = "none"


Issuer = Annotated[
    CredlyIssuer | AccredibleIssuer | OpenBadgesIssuer | NoIssuer, Field(discriminator="provider")
]


class Template(_Strict):
    """A badge: what it looks like, who issues it, and what earns and loses it."""

    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1)
    description: str = ""
    image_url: str | None = None
    active: bool = True
    issuer: Issuer = Field(default_factory=NoIssuer)
    # validate_default: a missing list is checked too (an active template needs requirements).
    requirements: tuple[Requirement, ...] = Field(default=(), validate_default=True)
    penalties: tuple[Penalty, ...] = ()

    @field_validator("requirements")
    @classmethod
    def _active_needs_requirements(
        cls, requirements: tuple[Requirement, ...], info: ValidationInfo
    ) -> tuple[Requirement, ...]:
        # Synced templates arrive inactive and empty: an operator completes them first.
        if not requirements and info.data.get("active", True):
            raise ValueError("an active template needs at least one requirement")
        return requirements


class CredlyOrganization(_Strict):
    id: str = Field(min_length=1)
    api_key_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")


class CredlyProvider(_Strict):
    sandbox: bool = False
    api_base_url: str | None = None
    organizations: tuple[CredlyOrganization, ...] = ()


class AccredibleApiConfig(_Strict):
    name: str = Field(min_length=1)
    api_key_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")


class AccredibleProvider(_Strict):
    sandbox: bool = False
    api_base_url: str | None = None
    api_configs: tuple[AccredibleApiConfig, ...] = ()


HTTP_URL = r"^https?://[^\s/?#]+[^\s?#]*$"


class OpenBadgesProfile(_Strict):
    """The issuing organisation, as Open Badges credentials name it."""

    id: str | None = Field(default=None, pattern=HTTP_URL)  # default: <public_base_url>/ob/issuer
    name: str = Field(min_length=1)
    url: str | None = Field(default=None, pattern=HTTP_URL)
    email: str | None = Field(default=None, pattern=r"^[^\s@]+@[^\s@]+$")
    image: str | None = Field(default=None, pattern=HTTP_URL)


class OpenBadgesProvider(_Strict):
    """Self-hosted Open Badges 3.0 issuing: where the job is reached, who issues, which key."""

    public_base_url: str = Field(pattern=HTTP_URL)  # the worker's /ob/ views, as verifiers see it
    issuer: OpenBadgesProfile
    signing_key_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    signing_key_file: str | None = Field(default=None, min_length=1)
    show_recipient_name: bool = False  # on the public badge page

    @model_validator(mode="after")
    def _one_key_source(self) -> OpenBadgesProvider:
        if (self.signing_key_env is None) == (self.signing_key_file is None):
            raise ValueError("name the signing key by signing_key_env or signing_key_file (one)")
        return self

    @property
    def base_url(self) -> str:
        return self.public_base_url.rstrip("/")

    @property
    def issuer_id(self) -> str:
        return self.issuer.id or f"{self.base_url}/ob/issuer"


class Providers(_Strict):
    credly: CredlyProvider = Field(default_factory=CredlyProvider)
    accredible: AccredibleProvider = Field(default_factory=AccredibleProvider)
    openbadges: OpenBadgesProvider | None = None


class EventType(_Strict):
    """An event type to process; ``data_key`` is needed only for types the job does not know."""

    type: str = Field(min_length=1)
    data_key: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_plain_name(cls, raw: Any) -> Any:
        # `events: [org.openedx...v1]` is the common case: a bare name is accepted.
        return {"type": raw} if isinstance(raw, str) else raw


class BadgeConfig(_Strict):
    """The whole document, as published on the config topic."""

    events: tuple[EventType, ...] | None = None
    templates: tuple[Template, ...] = ()
    providers: Providers = Field(default_factory=Providers)
