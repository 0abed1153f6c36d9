"""``GET /badges/templates/``: the configured templates with their groups, requirements and
penalties, behind the ops token."""

from __future__ import annotations

from faust_badges.core.index import EMPTY_INDEX, ConfigIndex
from faust_badges.web.templates_view import register_templates_view

from ..core.builders import course, make_config, penalty, requirement, template
from .fakes import BEARER, make_runtime, serve

CONFIG = make_config(
    template(
        "python",
        [
            requirement("p101", course("p101")),
            requirement("p102", course("p102"), group="either"),
            requirement("p103", course("p103"), group="either"),
        ],
        [penalty("fail", ["p101"], course("p101"))],
    ),
    template("idle", [requirement("x", course("x"))], active=False),
)


async def test_the_view_lists_every_template_with_its_groups_and_penalties() -> None:
    runtime, app = make_runtime(CONFIG)
    register_templates_view(runtime)

    async with serve(app) as client:
        response = await client.get("/badges/templates/", headers=BEARER)
        body = await response.json()

    assert response.status == 200
    assert body["revision"] == ConfigIndex.build(CONFIG).revision
    assert [(t["id"], t["active"]) for t in body["templates"]] == [
        ("python", True),
        ("idle", False),
    ]
    python = body["templates"][0]
    assert sorted(map(sorted, python["groups"])) == [["p101"], ["p102", "p103"]]
    assert [r["id"] for r in python["requirements"]] == ["p101", "p102", "p103"]
    assert python["penalties"][0]["id"] == "fail"
    assert python["penalties"][0]["requirements"] == ["p101"]


async def test_before_any_config_the_list_is_empty() -> None:
    runtime, app = make_runtime()
    register_templates_view(runtime)

    async with serve(app) as client:
        body = await (await client.get("/badges/templates/", headers=BEARER)).json()

    assert body == {"revision": EMPTY_INDEX.revision, "templates": []}


async def test_without_the_token_nothing_of_the_config_is_shown() -> None:
    runtime, app = make_runtime(CONFIG)
    register_templates_view(runtime)

    async with serve(app) as client:
        response = await client.get("/badges/templates/")
        text = await response.text()

    assert response.status == 401
    assert "python" not in text and "p101" not in text
