"""The pure missing-person rules: suggestion from factors, review intervals, found checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from firstcontact.missing.model import (
    RiskLevel,
    next_review,
    parse_found,
    parse_report,
    suggest_level,
)
from firstcontact.missing.policy import POLICY_FILE, PolicyError, load, missing_policy
from firstcontact.platform.model import ValidationError

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
SEEN = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)


def test_the_suggestion_is_the_highest_factor_and_says_why() -> None:
    policy = missing_policy()
    assert suggest_level((), policy).level is RiskLevel.NO_APPARENT_RISK
    low = suggest_level(("repeat_missing",), policy)
    assert (low.level, low.because) == (RiskLevel.LOW, ("repeat_missing",))
    high = suggest_level(("repeat_missing", "dementia", "child"), policy)
    assert (high.level, high.because) == (RiskLevel.HIGH, ("dementia",))


def test_reviews_fall_due_per_level_from_the_policy_file() -> None:
    policy = missing_policy()
    assert next_review(RiskLevel.HIGH, NOW, policy) == NOW + timedelta(minutes=60)
    assert next_review(RiskLevel.MEDIUM, NOW, policy) == NOW + timedelta(hours=4)
    assert policy.return_interview_within == timedelta(hours=72)


def test_a_report_names_every_field_at_fault() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_report({"risk_level": "severe", "dementia": True, "age": -1,
                      "risk_factors": ["unlucky"], "last_seen_at": "2026-03-15T09:00Z"},
                     missing_policy(), NOW)
    assert set(caught.value.errors) == {
        "description", "circumstances", "last_seen_place", "last_seen_at", "age",
        "risk_factors", "risk_level", "risk_rationale", "herbert_protocol"}


def test_found_before_last_seen_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_found({"found_at": "2026-03-14T07:59Z", "outcome": "found_safe"}, SEEN, NOW)
    assert caught.value.field == "found_at"
    found_at, outcome, _ = parse_found({"found_at": "2026-03-14T08:00Z",
                                        "outcome": "returned_home"}, SEEN, NOW)
    assert (found_at, outcome.value) == (SEEN, "returned_home")


def test_a_faulty_policy_file_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "missing.toml"
    bad.write_text(POLICY_FILE.read_text(encoding="utf-8").replace(
        'dementia = "high"', 'dementia = "very high"'), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"missing\.toml:\d+: factors\.dementia: unknown"):
        load(bad)
    bad.write_text(POLICY_FILE.read_text(encoding="utf-8").replace("medium = 240", ""),
                   encoding="utf-8")
    with pytest.raises(PolicyError, match=r"missing\.toml:\d+: review_minutes\.medium"):
        load(bad)
