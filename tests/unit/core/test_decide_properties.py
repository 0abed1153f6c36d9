"""Property tests of ``decide``: random configs and event streams against a reference model.

The model below is SPEC §4 written as plainly as possible, with sets and dicts. From
``faust_badges.core`` it uses only the enums it reports in and ``badge_uuid``, the badge identity
the SPEC prescribes (whose properties the example tests and the at-most-once property check).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from unittest.mock import patch

from hypothesis import event, given, settings
from hypothesis import strategies as st

from faust_badges.core.badges import badge_uuid
from faust_badges.core.config import Penalty, Requirement
from faust_badges.core.decide import Outcome, decide
from faust_badges.core.event_types import CCX_COURSE_PASSING_STATUS, COURSE_PASSING_STATUS
from faust_badges.core.index import ConfigIndex
from faust_badges.core.learner import LearnerEvent
from faust_badges.core.progress import (
    RECENT_EVENTS_KEPT,
    Badge,
    BadgeStatus,
    LearnerProgress,
    TemplateProgress,
)
from tests.unit.core.builders import (
    NAMESPACE,
    NOW,
    T0,
    course,
    make_config,
    make_event,
    penalty,
    requirement,
    template,
)

LEARNERS = ("ann", "bo", "cy")
COURSES = tuple(course(name) for name in ("a", "b", "c"))
EVENT_TYPES = (COURSE_PASSING_STATUS, CCX_COURSE_PASSING_STATUS)
GROUPS = (None, "g1", "g2")
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

# -- the configuration, as plain data -------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """Rules ``course.course_key eq course`` and ``is_passing eq passing``; None leaves one out."""

    event_type: str
    course: str | None
    passing: bool | None

    def matches(self, event: ModelEvent) -> bool:
        return (
            event.event_type == self.event_type
            and self.course in (None, event.course)
            and self.passing in (None, event.passing)
        )


@dataclass(frozen=True)
class ReqSpec:
    id: str
    group: str | None
    condition: Condition


@dataclass(frozen=True)
class PenSpec:
    id: str
    resets: tuple[str, ...]
    condition: Condition


@dataclass(frozen=True)
class TemplateSpec:
    id: str
    active: bool
    requirements: tuple[ReqSpec, ...]
    penalties: tuple[PenSpec, ...]

    def groups(self) -> list[set[str]]:
        """Requirements sharing a group are alternatives; one without a group stands alone."""
        named: dict[str, set[str]] = {}
        alone: list[set[str]] = []
        for req in self.requirements:
            if req.group is None:
                alone.append({req.id})
            else:
                named.setdefault(req.group, set()).add(req.id)
        return [*named.values(), *alone]


@dataclass(frozen=True)
class ModelEvent:
    event_id: str
    learner: str
    event_type: str
    course: str
    passing: bool
    time: datetime


@dataclass(frozen=True)
class Toggle:
    """A config change: the template is switched active/inactive from here on."""

    template_id: str


Action = ModelEvent | Toggle

# -- the reference model --------------------------------------------------------------------------

# One badge transition: learner, status, template id, badge uuid, id of the deciding event.
Emitted = tuple[str, BadgeStatus, str, str, str | None]


@dataclass
class ModelLearner:
    # The dedupe window: the last ``window`` applied event ids, oldest first, and their templates.
    applied: dict[str, set[str]] = field(default_factory=dict)
    fulfilled: dict[str, set[str]] = field(default_factory=dict)  # a key = a progress record
    reset_at: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (template, req)
    badges: dict[str, BadgeStatus] = field(default_factory=dict)

    def remember(self, event_id: str, template_ids: set[str], window: int) -> None:
        self.applied[event_id] = self.applied.pop(event_id, set()) | template_ids
        while len(self.applied) > window:
            del self.applied[next(iter(self.applied))]


@dataclass
class Model:
    templates: tuple[TemplateSpec, ...]
    active: dict[str, bool]
    window: int = RECENT_EVENTS_KEPT
    learners: dict[str, ModelLearner] = field(default_factory=dict)
    stale_ignored: int = 0  # fulfilling events skipped as older than a reset

    def toggle(self, template_id: str) -> None:
        self.active[template_id] = not self.active[template_id]

    def process(self, event: ModelEvent) -> tuple[Outcome, list[Emitted]]:
        learner = self.learners.setdefault(event.learner, ModelLearner())
        live = [t for t in self.templates if self.active[t.id]]
        hit_reqs = [(t, r) for t in live for r in t.requirements if r.condition.matches(event)]
        hit_pens = [(t, p) for t in live for p in t.penalties if p.condition.matches(event)]
        if not hit_reqs and not hit_pens:
            # It left no trace, so a redelivery is processed as if new (and matches the same way).
            return Outcome.NO_MATCH, []
        # A redelivered event applies only to templates it has not been applied to yet (as far
        # as the window remembers).
        seen = learner.applied.get(event.event_id, set())
        hit_reqs = [(t, r) for t, r in hit_reqs if t.id not in seen]
        hit_pens = [(t, p) for t, p in hit_pens if t.id not in seen]
        if not hit_reqs and not hit_pens:
            return Outcome.DUPLICATE, []
        learner.remember(event.event_id, {t.id for t, _ in hit_reqs + hit_pens}, self.window)

        for t, r in hit_reqs:
            reset_at = learner.reset_at.get((t.id, r.id))
            if reset_at is None or event.time > reset_at:
                learner.fulfilled.setdefault(t.id, set()).add(r.id)
            elif r.id not in learner.fulfilled.get(t.id, set()):  # older history stays reset
                self.stale_ignored += 1
        for t, p in hit_pens:  # after the requirements: the penalty wins
            if t.id in learner.fulfilled:
                learner.fulfilled[t.id] -= set(p.resets)
                for r in p.resets:
                    previous = learner.reset_at.get((t.id, r), event.time)
                    learner.reset_at[t.id, r] = max(previous, event.time)

        emitted: list[Emitted] = []
        penalised = {t.id for t, _ in hit_pens}
        # Judged on the state after both; one event's transitions come in template id order.
        for t in sorted({t for t, _ in hit_reqs + hit_pens}, key=lambda t: t.id):
            done = learner.fulfilled.get(t.id, set())
            complete = all(group & done for group in t.groups())
            status = learner.badges.get(t.id)
            if status is None and complete:
                learner.badges[t.id] = BadgeStatus.AWARDED
            elif status is BadgeStatus.AWARDED and t.id in penalised and not complete:
                learner.badges[t.id] = BadgeStatus.REVOKED
            else:
                continue
            uuid = badge_uuid(NAMESPACE, event.learner, t.id)
            emitted.append((event.learner, learner.badges[t.id], t.id, uuid, event.event_id))
        return Outcome.APPLIED, emitted


# -- running the real decide ----------------------------------------------------------------------


def build_index(templates: tuple[TemplateSpec, ...], active: dict[str, bool]) -> ConfigIndex:
    """The real config for the specs, with the given active flags."""

    def to_requirement(spec: ReqSpec) -> Requirement:
        rule = spec.condition
        return requirement(
            spec.id,
            rule.course,
            is_passing=rule.passing,
            group=spec.group,
            event_type=rule.event_type,
        )

    def to_penalty(spec: PenSpec) -> Penalty:
        rule = spec.condition
        return penalty(
            spec.id, spec.resets, rule.course, is_passing=rule.passing, event_type=rule.event_type
        )

    config = make_config(
        *(
            template(
                t.id,
                [to_requirement(r) for r in t.requirements],
                [to_penalty(p) for p in t.penalties],
                active=active[t.id],
            )
            for t in templates
        )
    )
    return ConfigIndex.build(config)


def learner_event(event: ModelEvent) -> LearnerEvent:
    return make_event(
        event.learner,
        event.course,
        event.passing,
        event_id=event.event_id,
        event_time=event.time,
        event_type=event.event_type,
    )


@dataclass
class Run:
    progress: dict[str, LearnerProgress]
    outcomes: list[Outcome]
    emitted: list[Emitted]


def run_decide(
    templates: tuple[TemplateSpec, ...],
    actions: list[Action],
    now_of: Callable[[int], datetime] = lambda step: NOW,
    start: dict[str, LearnerProgress] | None = None,
) -> Run:
    """Fold ``decide`` over the actions, per learner; check on the way that no input is changed."""
    active = {t.id: t.active for t in templates}
    indexes: dict[tuple[bool, ...], ConfigIndex] = {}
    progress: dict[str, LearnerProgress] = dict(start or {})
    run = Run(progress, [], [])
    for step, action in enumerate(actions):
        if isinstance(action, Toggle):
            active[action.template_id] = not active[action.template_id]
            continue
        key = tuple(active.values())
        if key not in indexes:
            indexes[key] = build_index(templates, active)
        before = progress.get(action.learner)
        snapshot = copy.deepcopy(before)
        decision = decide(
            before, learner_event(action), indexes[key], namespace=NAMESPACE, now=now_of(step)
        )
        assert before == snapshot, "decide changed its input"
        if decision.progress is not None:
            progress[action.learner] = decision.progress
        run.outcomes.append(decision.outcome)
        run.emitted.extend(
            (action.learner, t.status, t.badge.template_id, t.badge.uuid, deciding_event(t.badge))
            for t in decision.transitions
        )
    return run


def deciding_event(badge: Badge) -> str | None:
    """The id of the event that gave the badge its current status."""
    if badge.status is BadgeStatus.AWARDED:
        return badge.awarded_by_event
    return badge.revoked_by_event


def run_model(
    templates: tuple[TemplateSpec, ...], actions: list[Action], window: int = RECENT_EVENTS_KEPT
) -> tuple[Model, list[Outcome], list[Emitted]]:
    model = Model(templates, {t.id: t.active for t in templates}, window)
    outcomes: list[Outcome] = []
    emitted: list[Emitted] = []
    for action in actions:
        if isinstance(action, Toggle):
            model.toggle(action.template_id)
            continue
        outcome, transitions = model.process(action)
        outcomes.append(outcome)
        emitted.extend(transitions)
    return model, outcomes, emitted


# -- strategies -----------------------------------------------------------------------------------

conditions = st.builds(
    Condition,
    # Mostly the type most events have, so that rules meet events often.
    event_type=st.sampled_from(
        [COURSE_PASSING_STATUS, COURSE_PASSING_STATUS, CCX_COURSE_PASSING_STATUS]
    ),
    course=st.none() | st.sampled_from(COURSES),
    passing=st.none() | st.booleans(),
)


@st.composite
def template_specs(draw: st.DrawFn, template_id: str) -> TemplateSpec:
    count = draw(st.integers(1, 4))
    reqs = tuple(
        ReqSpec(f"r{i}", draw(st.sampled_from(GROUPS)), draw(conditions)) for i in range(count)
    )
    ids = [r.id for r in reqs]
    pens = tuple(
        PenSpec(
            f"p{i}",
            tuple(sorted(draw(st.sets(st.sampled_from(ids), min_size=1)))),
            draw(conditions),
        )
        for i in range(draw(st.integers(0, 2)))
    )
    active = draw(st.sampled_from([True, True, True, False]))
    return TemplateSpec(template_id, active, reqs, pens)


@st.composite
def configs(draw: st.DrawFn) -> tuple[TemplateSpec, ...]:
    count = draw(st.integers(1, 3))
    return tuple(draw(template_specs(f"t{i}")) for i in range(count))


@st.composite
def actions(
    draw: st.DrawFn,
    templates: tuple[TemplateSpec, ...],
    toggles: bool = True,
    replays: bool = False,
) -> list[Action]:
    """Fresh events, redeliveries of earlier ones (same id, same content) and config toggles.

    ``replays``: as many redeliveries as fresh events, all about one learner, so that old
    events come back after penalties (what a replay of history does).
    """
    result: list[Action] = []
    fresh: list[ModelEvent] = []
    learners = LEARNERS[:1] if replays else LEARNERS
    redeliveries = 6 if replays else 2
    for step in range(draw(st.integers(1, 40))):
        kind = draw(
            st.sampled_from(["event"] * 6 + ["redeliver"] * redeliveries + ["toggle"] * toggles)
        )
        if kind == "redeliver" and fresh:
            result.append(draw(st.sampled_from(fresh)))
        elif kind == "toggle":
            result.append(Toggle(draw(st.sampled_from([t.id for t in templates]))))
        else:
            new_event = ModelEvent(
                event_id=f"evt-{step}",
                learner=draw(st.sampled_from(learners)),
                event_type=draw(st.sampled_from(EVENT_TYPES)),
                course=draw(st.sampled_from(COURSES)),
                passing=draw(st.booleans()),
                time=T0 + timedelta(minutes=step),
            )
            fresh.append(new_event)
            result.append(new_event)
    return result


@st.composite
def scenarios(
    draw: st.DrawFn, toggles: bool = True, replays: bool = False
) -> tuple[tuple[TemplateSpec, ...], list[Action]]:
    templates = draw(configs())
    return templates, draw(actions(templates, toggles, replays))


# -- properties -----------------------------------------------------------------------------------


def state_of(progress: LearnerProgress) -> tuple[dict[str, set[str]], dict[str, BadgeStatus]]:
    fulfilled = {t: set(p.fulfilled) for t, p in progress.templates.items()}
    return fulfilled, {t: b.status for t, b in progress.badges.items()}


def assert_agrees(real: Run, model: Model, outcomes: list[Outcome], emitted: list[Emitted]) -> None:
    """The real run made the model's decisions and left each learner in the model's state."""
    assert real.outcomes == outcomes
    assert real.emitted == emitted
    for name, learner in model.learners.items():
        progress = real.progress.get(name)
        actual = state_of(progress) if progress else ({}, {})
        assert actual == (learner.fulfilled, learner.badges), name


@PROPERTY_SETTINGS
@given(scenarios())
def test_decide_agrees_with_the_reference_model(
    scenario: tuple[tuple[TemplateSpec, ...], list[Action]],
) -> None:
    templates, steps = scenario

    real = run_decide(templates, steps)
    model, outcomes, emitted = run_model(templates, steps)

    for status in sorted({status for _, status, *_ in emitted}):
        event(f"emits {status}")  # shown by --hypothesis-show-statistics
    if Outcome.DUPLICATE in outcomes:
        event("has a duplicate")
    assert_agrees(real, model, outcomes, emitted)


@PROPERTY_SETTINGS
@given(scenarios(replays=True), st.integers(1, 4))
def test_a_forgetful_dedupe_window_still_agrees_with_the_reference_model(
    scenario: tuple[tuple[TemplateSpec, ...], list[Action]], window: int
) -> None:
    # A window of a few events makes most redeliveries look new, as a replay of history older
    # than the real window does: only the reset times keep a penalty from being undone.
    templates, steps = scenario

    with patch("faust_badges.core.decide.RECENT_EVENTS_KEPT", window):
        real = run_decide(templates, steps)
    model, outcomes, emitted = run_model(templates, steps, window)

    if model.stale_ignored:
        event("a replay older than a reset was ignored")
    assert_agrees(real, model, outcomes, emitted)


@PROPERTY_SETTINGS
@given(scenarios())
def test_each_badge_is_awarded_at_most_once_and_revoked_only_after_its_award(
    scenario: tuple[tuple[TemplateSpec, ...], list[Action]],
) -> None:
    templates, steps = scenario

    real = run_decide(templates, steps)

    history: dict[tuple[str, str], list[BadgeStatus]] = {}
    uuids: dict[tuple[str, str], set[str]] = {}
    for learner, status, template_id, uuid, _ in real.emitted:
        history.setdefault((learner, template_id), []).append(status)
        uuids.setdefault((learner, template_id), set()).add(uuid)
    for statuses in history.values():
        assert statuses in ([BadgeStatus.AWARDED], [BadgeStatus.AWARDED, BadgeStatus.REVOKED])
    # One uuid per learner and template, shared by its award and revoke, and no two alike.
    assert all(len(ids) == 1 for ids in uuids.values())
    assert len(set().union(*uuids.values())) == len(uuids)


@PROPERTY_SETTINGS
@given(scenarios(toggles=False), st.data())
def test_redelivering_a_prefix_after_the_whole_stream_changes_nothing(
    scenario: tuple[tuple[TemplateSpec, ...], list[Action]], data: st.DataObject
) -> None:
    # Without config changes: a crash replays events already processed under the same config.
    templates, steps = scenario
    first = run_decide(templates, steps)
    prefix = steps[: data.draw(st.integers(0, len(steps)), label="replayed")]

    replay = run_decide(templates, prefix, start=first.progress)

    assert replay.emitted == []
    assert set(replay.outcomes) <= {Outcome.DUPLICATE, Outcome.NO_MATCH}
    assert replay.progress == first.progress


def without_processing_times(progress: LearnerProgress) -> LearnerProgress:
    def clear(record: TemplateProgress) -> TemplateProgress:
        fulfilled = {r: replace(f, processed_at=T0) for r, f in record.fulfilled.items()}
        reset = record.last_reset and replace(record.last_reset, processed_at=T0)
        return TemplateProgress(fulfilled, reset)

    return replace(progress, templates={t: clear(p) for t, p in progress.templates.items()})


@PROPERTY_SETTINGS
@given(scenarios(), st.lists(st.integers(-(10**6), 10**6), min_size=40, max_size=40))
def test_result_does_not_depend_on_processing_time(
    scenario: tuple[tuple[TemplateSpec, ...], list[Action]], offsets: list[int]
) -> None:
    templates, steps = scenario

    fixed = run_decide(templates, steps)
    wandering = run_decide(templates, steps, now_of=lambda i: NOW + timedelta(minutes=offsets[i]))

    assert wandering.outcomes == fixed.outcomes
    assert wandering.emitted == fixed.emitted
    assert {n: without_processing_times(p) for n, p in wandering.progress.items()} == {
        n: without_processing_times(p) for n, p in fixed.progress.items()
    }
