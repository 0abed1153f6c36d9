"""Provider template sync (SPEC §6): Credly templates and Accredible groups folded into the config.

Configs are built as plain documents through ``parse_config``, and every sync result must pass
``parse_config`` again: a sync never leaves a config that ``config apply`` would reject.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from faust_badges.core.config import BadgeConfig, Template
from faust_badges.core.config_checks import parse_config
from faust_badges.core.event_types import COURSE_PASSING_STATUS
from faust_badges.core.sync import (
    SyncSummary,
    remove_credly_template,
    sync_accredible_groups,
    sync_credly_templates,
)

ORG = "6d3f3a46-0000-4000-8000-000000000001"
OTHER_ORG = "6d3f3a46-0000-4000-8000-000000000002"
PY_TEMPLATE = "0b9d3e62-0000-4000-8000-00000000000a"
DATA_TEMPLATE = "0b9d3e62-0000-4000-8000-00000000000b"
API_CONFIG, OTHER_API_CONFIG = "main", "partners"
PY101_RULES = [{"path": "course.course_key", "op": "eq", "value": "course-v1:edX+Py101+2026"}]


# -- building configs and provider answers ---------------------------------------------------------


def requirement(requirement_id: str = "py101") -> dict[str, Any]:
    return {"id": requirement_id, "event_type": COURSE_PASSING_STATUS, "rules": PY101_RULES}


def credly_template(
    template_id: str, provider_id: str, *, organization: str = ORG, **fields: Any
) -> dict[str, Any]:
    """A configured template issued by Credly, active with one requirement unless told."""
    return {
        "id": template_id,
        "name": template_id.replace("-", " ").title(),
        "issuer": {
            "provider": "credly",
            "organization_id": organization,
            "template_id": provider_id,
        },
        "requirements": [requirement()],
        **fields,
    }


def accredible_template(
    template_id: str, group_id: int, *, api_config: str = API_CONFIG, **fields: Any
) -> dict[str, Any]:
    return {
        "id": template_id,
        "name": template_id.replace("-", " ").title(),
        "issuer": {"provider": "accredible", "api_config": api_config, "group_id": group_id},
        "requirements": [requirement()],
        **fields,
    }


def make_config(*templates: dict[str, Any]) -> BadgeConfig:
    return parse_config(
        {
            "templates": list(templates),
            "providers": {
                "credly": {
                    "organizations": [
                        {"id": ORG, "api_key_env": "CREDLY_ORG1_API_KEY"},
                        {"id": OTHER_ORG, "api_key_env": "CREDLY_ORG2_API_KEY"},
                    ]
                },
                "accredible": {
                    "api_configs": [
                        {"name": API_CONFIG, "api_key_env": "ACCREDIBLE_API_KEY"},
                        {"name": OTHER_API_CONFIG, "api_key_env": "ACCREDIBLE_PARTNERS_KEY"},
                    ]
                },
            },
        }
    )


def credly(provider_id: str, name: str, state: str = "active", **fields: Any) -> dict[str, Any]:
    """A badge template as Credly lists it."""
    return {"id": provider_id, "name": name, "state": state, **fields}


def group(group_id: int, course_name: str, **fields: Any) -> dict[str, Any]:
    """A group as Accredible lists it."""
    return {"id": group_id, "course_name": course_name, **fields}


def still_valid(config: BadgeConfig) -> BadgeConfig:
    """The config as ``config apply`` would see it after the sync (raises if it is rejected)."""
    return parse_config(config.model_dump(mode="json"))


def sync_credly(
    config: BadgeConfig, templates: Iterable[dict[str, Any]], organization: str = ORG
) -> tuple[BadgeConfig, SyncSummary]:
    synced, summary = sync_credly_templates(config, organization, templates)
    still_valid(synced)
    return synced, summary


def sync_accredible(
    config: BadgeConfig, groups: Iterable[dict[str, Any]], api_config: str = API_CONFIG
) -> tuple[BadgeConfig, SyncSummary]:
    synced, summary = sync_accredible_groups(config, api_config, groups)
    still_valid(synced)
    return synced, summary


def by_id(config: BadgeConfig, template_id: str) -> Template:
    return next(t for t in config.templates if t.id == template_id)


# -- Credly: new templates -------------------------------------------------------------------------


def test_a_new_credly_template_is_added_inactive_without_requirements() -> None:
    synced, _ = sync_credly(make_config(), [credly(PY_TEMPLATE, "Python Fundamentals")])

    added = by_id(synced, "credly-python-fundamentals")
    assert added.active is False
    assert added.requirements == ()
    assert added.penalties == ()


def test_an_added_credly_template_is_issued_by_its_organization_and_template() -> None:
    synced, _ = sync_credly(make_config(), [credly(PY_TEMPLATE, "Python Fundamentals")])

    issuer = by_id(synced, "credly-python-fundamentals").issuer.model_dump()
    assert issuer == {"provider": "credly", "organization_id": ORG, "template_id": PY_TEMPLATE}


def test_an_added_credly_template_takes_the_providers_name_description_and_image() -> None:
    listed = credly(
        PY_TEMPLATE,
        "Python Fundamentals",
        description="Passed the core Python courses",
        image_url="https://example.org/py.png",
    )

    synced, _ = sync_credly(make_config(), [listed])

    added = by_id(synced, "credly-python-fundamentals")
    assert (added.name, added.description, added.image_url) == (
        "Python Fundamentals",
        "Passed the core Python courses",
        "https://example.org/py.png",
    )


def test_existing_templates_are_kept_ahead_of_the_added_ones() -> None:
    config = make_config(credly_template("python", PY_TEMPLATE))

    synced, _ = sync_credly(config, [credly(DATA_TEMPLATE, "Data Science")])

    assert [t.id for t in synced.templates] == ["python", "credly-data-science"]
    assert by_id(synced, "python") == by_id(config, "python")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Python: Fundamentals (2026)!", "credly-python-fundamentals-2026"),
        ("✓✓✓", "credly-template"),
        ("", f"credly-{PY_TEMPLATE}"),  # no name: named after its id
    ],
)
def test_an_added_template_gets_a_slug_of_its_name(name: str, slug: str) -> None:
    synced, summary = sync_credly(make_config(), [credly(PY_TEMPLATE, name)])

    assert summary.added == [slug]
    assert [t.id for t in synced.templates] == [slug]


def test_a_very_long_name_still_gives_a_valid_slug() -> None:
    synced, summary = sync_credly(make_config(), [credly(PY_TEMPLATE, "Advanced " * 40)])

    assert len(summary.added[0]) <= 128
    assert by_id(synced, summary.added[0]).name == "Advanced " * 40


def test_a_slug_clash_gets_a_suffix_of_the_provider_id() -> None:
    config = make_config(credly_template("credly-python", DATA_TEMPLATE))

    synced, summary = sync_credly(config, [credly(PY_TEMPLATE, "Python")])

    assert summary.added == ["credly-python-0b9d3e62"]
    assert [t.id for t in synced.templates] == ["credly-python", "credly-python-0b9d3e62"]


def test_two_new_templates_with_one_name_get_different_ids() -> None:
    listed = [credly(PY_TEMPLATE, "Python"), credly(DATA_TEMPLATE, "Python")]

    _, summary = sync_credly(make_config(), listed)

    assert summary.added == ["credly-python", "credly-python-0b9d3e62"]


def test_three_new_templates_with_one_name_get_different_ids() -> None:
    third = "0b9d3e62-0000-4000-8000-00000000000c"
    listed = [credly(provider_id, "Python") for provider_id in (PY_TEMPLATE, DATA_TEMPLATE, third)]

    _, summary = sync_credly(make_config(), listed)

    assert len(set(summary.added)) == 3


def test_an_inactive_provider_template_we_do_not_have_is_ignored() -> None:
    config = make_config()

    synced, summary = sync_credly(config, [credly(PY_TEMPLATE, "Python", state="archived")])

    assert synced == config
    assert summary == SyncSummary()


def test_a_provider_template_without_a_state_counts_as_active() -> None:
    listed = [{"id": PY_TEMPLATE, "name": "Python"}]

    _, summary = sync_credly(make_config(), listed)

    assert summary.added == ["credly-python"]


# -- Credly: templates we already have -------------------------------------------------------------


def test_a_configured_template_gets_the_providers_name_description_and_image() -> None:
    config = make_config(credly_template("python", PY_TEMPLATE, image_url="https://old/py.png"))
    listed = credly(
        PY_TEMPLATE, "Python 2026", description="Renamed", image_url="https://new/py.png"
    )

    synced, summary = sync_credly(config, [listed])

    updated = by_id(synced, "python")
    assert (updated.name, updated.description, updated.image_url) == (
        "Python 2026",
        "Renamed",
        "https://new/py.png",
    )
    assert summary.updated == ["python"]
    assert summary.added == []


def test_an_update_keeps_the_requirements_and_the_active_flag() -> None:
    config = make_config(credly_template("python", PY_TEMPLATE))

    synced, _ = sync_credly(config, [credly(PY_TEMPLATE, "Python 2026")])

    updated, before = by_id(synced, "python"), by_id(config, "python")
    assert updated.active is True
    assert updated.requirements == before.requirements
    assert updated.issuer == before.issuer


def test_an_update_without_an_image_keeps_ours() -> None:
    config = make_config(credly_template("python", PY_TEMPLATE, image_url="https://ours/py.png"))

    synced, _ = sync_credly(config, [credly(PY_TEMPLATE, "Python 2026")])

    assert by_id(synced, "python").image_url == "https://ours/py.png"


def test_an_unchanged_template_is_not_reported_as_updated() -> None:
    config = make_config(credly_template("python", PY_TEMPLATE, name="Python", description="Py"))

    synced, summary = sync_credly(config, [credly(PY_TEMPLATE, "Python", description="Py")])

    assert synced == config
    assert summary == SyncSummary()


def test_a_template_configured_for_another_organization_is_not_updated() -> None:
    config = make_config(credly_template("python", PY_TEMPLATE, organization=OTHER_ORG))

    synced, summary = sync_credly(config, [credly(PY_TEMPLATE, "Python 2026")])

    assert by_id(synced, "python") == by_id(config, "python")
    assert summary.updated == []
    assert summary.added == ["credly-python-2026"]
    assert by_id(synced, "credly-python-2026").issuer.model_dump()["organization_id"] == ORG


def test_a_template_the_provider_deactivated_is_deactivated_keeping_its_data() -> None:
    penalty = {"id": "py101-failed", "event_type": COURSE_PASSING_STATUS, "requirements": ["py101"]}
    config = make_config(credly_template("python", PY_TEMPLATE, penalties=[penalty]))

    synced, summary = sync_credly(config, [credly(PY_TEMPLATE, "Python", state="archived")])

    deactivated, before = by_id(synced, "python"), by_id(config, "python")
    assert deactivated.active is False
    assert deactivated.requirements == before.requirements
    assert deactivated.penalties == before.penalties
    assert deactivated.issuer == before.issuer
    assert summary.deactivated == ["python"]
    assert summary.updated == []


def test_a_template_already_inactive_is_not_deactivated_again() -> None:
    config = make_config(credly_template("python", PY_TEMPLATE, name="Python", active=False))

    synced, summary = sync_credly(config, [credly(PY_TEMPLATE, "Python", state="archived")])

    assert by_id(synced, "python").active is False
    assert summary.deactivated == []


def test_a_template_an_operator_deactivated_is_not_reactivated_by_the_provider() -> None:
    config = make_config(credly_template("python", PY_TEMPLATE, name="Python", active=False))

    synced, _ = sync_credly(config, [credly(PY_TEMPLATE, "Python")])

    assert by_id(synced, "python").active is False


def test_a_template_of_another_provider_is_left_alone() -> None:
    config = make_config(accredible_template("python-accredible", 123))

    synced, summary = sync_credly(config, [credly(PY_TEMPLATE, "Python", state="deleted")])

    assert synced == config
    assert summary == SyncSummary()


# -- Credly: a deleted template --------------------------------------------------------------------


def test_removing_a_credly_template_deactivates_ours() -> None:
    config = make_config(credly_template("python", PY_TEMPLATE))

    synced, summary = remove_credly_template(config, ORG, PY_TEMPLATE)

    assert by_id(still_valid(synced), "python").active is False
    assert by_id(synced, "python").requirements == by_id(config, "python").requirements
    assert summary.deactivated == ["python"]


def test_removing_a_credly_template_we_do_not_have_changes_nothing() -> None:
    config = make_config(credly_template("python", PY_TEMPLATE))

    synced, summary = remove_credly_template(config, ORG, DATA_TEMPLATE)

    assert synced == config
    assert summary == SyncSummary()


def test_removing_a_template_of_another_organization_changes_nothing() -> None:
    config = make_config(credly_template("python", PY_TEMPLATE, organization=OTHER_ORG))

    synced, _ = remove_credly_template(config, ORG, PY_TEMPLATE)

    assert synced == config


# -- Accredible ------------------------------------------------------------------------------------


def test_a_new_accredible_group_is_added_inactive_without_requirements() -> None:
    listed = [group(123, "Data Science", course_description="The data track")]

    synced, summary = sync_accredible(make_config(), listed)

    added = by_id(synced, "accredible-data-science")
    assert summary.added == ["accredible-data-science"]
    assert added.active is False
    assert added.requirements == ()
    assert added.description == "The data track"
    assert added.issuer.model_dump() == {
        "provider": "accredible",
        "api_config": API_CONFIG,
        "group_id": 123,
    }


def test_a_configured_accredible_group_gets_the_groups_name_and_description() -> None:
    config = make_config(accredible_template("data", 123))

    synced, summary = sync_accredible(
        config, [group(123, "Data Science 2026", course_description="Renamed")]
    )

    updated = by_id(synced, "data")
    assert (updated.name, updated.description, updated.active) == (
        "Data Science 2026",
        "Renamed",
        True,
    )
    assert updated.requirements == by_id(config, "data").requirements
    assert summary.updated == ["data"]


def test_a_group_id_given_as_a_string_matches_the_configured_group() -> None:
    config = make_config(accredible_template("data", 123))

    _, summary = sync_accredible(config, [{"id": "123", "course_name": "Data 2026"}])

    assert (summary.updated, summary.added) == (["data"], [])


def test_a_group_of_another_api_config_is_not_updated() -> None:
    config = make_config(accredible_template("data", 123, api_config=OTHER_API_CONFIG))

    synced, summary = sync_accredible(config, [group(123, "Data Science")])

    assert by_id(synced, "data") == by_id(config, "data")
    assert summary.added == ["accredible-data-science"]


def test_an_accredible_group_slug_clash_gets_a_suffix_of_the_group_id() -> None:
    config = make_config(accredible_template("accredible-data", 123))

    _, summary = sync_accredible(config, [group(456, "Data")])

    assert summary.added == ["accredible-data-456"]


def test_a_group_without_a_name_is_named_after_its_id() -> None:
    synced, summary = sync_accredible(make_config(), [{"id": 789}])

    assert summary.added == ["accredible-789"]
    assert by_id(synced, "accredible-789").name == "789"


# -- the summary -----------------------------------------------------------------------------------


def test_the_summary_lists_added_updated_and_deactivated_ids() -> None:
    config = make_config(
        credly_template("python", PY_TEMPLATE),
        credly_template("data", DATA_TEMPLATE, name="Data"),
    )
    listed = [
        credly(PY_TEMPLATE, "Python 2026"),
        credly(DATA_TEMPLATE, "Data", state="archived"),
        credly("0b9d3e62-0000-4000-8000-00000000000c", "Machine Learning"),
    ]

    _, summary = sync_credly(config, listed)

    assert summary == SyncSummary(
        added=["credly-machine-learning"], updated=["python"], deactivated=["data"]
    )
    assert str(summary) == "1 added (inactive), 1 updated, 1 deactivated"


def test_a_synced_config_passes_validation_with_every_kind_of_change() -> None:
    config = make_config(
        credly_template("python", PY_TEMPLATE),
        credly_template("credly-data", DATA_TEMPLATE, organization=OTHER_ORG),
        accredible_template("data-accredible", 123),
    )
    credly_listing = [
        credly(PY_TEMPLATE, "Python", state="archived"),
        credly(DATA_TEMPLATE, "Data"),
        credly("0b9d3e62-0000-4000-8000-00000000000c", "Python"),
    ]

    synced, _ = sync_credly_templates(config, ORG, credly_listing)
    synced, _ = sync_accredible_groups(synced, API_CONFIG, [group(123, "Data"), group(7, "Data")])

    assert {t.id for t in still_valid(synced).templates} == {
        "python",
        "credly-data",
        "data-accredible",
        "credly-data-0b9d3e62",
        "credly-python",
        "accredible-data",
    }
