"""TemplatePlan: the progress figures the learner view and explain show for a template."""

from __future__ import annotations

from faust_badges.core.config import Template
from faust_badges.core.index import TemplatePlan
from faust_badges.core.progress import Fulfilment, TemplateProgress

from .builders import T0, course, requirement


def fulfilled(*requirement_ids: str) -> TemplateProgress:
    return TemplateProgress({rid: Fulfilment("evt", T0, T0) for rid in requirement_ids})


def test_a_template_without_requirements_shows_no_progress_and_is_never_complete() -> None:
    # A synced template arrives inactive and empty: the learner view used to divide by zero.
    plan = TemplatePlan.build(Template(id="synced", name="Synced", active=False))
    assert plan.ratio(None) == 0.0
    assert plan.ratio(fulfilled()) == 0.0
    assert not plan.is_complete(fulfilled())


def test_the_ratio_counts_groups_not_requirements() -> None:
    template = Template(
        id="t",
        name="T",
        requirements=(
            requirement("a", course("a"), group="either"),
            requirement("b", course("b"), group="either"),
            requirement("c", course("c")),
        ),
    )
    plan = TemplatePlan.build(template)
    assert plan.ratio(fulfilled("a", "b")) == 0.5  # both alternatives of one group
    assert not plan.is_complete(fulfilled("a", "b"))
    assert plan.ratio(fulfilled("b", "c")) == 1.0
    assert plan.is_complete(fulfilled("b", "c"))
