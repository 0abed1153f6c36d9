"""Where a learner stands on one template: each group and requirement fulfilled or not, the
last reset and the badge. Computed here once; the learner view and ``explain`` render it.

Pure: built from the config's template plan and the learner's stored progress.
"""

from __future__ import annotations

from dataclasses import dataclass

from faust_badges.core.config import Requirement, Template
from faust_badges.core.index import TemplatePlan
from faust_badges.core.progress import Badge, Fulfilment, LearnerProgress, Reset, TemplateProgress


@dataclass(frozen=True, slots=True)
class RequirementStatus:
    requirement: Requirement
    fulfilment: Fulfilment | None  # the event that fulfilled it, None while it is not

    @property
    def fulfilled(self) -> bool:
        return self.fulfilment is not None


@dataclass(frozen=True, slots=True)
class GroupStatus:
    """An OR of requirements: fulfilled when any one is."""

    name: str | None  # None: a requirement without a group is a group of its own
    requirements: tuple[RequirementStatus, ...]

    @property
    def fulfilled(self) -> bool:
        return any(requirement.fulfilled for requirement in self.requirements)


@dataclass(frozen=True, slots=True)
class TemplateStatus:
    """An AND of groups, with the learner's progress (``None`` before any was made). The
    figures come from the plan, the same rule ``decide`` awards by."""

    plan: TemplatePlan
    progress: TemplateProgress | None
    groups: tuple[GroupStatus, ...]
    badge: Badge | None

    @property
    def template(self) -> Template:
        return self.plan.template

    @property
    def requirements(self) -> tuple[RequirementStatus, ...]:
        """Every requirement, in the template's order."""
        by_id = {r.requirement.id: r for group in self.groups for r in group.requirements}
        return tuple(by_id[requirement.id] for requirement in self.template.requirements)

    @property
    def last_reset(self) -> Reset | None:
        return self.progress.last_reset if self.progress is not None else None

    @property
    def fulfilled_groups(self) -> int:
        return self.plan.fulfilled_groups(self.progress)

    @property
    def complete(self) -> bool:
        return self.plan.is_complete(self.progress)

    @property
    def ratio(self) -> float:
        return self.plan.ratio(self.progress)


def template_status(plan: TemplatePlan, progress: LearnerProgress | None) -> TemplateStatus:
    """The learner's standing on the plan's template."""
    template = plan.template
    template_progress = progress.templates.get(template.id) if progress is not None else None
    fulfilled = template_progress.fulfilled if template_progress is not None else {}
    by_id = {requirement.id: requirement for requirement in template.requirements}
    groups = tuple(
        GroupStatus(
            name=by_id[ids[0]].group,
            requirements=tuple(RequirementStatus(by_id[rid], fulfilled.get(rid)) for rid in ids),
        )
        for ids in plan.groups
    )
    badge = progress.badges.get(template.id) if progress is not None else None
    return TemplateStatus(plan, template_progress, groups, badge)
