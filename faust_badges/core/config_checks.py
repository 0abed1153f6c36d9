"""Validate a whole badge config document and list every error with its location.

Shape errors come from the pydantic models; the checks here span parts of the document. They read
the raw document defensively, so that a document with both kinds of error reports all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from faust_badges.core.config import BadgeConfig
from faust_badges.core.errors import BadgesError
from faust_badges.core.event_types import KNOWN_DATA_KEYS

Location = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ConfigError:
    """One problem in the document: where it is and what is wrong."""

    location: Location
    message: str

    @property
    def where(self) -> str:
        """The location as ``templates[0].requirements[1].rules[0].op``."""
        return format_location(self.location)

    def __str__(self) -> str:
        return f"{self.where or '<document>'}: {self.message}"


class InvalidConfig(BadgesError, ValueError):
    """The document was rejected; ``errors`` lists every problem found."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        listing = "\n".join(f"  - {error}" for error in errors)
        super().__init__(f"badge config has {len(errors)} error(s):\n{listing}")


def format_location(location: Location) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not str(part).isprintable():
            # Quoted: a key holding a line break or a control character would split the one
            # line an error is printed on.
            text += f"[{str(part)!r}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def parse_config(document: Any) -> BadgeConfig:
    """Return the validated config, or raise InvalidConfig listing every error in the document."""
    if not isinstance(document, dict):
        raise InvalidConfig(
            [ConfigError((), "the config must be a mapping with a 'templates' list")]
        )
    errors: list[ConfigError] = []
    config: BadgeConfig | None = None
    try:
        config = BadgeConfig.model_validate(document)
    except ValidationError as exc:
        errors.extend(_from_pydantic(exc))
    errors.extend(cross_reference_errors(document))
    if errors or config is None:
        raise InvalidConfig(sorted(set(errors), key=_error_order))
    return config


def _error_order(error: ConfigError) -> tuple[str, str]:
    return (error.where, error.message)


def _from_pydantic(exc: ValidationError) -> Iterator[ConfigError]:
    details = exc.errors(include_url=False)
    failed_items = {tuple(d["loc"][:-1]) for d in details if len(d["loc"]) > 1}
    for detail in details:
        location = tuple(detail["loc"])
        # pydantic counts a list's length after dropping its invalid items, so a list whose items
        # all failed is also called "too short": the item errors already say what is wrong.
        if detail["type"] == "too_short" and any(
            loc[: len(location)] == location for loc in failed_items
        ):
            continue
        # A tagged union adds the tag to the location (issuer.credly.template_id): drop it.
        location = tuple(p for i, p in enumerate(location) if not _is_union_tag(location, i))
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "extra_forbidden":
            message = "unknown key (misspelt?)"
        elif detail["type"] == "enum":
            message = f"unknown operator {detail['input']!r}; expected {detail['ctx']['expected']}"
        elif detail["type"] == "union_tag_invalid":
            # Quoted: pydantic's own message holds the input as is, line breaks included.
            tag, expected = detail["ctx"]["tag"], detail["ctx"]["expected_tags"]
            message = f"unknown provider {tag!r}; expected {expected}"
        elif detail["type"] == "too_short":
            message = f"needs at least {detail['ctx']['min_length']} item(s)"
        elif detail["type"] == "string_pattern_mismatch" and location[-1] == "id":
            message = f"{detail['input']!r} is not a slug (lowercase letters, digits, -_.)"
        yield ConfigError(location, message)


def _is_union_tag(location: Location, index: int) -> bool:
    return (
        index > 0
        and location[index - 1] == "issuer"
        and location[index]
        in (
            "credly",
            "accredible",
            "openbadges",
            "none",
        )
    )


