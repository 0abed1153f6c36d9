"""The JSON of the learner view and the issuing records: what ops see, and what they never see."""

from __future__ import annotations

from datetime import UTC, datetime

from faust_badges.core.issuing import IssuedBadge, IssueState, Recipient, Wanted
from faust_badges.core.learner import LearnerRecord
from faust_badges.core.progress import (
    Badge,
    BadgeStatus,
    Fulfilment,
    LearnerProgress,
    Reset,
    TemplateProgress,
)
from faust_badges.web.responses import issuing_json, learner_json

from ..core.builders import T0, course, make_index, minutes, requirement, template

INDEX = make_index(
    template(
        "t",
        [
            requirement("c", course("c")),
            requirement("a", course("a"), group="either"),
            requirement("b", course("b"), group="either"),
        ],
    ),
    template("idle", [requirement("x", course("x"))], active=False),
    template("other", [requirement("y", course("y"))]),
)
LEARNER = LearnerRecord("ada", 7, "ada@example.org", "Ada L", True, T0)
RECORD = IssuedBadge(
    "uuid-1",
    "t",
    "credly",
    Recipient("ada", 7, "ada@example.org", "Ada L", T0),
    Wanted.ISSUED,
    IssueState.PENDING,
    attempts=1,
    external_id="cred-1",
    updated_at=minutes(5),
)


def progress() -> LearnerProgress:
    return LearnerProgress(
        "ada",
        templates={
            "t": TemplateProgress(
                {"b": Fulfilment("evt-b", minutes(1), minutes(2))},
                last_reset=Reset("p", ("c",), "evt-p", minutes(3), minutes(4)),
            )
        },
        badges={"t": Badge("uuid-1", "t", BadgeStatus.AWARDED, minutes(1), "evt-b")},
    )


def test_the_learner_view_shows_active_templates_with_progress_requirements_and_badge() -> None:
    answer = learner_json(LEARNER, progress(), INDEX, {"uuid-1": issuing_json(RECORD)})

    assert answer["learner"]["email"] == "ada@example.org"
    assert [t["id"] for t in answer["templates"]] == ["t", "other"]  # "idle" has no data
    shown = answer["templates"][0]
    assert (shown["ratio"], shown["groups_total"], shown["groups_fulfilled"]) == (0.5, 2, 1)
    assert [(r["id"], r["group"], r["fulfilled"]) for r in shown["requirements"]] == [
        ("c", None, False),
        ("a", "either", False),
        ("b", "either", True),
    ]
    assert shown["requirements"][2]["event_time"] == minutes(1).isoformat()
    assert shown["requirements"][2]["processed_at"] == minutes(2).isoformat()
    assert shown["last_reset"] == {
        "penalty_id": "p",
        "requirement_ids": ["c"],
        "event_id": "evt-p",
        "event_time": minutes(3).isoformat(),
    }
    assert shown["badge"]["status"] == "awarded"
    assert shown["badge"]["issuing"]["state"] == "pending"


def test_an_inactive_template_shows_when_the_learner_has_data_for_it() -> None:
    held = LearnerProgress(
        "ada", templates={"idle": TemplateProgress({"x": Fulfilment("e", T0, T0)})}
    )

    answer = learner_json(None, held, INDEX, {})

    assert answer["learner"] is None
    assert [t["id"] for t in answer["templates"]] == ["t", "idle", "other"]
    assert answer["templates"][1]["ratio"] == 1.0


def test_a_learner_without_progress_shows_every_active_template_at_zero() -> None:
    answer = learner_json(None, None, INDEX, {})

    assert [(t["id"], t["ratio"], t["badge"]) for t in answer["templates"]] == [
        ("t", 0.0, None),
        ("other", 0.0, None),
    ]


def test_an_issuing_record_never_holds_the_recipients_email_or_name() -> None:
    shown = issuing_json(RECORD, with_user=True)

    assert shown is not None
    assert shown["user_id"] == 7
    text = str(shown)
    assert "ada@example.org" not in text and "Ada L" not in text
    assert "user_id" not in (issuing_json(RECORD) or {})
    assert issuing_json(None) is None


def test_times_are_iso_8601() -> None:
    shown = issuing_json(RECORD)
    assert (
        shown is not None
        and shown["updated_at"] == datetime(2024, 3, 1, 9, 5, tzinfo=UTC).isoformat()
    )
