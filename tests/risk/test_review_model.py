"""Re-THRIVE rules without a database: the decision's checks, the deadlines, the policy."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from firstcontact.platform.model import ValidationError
from firstcontact.risk import policy
from firstcontact.risk.model import (
    Grade,
    GradePolicy,
    escalation_due_at,
    parse_review,
    parse_thrive,
    review_due_at,
    thrive_fields,
)
from tests.risk.test_model import thrive

REVIEWED = datetime(2026, 3, 14, 13, 10, tzinfo=UTC)
DECISION = {"grade": "priority", "rationale": "Still a risk to the caller",
            "what_changed": "No change: caller still waiting"}


def test_a_review_keeps_the_grade_chosen_and_the_one_suggested() -> None:
    review = parse_review(DECISION, Grade.EMERGENCY, policy.grading())
    assert (review.grade, review.suggested_grade) == (Grade.PRIORITY, Grade.EMERGENCY)
    assert review.what_changed == "No change: caller still waiting"


def test_a_review_needs_a_rationale_and_what_changed_every_time() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_review({"grade": "priority"}, Grade.PRIORITY, policy.grading())
    assert set(caught.value.errors) == {"rationale", "what_changed"}


def test_a_review_cannot_choose_a_grade_that_closes_the_incident() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_review({**DECISION, "grade": "no_police_action"}, Grade.PRIORITY,
                     policy.grading())
    assert caught.value.errors == {"grade": "That grade closes the incident: finalise it "
                                            "instead"}


def test_the_next_review_is_3h30_after_the_review_and_escalates_30_minutes_later() -> None:
    grading = policy.grading()
    due = review_due_at(REVIEWED, Grade.PRIORITY, grading)
    assert due == datetime(2026, 3, 14, 16, 40, tzinfo=UTC)
    assert escalation_due_at(due, grading) == datetime(2026, 3, 14, 17, 10, tzinfo=UTC)


def test_a_grade_may_set_its_own_review_interval() -> None:
    grading = policy.grading()
    shorter = replace(grading, grades={**grading.grades, Grade.EMERGENCY: GradePolicy(
        Grade.EMERGENCY, "Emergency", {"any": 15}, True, timedelta(minutes=60))})
    assert review_due_at(REVIEWED, Grade.EMERGENCY, shorter) == REVIEWED + timedelta(hours=1)
    assert review_due_at(REVIEWED, Grade.PRIORITY, shorter) == REVIEWED + timedelta(
        hours=3, minutes=30)


def test_a_recorded_thrive_becomes_the_next_forms_starting_values() -> None:
    recorded = thrive(threat="possible", threat_to=["children"], risk_escalating="yes")
    assert parse_thrive(thrive_fields(recorded)) == recorded


def test_the_escalation_margin_comes_from_the_policy_file(tmp_path: Path) -> None:
    text = (policy.POLICY_DIR / "grading.toml").read_text()
    assert policy.load_grading().review_escalation_margin == timedelta(minutes=30)
    path = tmp_path / "grading.toml"
    path.write_text(text.replace("review_escalation_margin_minutes = 30",
                                 "review_escalation_margin_minutes = 45"))
    assert policy.load_grading(path).review_escalation_margin == timedelta(minutes=45)
    broken = text.replace("review_escalation_margin_minutes = 30",
                          'review_escalation_margin_minutes = "half an hour"')
    path.write_text(broken)
    line = broken.splitlines().index('review_escalation_margin_minutes = "half an hour"') + 1
    with pytest.raises(policy.PolicyError, match=f"{path}:{line}: "
                                                 "review_escalation_margin_minutes: "):
        policy.load_grading(path)
