"""TemplateStatus: the one model of a learner's standing that the learner view and explain show."""

from __future__ import annotations

from faust_badges.core.index import TemplatePlan
from faust_badges.core.progress import (
    Badge,
    BadgeStatus,
    Fulfilment,
    LearnerProgress,
    Reset,
    TemplateProgress,
)
from faust_badges.core.template_status import template_status

from .builders import T0, course, minutes, requirement, template

TEMPLATE = template(
    "t",
    [
        requirement("c", course("c")),
        requirement("a", course("a"), group="either"),
        requirement("b", course("b"), group="either"),
    ],
)
PLAN = TemplatePlan.build(TEMPLATE)


def progress_with(*requirement_ids: str, last_reset: Reset | None = None) -> LearnerProgress:
    fulfilled = {rid: Fulfilment(f"evt-{rid}", T0, minutes(1)) for rid in requirement_ids}
    return LearnerProgress("ada", templates={"t": TemplateProgress(fulfilled, last_reset)})


def test_a_learner_without_progress_has_every_group_open() -> None:
    status = template_status(PLAN, None)

    assert [group.fulfilled for group in status.groups] == [False, False]
    assert (status.fulfilled_groups, status.ratio, status.complete) == (0, 0.0, False)
    assert status.badge is None and status.last_reset is None


def test_groups_follow_the_plan_and_an_alternative_fulfils_its_group() -> None:
    status = template_status(PLAN, progress_with("b"))

    assert [group.name for group in status.groups] == [None, "either"]
    assert [[r.requirement.id for r in g.requirements] for g in status.groups] == [
        ["c"],
        ["a", "b"],
    ]
    assert [group.fulfilled for group in status.groups] == [False, True]
    assert (status.fulfilled_groups, status.ratio, status.complete) == (1, 0.5, False)


def test_requirements_come_in_the_template_order_with_their_fulfilment() -> None:
    status = template_status(PLAN, progress_with("c", "a"))

    assert [r.requirement.id for r in status.requirements] == ["c", "a", "b"]
    fulfilments = [r.fulfilment.event_id if r.fulfilment else None for r in status.requirements]
    assert fulfilments == ["evt-c", "evt-a", None]
    assert status.complete and status.ratio == 1.0


def test_the_last_reset_and_the_badge_are_the_learners() -> None:
    reset = Reset("p", ("c",), "evt-p", minutes(2), minutes(3))
    badge = Badge("uuid-1", "t", BadgeStatus.AWARDED, minutes(1), "evt-a")
    progress = progress_with("a", last_reset=reset)
    progress = LearnerProgress("ada", templates=progress.templates, badges={"t": badge})

    status = template_status(PLAN, progress)

    assert status.last_reset == reset
    assert status.badge == badge


def test_another_templates_progress_does_not_count() -> None:
    other = LearnerProgress(
        "ada", templates={"other": TemplateProgress({"c": Fulfilment("e", T0, T0)})}
    )
    assert template_status(PLAN, other).fulfilled_groups == 0
