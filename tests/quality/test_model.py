"""The QA rules without a database: the random draw (seeded), the risk-based tests, the review
form's checks and the averages."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from firstcontact.platform.model import ValidationError
from firstcontact.platform.policyfile import PolicyError
from firstcontact.quality.model import (
    Candidate,
    HandledContact,
    Reason,
    averages,
    draw_count,
    is_downgrade,
    is_repeat_caller,
    new_candidates,
    parse_days,
    parse_review,
    random_samples,
    review_was_late,
    team_of,
)
from firstcontact.quality.policy import criteria, load_criteria, load_sampling, sampling
from firstcontact.quality.trend import chart

FRIDAY = datetime(2026, 3, 13, 8, 0, tzinfo=UTC)


def pool(first: int, count: int, handler: int = 5) -> list[HandledContact]:
    return [HandledContact(first + i, handler, FRIDAY + timedelta(minutes=i))
            for i in range(count)]


def test_a_seeded_draw_takes_the_share_rounded_up_and_always_the_same_contacts() -> None:
    drawn = random_samples(pool(101, 20), 10, random.Random(7))
    assert [(c.contact_id, c.reason) for c in drawn] == [(105, Reason.RANDOM),
                                                         (111, Reason.RANDOM)]
    assert drawn[0].detail == "drawn at 10% from 20 contacts that day"
    again = random_samples(list(reversed(pool(101, 20))), 10, random.Random(7))
    assert [c.contact_id for c in again] == [105, 111]


def test_a_small_day_still_gives_one_sample_and_a_zero_share_none() -> None:
    assert [c.contact_id for c in random_samples(pool(101, 3), 5, random.Random(7))] == [102]
    assert draw_count(3, 5) == 1 and draw_count(40, 5) == 2 and draw_count(41, 5) == 3
    assert draw_count(10, 0) == 0 and draw_count(0, 5) == 0 and draw_count(4, 100) == 4


def test_a_downgrade_is_a_less_urgent_grade_after_re_thrive() -> None:
    assert is_downgrade("priority", "scheduled")
    assert is_downgrade("emergency", "no_police_action")
    assert not is_downgrade("scheduled", "priority")
    assert not is_downgrade("priority", "priority")


def test_a_review_is_late_after_its_due_minute_not_on_it() -> None:
    due = FRIDAY
    assert not review_was_late(due, due, due + timedelta(hours=1))
    assert review_was_late(due, due + timedelta(minutes=1), due)
    assert not review_was_late(due, None, due)
    assert review_was_late(due, None, due + timedelta(minutes=1))


def test_a_repeat_caller_has_three_contacts_in_28_days_counting_this_one() -> None:
    at = FRIDAY
    earlier = [at - timedelta(days=27, hours=23), at - timedelta(days=3), at]
    assert is_repeat_caller(earlier, at, 3, 28)
    assert not is_repeat_caller([at - timedelta(days=28), at - timedelta(days=3), at], at, 3, 28)
    assert not is_repeat_caller([*earlier, at + timedelta(days=1)][1:], at, 3, 28)


def test_a_contact_already_sampled_for_a_reason_is_not_taken_again_for_it() -> None:
    found = [Candidate(9, Reason.RANDOM, 1, FRIDAY),
             Candidate(9, Reason.HARM_PROMPT_DISMISSED, 1, FRIDAY),
             Candidate(4, Reason.MISSED_REVIEW_DEADLINE, 2, FRIDAY, "first"),
             Candidate(4, Reason.MISSED_REVIEW_DEADLINE, 2, FRIDAY, "second")]
    fresh = new_candidates(found, {(9, "random")})
    assert [(c.contact_id, c.reason.value, c.detail) for c in fresh] == [
        (4, "missed_review_deadline", "first"), (9, "harm_prompt_dismissed", "")]


def test_staff_not_listed_in_a_team_are_grouped_by_role() -> None:
    policy = sampling()
    assert team_of("casey", "call_handler", policy) == "Call handler"
    listed = type(policy)(5, {"casey": "Team 2"})
    assert team_of("casey", "call_handler", listed) == "Team 2"


def test_the_team_on_the_staff_account_comes_before_the_qa_list() -> None:
    listed = type(sampling())(5, {"casey": "Team 2"})
    assert team_of("casey", "call_handler", listed, "Red Watch") == "Red Watch"
    assert team_of("casey", "call_handler", listed, "  ") == "Team 2"


def full_scores(**changes: object) -> dict[str, object]:
    scores: dict[str, object] = {c.code: 2 for c in criteria()}
    scores.update(changes)
    return scores


def test_a_review_names_every_bad_score_and_an_unknown_criterion() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_review(full_scores(thrive=4, grade="", courtesy="na", speed=1), {}, "",
                     criteria())
    assert caught.value.errors == {
        "scores.speed": "Not a criterion on this review form",
        "scores.thrive": "Score must be a whole number from 0 to 3",
        "scores.grade": "Choose a score for Grade appropriate",
        "scores.courtesy": "Score must be a whole number from 0 to 3",
        "summary": "Enter this information"}


def test_a_review_may_mark_victims_code_not_applicable_and_refuses_markup_in_notes() -> None:
    form = parse_review(full_scores(vcop="na"), {"grade": "Right grade"}, "Good call",
                        criteria())
    assert form.scores["vcop"] is None and form.scores["thrive"] == 2
    assert form.notes["grade"] == "Right grade" and form.notes["thrive"] == ""
    with pytest.raises(ValidationError) as caught:
        parse_review(full_scores(), {"grade": "<script>x</script>"}, "ok", criteria())
    assert caught.value.field == "notes.grade"


def test_averages_leave_out_not_applicable_and_compare_as_percent_of_the_top() -> None:
    found = {a.code: a for a in averages(
        [{"thrive": 3, "vcop": None}, {"thrive": 2, "vcop": 1}, {"thrive": 0}], criteria())}
    assert (found["thrive"].reviews, found["thrive"].mean, found["thrive"].percent) == (
        3, 1.67, 55.6)
    assert (found["vcop"].reviews, found["vcop"].mean, found["vcop"].percent) == (1, 1, 33.3)
    assert (found["grade"].reviews, found["grade"].mean, found["grade"].percent) == (
        0, None, None)


def test_the_trend_chart_draws_a_bar_per_criterion_per_month() -> None:
    codes = [c.code for c in criteria()]
    by_month = {"2026-03": averages([{"thrive": 3}], criteria()),
                "2026-02": averages([{"thrive": 0, "grade": 3}], criteria())}
    drawn = chart(by_month, codes)
    assert drawn.months == ["2026-02", "2026-03"] and len(drawn.bars) == 2 * len(codes)
    thrive_march = drawn.bars[len(codes)]
    assert (thrive_march.month, thrive_march.code, thrive_march.label) == (
        "2026-03", "thrive", "100%")
    assert (thrive_march.x, thrive_march.y, thrive_march.height) == (drawn.group, 0, 120)
    assert [b.label for b in drawn.bars[:3]] == ["0%", "\u2013", "100%"]


def test_days_default_to_the_last_months_and_bad_dates_are_named() -> None:
    assert parse_days(None, "", date(2026, 3, 14)) == (date(2025, 10, 1), date(2026, 3, 14))
    with pytest.raises(ValidationError) as caught:
        parse_days("14/03/2026", "2026-02-30", date(2026, 3, 14))
    assert set(caught.value.errors) == {"from", "to"}
    with pytest.raises(ValidationError) as caught:
        parse_days("2026-03-14", "2026-03-13", date(2026, 3, 14))
    assert caught.value.errors == {"to": "Must be on or after the first day"}


def test_a_mistake_in_the_sampling_policy_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "sampling.toml"
    bad.write_text("# QA\nrandom_percent = 150\n[teams]\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"sampling.toml:2: random_percent: must be a number"):
        load_sampling(bad)
    bad.write_text("random_percent = 5\n[teams]\ncasey = 2\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"sampling.toml:3: teams.casey: "):
        load_sampling(bad)


def test_a_mistake_in_the_criteria_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "criteria.toml"
    bad.write_text('[[criterion]]\ncode = "a"\ntitle = "A"\nquestion = "Q"\nscale = ["x", "y"]\n'
                   '\n[[criterion]]\ncode = "b"\ntitle = "B"\nquestion = "Q"\nscale = ["x"]\n',
                   encoding="utf-8")
    with pytest.raises(PolicyError, match=r"criteria.toml:7: criterion\[1\].scale: "):
        load_criteria(bad)
    assert [c.code for c in criteria()] == ["thrive", "vulnerability", "grade", "hidden_demand",
                                            "vcop", "courtesy"]
