"""Missing-person rules (College of Policing APP "Missing persons"), pure: no clock, no DB.

Staff choose the risk level and write why; `suggest_level` only offers a level from the risk
factors, with the factors that drove it, so an override is visible and recorded.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from firstcontact.platform.model import FieldErrors, ValidationError, plain_text

TEXT, SHORT = 4000, 300


class RiskLevel(enum.StrEnum):
    """APP risk levels, lowest first (the order `suggest_level` relies on)."""

    NO_APPARENT_RISK = "no_apparent_risk"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Outcome(enum.StrEnum):
    FOUND_SAFE = "found_safe"
    RETURNED_HOME = "returned_home"
    FOUND_HARMED = "found_harmed"
    FOUND_DECEASED = "found_deceased"


@dataclass(frozen=True)
class MissingPolicy:
    review_every: dict[RiskLevel, timedelta]
    """How often an open report's risk is reviewed, per level."""
    return_interview_within: timedelta
    factors: dict[str, RiskLevel]
    """Each risk factor staff may tick, and the least level it suggests on its own."""


@dataclass(frozen=True)
class Suggestion:
    level: RiskLevel
    because: tuple[str, ...]


@dataclass(frozen=True)
class RiskDecision:
    level: RiskLevel
    rationale: str


@dataclass(frozen=True)
class ReportDraft:
    details: dict[str, str]
    last_seen_at: datetime
    last_seen_place: str
    age: int | None
    dementia: bool
    child_in_care: bool
    risk_factors: tuple[str, ...]
    decision: RiskDecision

    @property
    def child(self) -> bool:
        """A child for the return home interview: under 18, or looked after by a council."""
        return self.child_in_care or (self.age is not None and self.age < 18)


DETAIL_FIELDS = ("description", "circumstances", "medical_needs", "medication",
                 "mental_health", "herbert_protocol", "previous_episodes")
REQUIRED_DETAILS = ("description", "circumstances")


def risk_level(value: Any, field: str = "risk_level") -> RiskLevel:
    try:
        return RiskLevel(str(value or "").strip())
    except ValueError:
        raise ValidationError(field, "Select one of: " + ", ".join(RiskLevel)) from None


def parse_decision(fields: Mapping[str, Any]) -> RiskDecision:
    """Staff's risk level and their reason: a level without a rationale is refused."""
    errors = FieldErrors()
    level = errors.check(lambda: risk_level(fields.get("risk_level")))
    rationale = errors.check(lambda: plain_text("risk_rationale", fields.get("risk_rationale"),
                                                max_chars=TEXT, required=True))
    errors.raise_any()
    assert level is not None and rationale is not None
    return RiskDecision(level, rationale)


def parse_moment(field: str, value: Any, now: datetime) -> datetime:
    """An ISO 8601 time with its offset, not in the future."""
    try:
        moment = datetime.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError(field, "Enter a date and time, e.g. 2026-03-14T09:30Z") from None
    if moment.tzinfo is None:
        raise ValidationError(field, "Give the time zone, e.g. Z or +01:00")
    if moment > now:
        raise ValidationError(field, "Must not be in the future")
    return moment


def parse_report(fields: Mapping[str, Any], policy: MissingPolicy, now: datetime) -> ReportDraft:
    """Check a new missing-person report; every field at fault is named at once."""
    errors = FieldErrors()
    details = {name: errors.check(lambda n=name: plain_text(  # type: ignore[misc]
        n, fields.get(n), max_chars=TEXT, required=n in REQUIRED_DETAILS)) or ""
        for name in DETAIL_FIELDS}
    seen_at = errors.check(lambda: parse_moment("last_seen_at", fields.get("last_seen_at"), now))
    place = errors.check(lambda: plain_text("last_seen_place", fields.get("last_seen_place"),
                                            max_chars=SHORT, required=True))
    age = errors.check(lambda: _age(fields.get("age")))
    factors = errors.check(lambda: _factors(fields.get("risk_factors"), policy))
    decision = errors.check(lambda: parse_decision(fields))
    dementia, in_care = bool(fields.get("dementia")), bool(fields.get("child_in_care"))
    if dementia and not details["herbert_protocol"]:
        errors.errors.setdefault("herbert_protocol", "Dementia: give the Herbert Protocol "
                                 "details (photo, routines, places they may go), or 'none held'")
    errors.raise_any()
    assert seen_at is not None and place is not None and factors is not None
    assert decision is not None
    return ReportDraft(details, seen_at, place, age, dementia, in_care, factors, decision)


def _age(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 130:
        raise ValidationError("age", "Enter an age in whole years (0 to 130)")
    return value


def _factors(value: Any, policy: MissingPolicy) -> tuple[str, ...]:
    chosen = value or []
    if not isinstance(chosen, list) or any(f not in policy.factors for f in chosen):
        raise ValidationError("risk_factors", "Choose from: " + ", ".join(policy.factors))
    return tuple(dict.fromkeys(str(f) for f in chosen))


def present_factors(draft: ReportDraft, previous_episodes: int) -> tuple[str, ...]:
    """Ticked factors plus those the report itself shows (dementia, in care, been missing)."""
    found = list(draft.risk_factors)
    for name, present in (("dementia", draft.dementia), ("child_in_care", draft.child_in_care),
                          ("child", draft.child), ("repeat_missing", previous_episodes > 0)):
        if present and name not in found:
            found.append(name)
    return tuple(found)


def suggest_level(factors: tuple[str, ...], policy: MissingPolicy) -> Suggestion:
    """The highest level any present factor suggests, and the factors that suggested it."""
    order = list(RiskLevel)
    known = [f for f in factors if f in policy.factors]
    if not known:
        return Suggestion(RiskLevel.NO_APPARENT_RISK, ())
    top = max((policy.factors[f] for f in known), key=order.index)
    return Suggestion(top, tuple(f for f in known if policy.factors[f] is top))


def next_review(level: RiskLevel, decided_at: datetime, policy: MissingPolicy) -> datetime:
    return decided_at + policy.review_every[level]


def parse_found(fields: Mapping[str, Any], last_seen_at: datetime,
                now: datetime) -> tuple[datetime, Outcome, str]:
    """When and how the person was found; never before they were last seen."""
    errors = FieldErrors()
    found_at = errors.check(lambda: parse_moment("found_at", fields.get("found_at"), now))
    if found_at is not None and found_at < last_seen_at:
        errors.errors["found_at"] = "Must not be before the time they were last seen"
    outcome = errors.check(lambda: _outcome(fields.get("outcome")))
    note = errors.check(lambda: plain_text("outcome_note", fields.get("outcome_note"),
                                           max_chars=TEXT))
    errors.raise_any()
    assert found_at is not None and outcome is not None
    return found_at, outcome, note or ""


def _outcome(value: Any) -> Outcome:
    try:
        return Outcome(str(value or "").strip())
    except ValueError:
        raise ValidationError("outcome", "Select one of: " + ", ".join(Outcome)) from None