def cross_reference_errors(document: dict[str, Any]) -> Iterator[ConfigError]:
    """Errors that span parts: duplicate ids, dangling references, unknown event types, issuers."""
    declared = _declared_event_types(document.get("events"))
    yield from _event_types_missing_data_key(document.get("events"))
    credly_orgs = _ids(_get(document, "providers", "credly", "organizations"), "id")
    accredible_configs = _ids(_get(document, "providers", "accredible", "api_configs"), "name")
    openbadges = _get(document, "providers", "openbadges")
    templates = document.get("templates")
    if not isinstance(templates, list):
        return
    yield from _duplicates(templates, "id", ("templates",), "template")
    for t_index, template in enumerate(templates):
        if not isinstance(template, dict):
            continue
        here: Location = ("templates", t_index)
        requirements = _list(template.get("requirements"))
        penalties = _list(template.get("penalties"))
        yield from _duplicates(requirements, "id", (*here, "requirements"), "requirement")
        yield from _duplicates(penalties, "id", (*here, "penalties"), "penalty")
        for kind, items in (("requirements", requirements), ("penalties", penalties)):
            for index, item in enumerate(items):
                event_type = item.get("event_type") if isinstance(item, dict) else None
                if isinstance(event_type, str) and event_type not in declared:
                    yield ConfigError(
                        (*here, kind, index, "event_type"), _unknown_event_type(event_type)
                    )
        requirement_ids = _ids(requirements, "id")
        for p_index, penalty in enumerate(penalties):
            targets = penalty.get("requirements") if isinstance(penalty, dict) else None
            for r_index, target in enumerate(_list(targets)):
                if _is_id(target) and target not in requirement_ids:
                    yield ConfigError(
                        (*here, "penalties", p_index, "requirements", r_index),
                        f"penalty resets requirement {target!r}, which this template does not have",
                    )
        yield from _issuer_errors(
            template.get("issuer"), here, credly_orgs, accredible_configs, openbadges
        )


def _unknown_event_type(event_type: str) -> str:
    return (
        f"unknown event type {event_type!r}: use one the job knows "
        f"({', '.join(sorted(KNOWN_DATA_KEYS))}) or declare it under 'events' with its data_key"
    )


def _declared_event_types(events: Any) -> set[str]:
    declared = set(KNOWN_DATA_KEYS)
    for entry in _event_entries(events):
        if entry.get("data_key"):
            declared.add(entry["type"])
    return declared


def _event_entries(events: Any) -> Iterator[dict[str, Any]]:
    # Entries are `{type, data_key}` mappings or bare type names.
    for entry in _list(events):
        if isinstance(entry, str):
            entry = {"type": entry}
        if isinstance(entry, dict) and isinstance(entry.get("type"), str):
            yield entry


def _issuer_errors(
    issuer: Any,
    here: Location,
    credly_orgs: set[Any],
    accredible_configs: set[Any],
    openbadges: Any,
) -> Iterator[ConfigError]:
    if not isinstance(issuer, dict):
        return
    # provider -> (the issuer key naming a provider account, the accounts listed, where they are)
    accounts = {
        "credly": ("organization_id", credly_orgs, "providers.credly.organizations"),
        "accredible": ("api_config", accredible_configs, "providers.accredible.api_configs"),
    }
    provider = issuer.get("provider")
    if provider == "openbadges" and not isinstance(openbadges, dict):
        yield ConfigError(
            (*here, "issuer", "provider"), "openbadges needs providers.openbadges to be configured"
        )
    if not isinstance(provider, str) or provider not in accounts:  # a list is no dict key
        return
    key, listed, listing = accounts[provider]
    if _is_id(issuer.get(key)) and issuer[key] not in listed:
        yield ConfigError(
            (*here, "issuer", key), f"{key} {issuer[key]!r} is not listed under {listing}"
        )


def _event_types_missing_data_key(events: Any) -> Iterator[ConfigError]:
    for index, entry in enumerate(_list(events)):
        mapping = entry if isinstance(entry, dict) else {"type": entry}
        name, data_key = mapping.get("type"), mapping.get("data_key")
        if isinstance(name, str) and name not in KNOWN_DATA_KEYS and not data_key:
            yield ConfigError(
                ("events", index),
                f"event type {name!r} is not one the job knows: give it as "
                "{type: ..., data_key: ...}",
            )


def _duplicates(items: list[Any], key: str, where: Location, noun: str) -> Iterator[ConfigError]:
    seen: set[Any] = set()
    for index, item in enumerate(items):
        value = item.get(key) if isinstance(item, dict) else None
        if not _is_id(value):
            continue  # a missing or malformed id is reported by the models
        if value in seen:
            yield ConfigError((*where, index, key), f"duplicate {noun} id {value!r}")
        seen.add(value)


def _ids(items: Any, key: str) -> set[Any]:
    return {item[key] for item in _list(items) if isinstance(item, dict) and _is_id(item.get(key))}


def _is_id(value: Any) -> bool:
    # Ids are compared in sets: a list or mapping where an id belongs is a shape error instead.
    return isinstance(value, str | int) and not isinstance(value, bool)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _get(document: dict[str, Any], *keys: str) -> Any:
    current: Any = document
    for key in keys:
        if not isinstance(current, dict):
            return None
        current = current.get(key)
    return current
