"""``faust-badges explain USERNAME [TEMPLATE]``: why a badge was or was not awarded."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import click

from faust_badges.cli.common import load_settings, run
from faust_badges.config_topic import read_config_document
from faust_badges.core.config_checks import InvalidConfig, parse_config
from faust_badges.core.explain import (
    ClosestEvent,
    EventRef,
    Explanation,
    GroupExplanation,
    RequirementExplanation,
    TemplateExplanation,
    UnknownTemplate,
    explain,
)
from faust_badges.core.index import ConfigIndex
from faust_badges.learner_history import LearnerHistory, progress_topic, read_learner_history
from faust_badges.settings import Settings

PASS, FAIL = "✓", "✗"


def current_index(settings: Settings) -> ConfigIndex:
    """The config the workers use now (the latest on the config topic), compiled."""
    document = run(read_config_document(settings))
    if document is None:
        raise click.ClickException(
            f"no config on {settings.config_topic}: "
            "publish one with `faust-badges config apply FILE`"
        )
    try:
        return ConfigIndex.build(parse_config(document))
    except InvalidConfig as exc:
        raise click.ClickException(
            f"the config on {settings.config_topic} is invalid: {exc}"
        ) from None


@click.command("explain")
@click.argument("username")
@click.argument("template", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the structured explanation as JSON.")
def explain_command(username: str, template: str | None, as_json: bool) -> None:
    """Why USERNAME was or was not awarded each active badge (or TEMPLATE).

    Every group, requirement and rule, set against the learner's stored progress and the events
    Kafka still holds for them."""
    settings = load_settings()
    index = current_index(settings)
    if template is not None and template not in {t.id for t in index.config.templates}:
        raise click.ClickException(f"no template {template!r} in the config")
    try:
        history: LearnerHistory = run(read_learner_history(settings, username))
    except TimeoutError as exc:
        raise click.ClickException(str(exc)) from None
    if history.unknown:
        raise click.ClickException(
            f"unknown learner {username!r}: no progress in {progress_topic(settings)} and no "
            f"events in {settings.learner_events_topic}"
        )
    try:
        explanation = explain(index, username, history.progress, history.events, template)
    except UnknownTemplate as exc:
        raise click.ClickException(str(exc)) from None
    retention = f"events older than the retention of {settings.learner_events_topic} are not shown"
    if as_json:
        document = explanation.as_json()
        document["events_note"] = retention
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(render(explanation, retention)))


def render(explanation: Explanation, retention: str) -> list[str]:
    """The explanation as indented text lines, ✓ for what holds and ✗ for what does not."""
    lines = [
        f"learner {explanation.username}: {explanation.events_read} event(s) read, "
        f"config revision {explanation.config_revision}",
        f"({retention})",
    ]
    if not explanation.templates:
        lines.append("no active templates in the config")
    for template in explanation.templates:
        lines.append("")
        lines.extend(_render_template(template))
    return lines


def _render_template(template: TemplateExplanation) -> list[str]:
    badge = template.badge
    mark = PASS if badge.status == "awarded" else FAIL
    lines = [
        f"{mark} {template.id} ({template.name}): {template.fulfilled_groups} of "
        f"{len(template.groups)} group(s) fulfilled ({template.ratio:.0%})",
        *_badge_lines(template),
    ]
    if template.missing_groups:
        lines.append("  missing: " + ", ".join(g.label for g in template.missing_groups))
    for group in template.groups:
        lines.extend(_render_group(group))
    reset = template.last_reset
    if reset is not None:
        lines.append(
            f"  last reset: penalty {reset.penalty_id} reset {', '.join(reset.requirement_ids)} "
            f"({_event(reset.event)})"
        )
    for note in template.notes:
        lines.extend(_note(note, "  "))
    return lines


def _badge_lines(template: TemplateExplanation) -> list[str]:
    badge = template.badge
    if badge.status == "none" or badge.awarded is None:
        return ["  badge: not awarded"]
    if badge.status == "revoked" and badge.revoked is not None:
        lines = [
            f"  badge: REVOKED by {_event(badge.revoked)}",
            f"         awarded by {_event(badge.awarded)}",
        ]
    else:
        lines = [f"  badge: AWARDED by {_event(badge.awarded)}"]
    return [*lines, f"         uuid {badge.uuid}"]


def _render_group(group: GroupExplanation) -> list[str]:
    mark = PASS if group.fulfilled else FAIL
    state = "" if group.fulfilled else " — MISSING"
    if group.name is None:  # a requirement of its own: no group line
        requirement = group.requirements[0]
        title = f"  {mark} requirement {requirement.id}{_described(requirement)}{state}"
        return [title, *_render_requirement_body(requirement, "      ")]
    count = len(group.requirements)
    alternatives = f" (any one of {count})" if count > 1 else ""
    lines = [f"  {mark} group {group.name}{alternatives}{state}"]
    for requirement in group.requirements:
        sub_mark = PASS if requirement.fulfilled_by else FAIL
        lines.append(f"    {sub_mark} {requirement.id}{_described(requirement)}")
        lines.extend(_render_requirement_body(requirement, "        "))
    return lines


def _described(requirement: RequirementExplanation) -> str:
    return f": {requirement.description}" if requirement.description else ""


def _render_requirement_body(requirement: RequirementExplanation, indent: str) -> list[str]:
    if requirement.fulfilled_by is not None:
        return [f"{indent}fulfilled by {_event(requirement.fulfilled_by)}"]
    lines: list[str] = []
    if requirement.reset_by is not None:
        reset = requirement.reset_by
        lines.append(f"{indent}reset by penalty {reset.penalty_id} ({_event(reset.event)})")
    closest = requirement.closest
    if closest is None:
        lines.append(f"{indent}not fulfilled: no event of type {requirement.event_type} seen")
    else:
        lines.extend(_render_closest(requirement, closest, indent))
    if requirement.note:
        lines.extend(_note(requirement.note, indent))
    return lines


def _note(note: str, indent: str) -> list[str]:
    return textwrap.wrap(
        note,
        width=100,
        initial_indent=f"{indent}note: ",
        subsequent_indent=f"{indent}      ",
        break_on_hyphens=False,
    )


def _render_closest(
    requirement: RequirementExplanation, closest: ClosestEvent, indent: str
) -> list[str]:
    if not closest.rules:
        return [f"{indent}not fulfilled; no rules, so {_event(closest.event)} matches"]
    lines = [
        f"{indent}not fulfilled; the closest of {requirement.events_of_type} event(s) of its "
        f"type matches {closest.matched_rules} of {len(closest.rules)} rule(s):",
        f"{indent}  {_event(closest.event)}",
    ]
    for check in closest.rules:
        mark = PASS if check.matched else FAIL
        found = f"was {_value(check.actual)}" if check.found else "path missing"
        lines.append(f"{indent}  {mark} {check.path} {check.op} {_value(check.expected)} — {found}")
    return lines


def _event(event: EventRef) -> str:
    return f"event {event.event_id} at {event.event_time.isoformat()}"


def _value(value: Any) -> str:
    """A config or event value as a reader expects it: 'text', true, 3, [a, b]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return str(value)
