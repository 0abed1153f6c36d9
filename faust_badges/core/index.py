"""The badge config compiled for fast lookups on the per-event path.

Built once per config revision: rules become predicates, requirements and penalties of active
templates are indexed by event type (and, within a type, by the value they want, see
matching.py), and each template knows its groups.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from faust_badges.core.config import BadgeConfig, Penalty, Requirement, Rule, Template
from faust_badges.core.event_types import DEFAULT_EVENT_TYPES, KNOWN_DATA_KEYS
from faust_badges.core.matching import RuleIndex
from faust_badges.core.operators import Predicate, compile_predicate, resolve_path
from faust_badges.core.progress import TemplateProgress


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    parts: tuple[str, ...]
    predicate: Predicate

    @classmethod
    def build(cls, rule: Rule) -> CompiledRule:
        return cls(rule, tuple(rule.path.split(".")), compile_predicate(rule.op, rule.value))

    def matches(self, data: Mapping[str, Any]) -> bool:
        return self.predicate(resolve_path(data, self.parts))


def _all_match(rules: tuple[CompiledRule, ...], data: Mapping[str, Any]) -> bool:
    return all(rule.matches(data) for rule in rules)


@dataclass(frozen=True, slots=True)
class CompiledRequirement:
    template_id: str
    requirement: Requirement
    rules: tuple[CompiledRule, ...]

    def matches(self, data: Mapping[str, Any]) -> bool:
        """All rules match; a requirement without rules matches every event of its type."""
        return _all_match(self.rules, data)


@dataclass(frozen=True, slots=True)
class CompiledPenalty:
    template_id: str
    penalty: Penalty
    rules: tuple[CompiledRule, ...]

    def matches(self, data: Mapping[str, Any]) -> bool:
        return _all_match(self.rules, data)


@dataclass(frozen=True, slots=True)
class TemplatePlan:
    """A template and its groups: an AND of groups, each an OR of requirement ids."""

    template: Template
    groups: tuple[tuple[str, ...], ...]

    @classmethod
    def build(cls, template: Template) -> TemplatePlan:
        groups: dict[str, list[str]] = {}
        for requirement in template.requirements:
            # A requirement without a group is a group of its own ("\0" cannot clash with a name).
            key = requirement.group if requirement.group is not None else f"\0{requirement.id}"
            groups.setdefault(key, []).append(requirement.id)
        return cls(template, tuple(tuple(ids) for ids in groups.values()))

    def fulfilled_groups(self, progress: TemplateProgress | None) -> int:
        if progress is None:
            return 0
        done = progress.fulfilled
        return sum(1 for ids in self.groups if any(rid in done for rid in ids))

    def is_complete(self, progress: TemplateProgress | None) -> bool:
        """Every group fulfilled; never for a template without requirements (a synced template
        arrives inactive and empty until an operator completes it)."""
        return bool(self.groups) and self.fulfilled_groups(progress) == len(self.groups)

    def ratio(self, progress: TemplateProgress | None) -> float:
        """Fulfilled groups / groups, the progress figure ops see (0 without requirements)."""
        return self.fulfilled_groups(progress) / len(self.groups) if self.groups else 0.0


@dataclass(frozen=True)
class ConfigIndex:
    """What the per-event path needs from a config, precomputed."""

    config: BadgeConfig
    revision: str
    templates: Mapping[str, TemplatePlan]
    requirements_by_type: Mapping[str, RuleIndex[CompiledRequirement]]
    penalties_by_type: Mapping[str, RuleIndex[CompiledPenalty]]
    data_keys: Mapping[str, str]  # processed event type -> data key of its payload

    @classmethod
    def build(cls, config: BadgeConfig) -> ConfigIndex:
        requirements: dict[str, list[CompiledRequirement]] = defaultdict(list)
        penalties: dict[str, list[CompiledPenalty]] = defaultdict(list)
        for template in config.templates:
            if not template.active:
                continue  # inactive templates take no part, but keep their learners' data
            for req in template.requirements:
                rules = tuple(CompiledRule.build(rule) for rule in req.rules)
                requirements[req.event_type].append(CompiledRequirement(template.id, req, rules))
            for pen in template.penalties:
                rules = tuple(CompiledRule.build(rule) for rule in pen.rules)
                penalties[pen.event_type].append(CompiledPenalty(template.id, pen, rules))
        return cls(
            config=config,
            revision=config_revision(config),
            templates={t.id: TemplatePlan.build(t) for t in config.templates},
            requirements_by_type={k: RuleIndex(v) for k, v in requirements.items()},
            penalties_by_type={k: RuleIndex(v) for k, v in penalties.items()},
            data_keys=_processed_data_keys(config, set(requirements) | set(penalties)),
        )

    def requirements_met(
        self, event_type: str, data: Mapping[str, Any]
    ) -> list[CompiledRequirement]:
        """The requirements of active templates that an event of this type and data fulfils."""
        index = self.requirements_by_type.get(event_type)
        return index.matching(data) if index is not None else []

    def penalties_met(self, event_type: str, data: Mapping[str, Any]) -> list[CompiledPenalty]:
        """The penalties of active templates that an event of this type and data triggers."""
        index = self.penalties_by_type.get(event_type)
        return index.matching(data) if index is not None else []

    def processes(self, event_type: str) -> bool:
        """Whether events of this type are configured (others are skipped and counted)."""
        return event_type in self.data_keys


def _processed_data_keys(config: BadgeConfig, used_types: set[str]) -> dict[str, str]:
    declared = (
        {e.type: e.data_key for e in config.events}
        if config.events is not None
        else {t: None for t in DEFAULT_EVENT_TYPES}
    )
    data_keys: dict[str, str] = {}
    for event_type in set(declared) | used_types:
        data_key = declared.get(event_type) or KNOWN_DATA_KEYS.get(event_type)
        if data_key:  # validation guarantees one; a missing one would make the type unusable
            data_keys[event_type] = data_key
    return data_keys


def config_revision(config: BadgeConfig) -> str:
    """A short content hash: equal documents have equal revisions on every worker."""
    canonical = json.dumps(config.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


EMPTY_INDEX = ConfigIndex.build(BadgeConfig())
