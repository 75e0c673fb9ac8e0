"""THRIVE rules and grading, tested without a database and with times fixed to the minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from firstcontact.platform.model import ValidationError
from firstcontact.risk import policy
from firstcontact.risk.model import (
    NDM_STAGES,
    Grade,
    Thrive,
    parse_determination,
    parse_thrive,
    response_due_at,
    review_due_at,
    suggest_grade,
)

ASSESSED = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def thrive_fields(**answers: str | list[str]) -> dict[str, str | list[str]]:
    fields: dict[str, str | list[str]] = {
        "threat": "none", "harm": "low", "risk": "low", "investigation": "none",
        "vulnerability": "none", "engagement": "phone", "risk_escalating": "no",
    }
    fields.update({f"ndm_{stage}": f"reasons for {stage}" for stage in NDM_STAGES})
    fields.update(answers)
    return fields


def thrive(**answers: str | list[str]) -> Thrive:
    return parse_thrive(thrive_fields(**answers))


def test_immediate_threat_suggests_emergency_with_its_reason() -> None:
    suggestion = suggest_grade(thrive(threat="immediate"), policy.grading())
    assert suggestion.grade is Grade.EMERGENCY
    assert suggestion.reasons == ("Someone is in immediate danger",)


def test_the_most_urgent_matching_rule_wins_and_the_others_are_shown() -> None:
    suggestion = suggest_grade(thrive(threat="immediate", engagement="appointment"),
                               policy.grading())
    assert suggestion.grade is Grade.EMERGENCY
    assert (Grade.SCHEDULED, "Attendance is needed and can be planned with the person") in (
        suggestion.also_considered)


def test_every_reason_for_the_suggested_grade_is_given() -> None:
    suggestion = suggest_grade(thrive(harm="serious", risk="high", risk_escalating="yes"),
                               policy.grading())
    assert suggestion.grade is Grade.EMERGENCY
    assert suggestion.reasons == ("Serious harm is likely now and the risk is escalating",)
    priority = [reason for grade, reason in suggestion.also_considered
                if grade is Grade.PRIORITY]
    assert "The risk is escalating" in priority


def test_suspect_nearby_only_counts_with_an_opportunity_now() -> None:
    hours = thrive(investigation="hours", investigation_opportunities=["suspect_nearby"])
    now = thrive(investigation="now", investigation_opportunities=["suspect_nearby"])
    assert suggest_grade(hours, policy.grading()).grade is not Grade.EMERGENCY
    assert suggest_grade(now, policy.grading()).grade is Grade.EMERGENCY


def test_no_threat_no_harm_and_advice_suggests_no_police_action() -> None:
    suggestion = suggest_grade(thrive(harm="none", engagement="advice"), policy.grading())
    assert suggestion.grade is Grade.NO_POLICE_ACTION


def test_nothing_matching_falls_back_to_the_policy_default_with_its_reason() -> None:
    grading = policy.grading()
    suggestion = suggest_grade(thrive(harm="low", engagement="partner_agency"), grading)
    assert suggestion.grade is grading.default_grade
    assert suggestion.reasons == (grading.default_reason,)


def test_review_falls_due_three_and_a_half_hours_after_assessment() -> None:
    due = review_due_at(ASSESSED, Grade.PRIORITY, policy.grading())
    assert due == datetime(2026, 3, 14, 13, 0, tzinfo=UTC)
    assert due - ASSESSED == timedelta(hours=3, minutes=30)


def test_emergency_target_is_fifteen_minutes_urban_and_twenty_rural() -> None:
    grading = policy.grading()
    assert response_due_at(ASSESSED, Grade.EMERGENCY, "urban", grading) == ASSESSED + timedelta(
        minutes=15)
    assert response_due_at(ASSESSED, Grade.EMERGENCY, "rural", grading) == ASSESSED + timedelta(
        minutes=20)
    assert response_due_at(ASSESSED, Grade.PRIORITY, "rural", grading) == ASSESSED + timedelta(
        minutes=60)
    assert response_due_at(ASSESSED, Grade.NO_POLICE_ACTION, "urban", grading) is None


def test_every_missing_answer_and_rationale_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_thrive({"threat": "immediate", "harm": "catastrophic"})
    errors = caught.value.errors
    assert "harm" in errors and "risk" in errors and "engagement" in errors
    assert "threat" not in errors
    assert all(f"ndm_{stage}" in errors for stage in NDM_STAGES)


def test_markup_in_a_note_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_thrive(thrive_fields(threat_note="<script>alert(1)</script>"))
    assert caught.value.errors == {"threat_note": "Must not contain HTML or script"}


def test_unknown_detail_option_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_thrive(thrive_fields(vulnerability_factors=["child", "astrology"]))
    assert "vulnerability_factors" in caught.value.errors


def determination_fields(**fields: str | list[str]) -> dict[str, str | list[str]]:
    base: dict[str, str | list[str]] = {"grade": "priority", "nsir_category": "crime",
                                        "opening_code": "CR-BUR", "qualifiers": []}
    base.update(fields)
    return base


def test_confirming_the_suggestion_needs_no_rationale() -> None:
    decision = parse_determination(determination_fields(), Grade.PRIORITY, policy.nsir())
    assert not decision.is_override


def test_an_override_needs_a_rationale() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_determination(determination_fields(grade="scheduled"), Grade.PRIORITY,
                            policy.nsir())
    assert "rationale" in caught.value.errors
    decision = parse_determination(
        determination_fields(grade="scheduled", rationale="Caller is at work until 18:00"),
        Grade.PRIORITY, policy.nsir())
    assert decision.is_override and decision.grade is Grade.SCHEDULED


def test_an_opening_code_must_belong_to_the_category() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_determination(determination_fields(nsir_category="transport"), Grade.PRIORITY,
                            policy.nsir())
    assert caught.value.errors == {
        "opening_code": "That opening code is not in the chosen category"}


def test_unknown_grade_code_and_qualifier_are_each_named() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_determination(determination_fields(grade="urgent", opening_code="XX-1",
                                                 qualifiers=["aliens"]),
                            Grade.PRIORITY, policy.nsir())
    assert set(caught.value.errors) == {"grade", "opening_code", "qualifiers"}
