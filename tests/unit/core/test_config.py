"""Badge config validation: shape, cross-references, and every error with its location."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from faust_badges.core.config import BadgeConfig, CredlyIssuer
from faust_badges.core.config_checks import ConfigError, InvalidConfig, parse_config
from faust_badges.core.event_types import COURSE_PASSING_STATUS

EXAMPLE_FILE = Path(__file__).resolve().parents[3] / "examples" / "badges.yaml"
CUSTOM_TYPE = "org.openedx.learning.course.enrollment.created.v1"


def requirement(requirement_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": requirement_id, "event_type": COURSE_PASSING_STATUS, **fields}


def template(template_id: str, *requirements: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "id": template_id,
        "name": template_id.title(),
        "requirements": list(requirements) or [requirement("pass")],
        **fields,
    }


def errors_of(document: Any) -> list[ConfigError]:
    with pytest.raises(InvalidConfig) as caught:
        parse_config(document)
    return caught.value.errors


def error_at(document: Any, where: str) -> ConfigError:
    """The one error reported at ``where`` (fails listing all errors when there is none)."""
    errors = errors_of(document)
    found = [error for error in errors if error.where == where]
    assert len(found) == 1, [str(error) for error in errors]
    return found[0]


# --- valid documents ------------------------------------------------------------------------


def test_the_example_file_is_valid() -> None:
    config = parse_config(yaml.safe_load(EXAMPLE_FILE.read_text(encoding="utf-8")))
    assert [t.id for t in config.templates] == [
        "python-fundamentals",
        "data-science-track",
        "any-course-passed",
        "legacy-badge",
    ]


def test_a_minimal_document_is_valid() -> None:
    config = parse_config({"templates": [template("first-pass")]})
    assert config.templates[0].requirements[0].id == "pass"


def test_an_empty_mapping_is_a_valid_config_without_templates() -> None:
    assert parse_config({}) == BadgeConfig()


def test_a_credly_issuer_whose_organization_is_listed_is_valid() -> None:
    document = {
        "templates": [
            template(
                "py",
                issuer={"provider": "credly", "organization_id": "org-1", "template_id": "t-1"},
            )
        ],
        "providers": {"credly": {"organizations": [{"id": "org-1", "api_key_env": "CREDLY_KEY"}]}},
    }
    assert isinstance(parse_config(document).templates[0].issuer, CredlyIssuer)


def test_a_custom_event_type_declared_with_a_data_key_is_usable_by_requirements() -> None:
    document = {
        "events": [COURSE_PASSING_STATUS, {"type": CUSTOM_TYPE, "data_key": "enrollment"}],
        "templates": [template("enrolled", requirement("enrolled", event_type=CUSTOM_TYPE))],
    }
    config = parse_config(document)
    assert config.templates[0].requirements[0].event_type == CUSTOM_TYPE


# --- a document with many problems reports all of them ---------------------------------------

MANY_PROBLEMS: dict[str, Any] = {
    "events": [COURSE_PASSING_STATUS, CUSTOM_TYPE],
    "templates": [
        template(
            "python",
            requirement("py101"),
            requirement("py201", rules=[{"path": "is_passing", "op": "equals", "value": True}]),
            penalties=[
                {
                    "id": "lost",
                    "event_type": COURSE_PASSING_STATUS,
                    "requirements": ["py101", "py301"],
                }
            ],
        ),
        template("python", requirement("again"), requirement("again")),
        template(
            "Bad Slug!",
            requirement("odd", event_type="org.example.unknown.v1"),
            descripton="misspelt key",
        ),
        template(
            "credly-badge",
            issuer={"provider": "credly", "organization_id": "org-x", "template_id": "t-1"},
        ),
        template(
            "accredible-badge",
            issuer={"provider": "accredible", "api_config": "secondary", "group_id": 12},
        ),
    ],
    "providers": {
        "credly": {"organizations": [{"id": "org-1", "api_key_env": "CREDLY_KEY"}]},
        "accredible": {"api_configs": [{"name": "main", "api_key_env": "ACCREDIBLE_KEY"}]},
    },
}

EXPECTED_PROBLEMS: list[tuple[str, str]] = [
    ("events[1]", f"event type {CUSTOM_TYPE!r} is not one the job knows"),
    ("templates[0].requirements[1].rules[0].op", "unknown operator 'equals'"),
    ("templates[0].penalties[0].requirements[1]", "'py301'"),
    ("templates[1].id", "duplicate template id 'python'"),
    ("templates[1].requirements[1].id", "duplicate requirement id 'again'"),
    ("templates[2].id", "'Bad Slug!' is not a slug"),
    ("templates[2].descripton", "unknown key"),
    ("templates[2].requirements[0].event_type", "unknown event type 'org.example.unknown.v1'"),
    ("templates[3].issuer.organization_id", "not listed under providers.credly.organizations"),
    ("templates[4].issuer.api_config", "not listed under providers.accredible.api_configs"),
]


@pytest.mark.parametrize(("where", "message"), EXPECTED_PROBLEMS)
def test_a_document_with_many_problems_reports_each_at_its_location(
    where: str, message: str
) -> None:
    assert message in error_at(MANY_PROBLEMS, where).message


def test_a_document_with_many_problems_reports_exactly_those_problems() -> None:
    reported = sorted(error.where for error in errors_of(MANY_PROBLEMS))
    assert reported == sorted(where for where, _ in EXPECTED_PROBLEMS)


def test_the_invalid_config_message_lists_every_error() -> None:
    with pytest.raises(InvalidConfig) as caught:
        parse_config(MANY_PROBLEMS)
    text = str(caught.value)
    assert text.startswith(f"badge config has {len(EXPECTED_PROBLEMS)} error(s):")
    for where, _ in EXPECTED_PROBLEMS:
        assert f"  - {where}: " in text


def test_error_messages_contain_no_stack_traces_or_pydantic_noise() -> None:
    for error in errors_of(MANY_PROBLEMS):
        assert "Traceback" not in error.message
        assert 'File "' not in error.message
        assert "Value error," not in error.message
        assert "errors.pydantic.dev" not in error.message


# --- single problems ------------------------------------------------------------------------


def test_a_duplicate_penalty_id_is_reported_at_the_second_one() -> None:
    penalty = {"id": "lost", "event_type": COURSE_PASSING_STATUS, "requirements": ["pass"]}
    document = {"templates": [template("py", penalties=[penalty, penalty])]}
    assert (
        "duplicate penalty id 'lost'" in error_at(document, "templates[0].penalties[1].id").message
    )


def test_requirement_ids_may_repeat_across_templates() -> None:
    document = {"templates": [template("one"), template("two")]}
    assert len(parse_config(document).templates) == 2


def test_a_penalty_cannot_reset_a_requirement_of_another_template() -> None:
    penalty = {"id": "lost", "event_type": COURSE_PASSING_STATUS, "requirements": ["elsewhere"]}
    document = {
        "templates": [
            template("one", requirement("elsewhere")),
            template("two", penalties=[penalty]),
        ]
    }
    error_at(document, "templates[1].penalties[0].requirements[0]")


def test_a_rule_value_that_does_not_fit_its_operator_is_reported_at_the_rule() -> None:
    rule = {"path": "course.course_key", "op": "eq", "value": ["a", "b"]}
    document = {"templates": [template("py", requirement("r", rules=[rule]))]}
    error = error_at(document, "templates[0].requirements[0].rules[0]")
    assert error.message.startswith("'eq' needs a string, number or boolean value")


def test_a_bad_regex_is_reported_at_the_rule() -> None:
    rule = {"path": "course.course_key", "op": "regex", "value": "course-v1:(unclosed"}
    document = {"templates": [template("py", requirement("r", rules=[rule]))]}
    assert "does not compile" in error_at(document, "templates[0].requirements[0].rules[0]").message


def test_a_misspelt_rule_key_is_reported_at_that_key() -> None:
    rule = {"path": "is_passing", "op": "eq", "vaule": True}
    document = {"templates": [template("py", requirement("r", rules=[rule]))]}
    errors = errors_of(document)
    assert "templates[0].requirements[0].rules[0].vaule" in [e.where for e in errors]


def test_a_path_with_an_empty_part_is_rejected() -> None:
    rule = {"path": "course..course_key", "op": "exists", "value": True}
    document = {"templates": [template("py", requirement("r", rules=[rule]))]}
    assert (
        "not a dot path" in error_at(document, "templates[0].requirements[0].rules[0].path").message
    )


def test_an_active_template_without_requirements_is_rejected() -> None:
    document = {"templates": [{"id": "py", "name": "Py", "requirements": []}]}
    message = error_at(document, "templates[0].requirements").message
    assert message == "an active template needs at least one requirement"


def test_an_inactive_template_may_wait_for_its_requirements() -> None:
    # What template sync adds: inactive, for an operator to complete.
    document = {"templates": [{"id": "py", "name": "Py", "active": False}]}
    assert parse_config(document).templates[0].requirements == ()


def test_an_issuer_error_is_located_without_the_provider_tag() -> None:
    document = {
        "templates": [template("py", issuer={"provider": "credly", "organization_id": "org-1"})],
        "providers": {"credly": {"organizations": [{"id": "org-1", "api_key_env": "KEY"}]}},
    }
    error_at(document, "templates[0].issuer.template_id")


def test_an_unknown_issuer_provider_is_reported_at_the_issuer() -> None:
    document = {"templates": [template("py", issuer={"provider": "badgr"})]}
    error_at(document, "templates[0].issuer")


def test_a_custom_event_type_given_by_name_only_needs_a_data_key() -> None:
    document = {"events": [CUSTOM_TYPE], "templates": [template("py")]}
    assert "data_key" in error_at(document, "events[0]").message


def test_a_requirement_on_an_undeclared_custom_event_type_is_rejected() -> None:
    document = {"templates": [template("py", requirement("r", event_type=CUSTOM_TYPE))]}
    error_at(document, "templates[0].requirements[0].event_type")


def test_a_penalty_on_an_unknown_event_type_is_rejected() -> None:
    penalty = {"id": "lost", "event_type": "org.example.unknown.v1", "requirements": ["pass"]}
    document = {"templates": [template("py", penalties=[penalty])]}
    error_at(document, "templates[0].penalties[0].event_type")


def test_a_config_error_at_the_document_root_prints_as_document() -> None:
    assert str(ConfigError((), "bad")) == "<document>: bad"


# --- documents that are not mappings --------------------------------------------------------


@pytest.mark.parametrize("document", [None, [], ["templates"], "templates", 42])
def test_a_non_mapping_document_is_rejected_at_the_document_root(document: Any) -> None:
    errors = errors_of(document)
    assert any(e.where == "" and "mapping" in e.message for e in errors)


@pytest.mark.parametrize("document", [None, ["templates"], "templates"])
def test_a_non_mapping_document_is_rejected_with_one_error(document: Any) -> None:
    assert len(errors_of(document)) == 1


@pytest.mark.parametrize(
    "document",
    [
        {"templates": [template("py", id=["py"])]},
        {"templates": [template("py", requirement("r", id={"name": "r"}))]},
        {
            "templates": [
                template(
                    "py",
                    penalties=[
                        {"id": "p", "event_type": COURSE_PASSING_STATUS, "requirements": [["r"]]}
                    ],
                )
            ]
        },
        {
            "templates": [
                template(
                    "py",
                    issuer={"provider": "credly", "organization_id": ["o"], "template_id": "t"},
                )
            ]
        },
    ],
    ids=["template-id-list", "requirement-id-mapping", "penalty-target-list", "organization-list"],
)
def test_an_unhashable_id_is_a_config_error_not_a_crash(document: dict[str, Any]) -> None:
    assert errors_of(document)
