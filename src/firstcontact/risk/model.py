"""THRIVE: the call handler's structured risk assessment, and the grade it suggests.

The rules never decide. They suggest a grade with the reasons that led to it; the handler
confirms it or chooses another and says why (College of Policing APP "Risk": record the
decision and its rationale, judged on the information available at the time).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from firstcontact.platform.model import FieldErrors, ValidationError, plain_text


class Grade(enum.StrEnum):
    """The determination: what the police will do and how fast. Most urgent first."""

    EMERGENCY = "emergency"
    PRIORITY = "priority"
    SCHEDULED = "scheduled"
    RESOLUTION_WITHOUT_DEPLOYMENT = "resolution_without_deployment"
    NO_POLICE_ACTION = "no_police_action"

    @property
    def urgency(self) -> int:
        """0 is the most urgent; used to order queues and choose between suggestions."""
        return list(Grade).index(self)


# Each THRIVE element's structured answer, as the options a handler chooses from.
ELEMENT_OPTIONS: dict[str, tuple[str, ...]] = {
    "threat": ("none", "possible", "immediate"),
    "harm": ("none", "low", "moderate", "serious"),
    "risk": ("low", "medium", "high"),
    "investigation": ("none", "hours", "now"),
    "vulnerability": ("none", "some", "high"),
    "engagement": ("attend_now", "attend_soon", "appointment", "phone", "partner_agency",
                   "advice"),
}

# The multi-choice details that go with some elements.
DETAIL_OPTIONS: dict[str, tuple[str, ...]] = {
    "threat_to": ("caller", "others", "children", "officers"),
    "harm_kinds": ("physical", "psychological", "financial", "community"),
    "investigation_opportunities": ("suspect_nearby", "forensic", "cctv", "witnesses",
                                    "digital"),
    "vulnerability_factors": ("child", "older_person", "disability", "mental_health",
                              "under_control", "repeat_victim", "language", "isolation",
                              "substance_use"),
}

NDM_STAGES: dict[str, str] = {
    "information": "Gather information and intelligence",
    "assessment": "Assess threat and risk and develop a working strategy",
    "powers_policy": "Consider powers and policy",
    "options": "Identify options and contingencies",
    "action_review": "Take action and review what happened",
}
"""The National Decision Model's five stages, around the Code of Ethics."""

ESCALATING = "risk_escalating"
NOTE_MAX = 2_000


@dataclass(frozen=True)
class Thrive:
    """One THRIVE assessment as recorded: a structured answer and a note per element."""

    answers: Mapping[str, str]
    """element -> chosen option, for every key of ELEMENT_OPTIONS."""
    details: Mapping[str, tuple[str, ...]]
    """detail -> chosen options, for every key of DETAIL_OPTIONS (may be empty)."""
    risk_escalating: bool
    notes: Mapping[str, str]
    """element -> the handler's free-text note (may be empty)."""
    ndm: Mapping[str, str]
    """NDM stage -> the rationale written for it."""

    def facts(self) -> dict[str, tuple[str, ...]]:
        """Everything a grading rule may test, each as a tuple of values."""
        facts: dict[str, tuple[str, ...]] = {
            name: (value,) for name, value in self.answers.items()}
        facts.update({name: tuple(values) for name, values in self.details.items()})
        facts[ESCALATING] = ("yes",) if self.risk_escalating else ("no",)
        return facts


def parse_thrive(fields: Mapping[str, str | Sequence[str] | None]) -> Thrive:
    """Check a THRIVE submission (form or API). Every missing or unknown answer is named."""
    errors = FieldErrors()
    answers = {name: errors.check(partial(_option, name, fields.get(name)))
               for name in ELEMENT_OPTIONS}
    details = {name: errors.check(partial(_options, name, fields.get(name)))
               for name in DETAIL_OPTIONS}
    notes = {name: errors.check(partial(_note, f"{name}_note", fields, False))
             for name in ELEMENT_OPTIONS}
    ndm = {stage: errors.check(partial(_note, f"ndm_{stage}", fields, True))
           for stage in NDM_STAGES}
    escalating = _text(fields.get(ESCALATING)).lower() in {"yes", "true", "on", "1"}
    errors.raise_any()
    return Thrive(
        answers={k: v for k, v in answers.items() if v is not None},
        details={k: v for k, v in details.items() if v is not None},
        risk_escalating=escalating,
        notes={k: v for k, v in notes.items() if v is not None},
        ndm={k: v for k, v in ndm.items() if v is not None},
    )


def _note(field: str, fields: Mapping[str, str | Sequence[str] | None], required: bool) -> str:
    return plain_text(field, _text(fields.get(field)), max_chars=NOTE_MAX, required=required)


def _text(value: str | Sequence[str] | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value[0] if value else ""


def _option(name: str, value: str | Sequence[str] | None) -> str:
    chosen = _text(value).strip()
    if chosen not in ELEMENT_OPTIONS[name]:
        raise ValidationError(name, f"Select an answer for {name.replace('_', ' ')}")
    return chosen


def _options(name: str, value: str | Sequence[str] | None) -> tuple[str, ...]:
    chosen = [value] if isinstance(value, str) else list(value or [])
    chosen = [c.strip() for c in chosen if c.strip()]
    unknown = [c for c in chosen if c not in DETAIL_OPTIONS[name]]
    if unknown:
        raise ValidationError(name, f"Unknown option: {unknown[0][:40]}")
    return tuple(dict.fromkeys(chosen))


@dataclass(frozen=True)
class Rule:
    """One line of grading policy: when every condition holds, suggest `grade` for `reason`."""

    grade: Grade
    reason: str
    when: Mapping[str, tuple[str, ...]]

    def matches(self, facts: Mapping[str, tuple[str, ...]]) -> bool:
        return all(set(facts.get(name, ())) & set(allowed) for name, allowed in self.when.items())


@dataclass(frozen=True)
class GradePolicy:
    """What a grade promises: its response target and whether it opens an incident."""

    grade: Grade
    label: str
    target_minutes: Mapping[str, int]
    """area type ("urban", "rural") -> minutes; "any" applies to both."""
    opens_incident: bool
    review_interval: timedelta | None = None
    """Overrides the general re-THRIVE interval for this grade, if the policy sets one."""

    def target_for(self, area_type: str) -> int | None:
        return self.target_minutes.get(area_type, self.target_minutes.get("any"))


@dataclass(frozen=True)
class GradingPolicy:
    grades: Mapping[Grade, GradePolicy]
    rules: Sequence[Rule]
    default_grade: Grade
    default_reason: str
    review_interval: timedelta
    source: str = ""
    review_escalation_margin: timedelta = timedelta(minutes=30)
    """How long past its due time an unreviewed incident waits before the team leader is told."""


@dataclass(frozen=True)
class Suggestion:
    grade: Grade
    reasons: tuple[str, ...]
    """Why: each matching rule for the suggested grade, in policy order."""
    also_considered: tuple[tuple[Grade, str], ...] = field(default=())
    """Rules for less urgent grades that also matched, shown so the handler sees the picture."""


def suggest_grade(thrive: Thrive, policy: GradingPolicy) -> Suggestion:
    """The most urgent grade any rule supports, with every reason for it."""
    facts = thrive.facts()
    matched = [rule for rule in policy.rules if rule.matches(facts)]
    if not matched:
        return Suggestion(policy.default_grade, (policy.default_reason,))
    grade = min((rule.grade for rule in matched), key=lambda g: g.urgency)
    reasons = tuple(rule.reason for rule in matched if rule.grade == grade)
    others = tuple((rule.grade, rule.reason) for rule in matched if rule.grade != grade)
    return Suggestion(grade, reasons, others)


def review_due_at(assessed_at: datetime, grade: Grade, policy: GradingPolicy) -> datetime:
    """When an open incident must be re-THRIVEd at the latest (3h30 by this force's policy)."""
    interval = policy.grades[grade].review_interval or policy.review_interval
    return assessed_at + interval


def escalation_due_at(review_due: datetime, policy: GradingPolicy) -> datetime:
    """When a review still not done is escalated to the team leader."""
    return review_due + policy.review_escalation_margin


def response_due_at(determined_at: datetime, grade: Grade, area_type: str,
                    policy: GradingPolicy) -> datetime | None:
    minutes = policy.grades[grade].target_for(area_type)
    return None if minutes is None else determined_at + timedelta(minutes=minutes)


@dataclass(frozen=True)
class NsirCategory:
    """An NSIR 2011 incident category and its opening codes (code -> label)."""

    code: str
    label: str
    opening_codes: Mapping[str, str]
    closing_codes: Mapping[str, str] = field(default_factory=dict)
    """What an incident in any category may turn out to be when it is finalised."""


@dataclass(frozen=True)
class NsirCatalogue:
    categories: Mapping[str, NsirCategory]
    qualifiers: Mapping[str, str]
    results: Mapping[str, str] = field(default_factory=dict)
    """What the police did, recorded with the closing code."""

    def closing_label(self, code: str) -> str | None:
        return next((c.closing_codes[code] for c in self.categories.values()
                     if code in c.closing_codes), None)


@dataclass(frozen=True)
class Determination:
    """The handler's decision: a grade (perhaps not the one suggested) and how it is recorded."""

    grade: Grade
    suggested_grade: Grade
    rationale: str
    """Why this grade. Required when the handler overrides the suggestion."""
    nsir_category: str
    opening_code: str
    qualifiers: tuple[str, ...]

    @property
    def is_override(self) -> bool:
        return self.grade != self.suggested_grade


OVERRIDE_RATIONALE_MIN = 10


def parse_determination(fields: Mapping[str, str | Sequence[str] | None], suggested: Grade,
                        catalogue: NsirCatalogue) -> Determination:
    """Check the determination form. An override without a real rationale is refused."""
    errors = FieldErrors()
    grade = errors.check(lambda: _grade(_text(fields.get("grade"))))
    rationale = errors.check(lambda: plain_text(
        "rationale", _text(fields.get("rationale")), max_chars=NOTE_MAX)) or ""
    if grade is not None and grade != suggested and len(rationale) < OVERRIDE_RATIONALE_MIN:
        errors.errors.setdefault("rationale", "Explain why you chose a different grade from the "
                                              "one suggested")
    category = errors.check(lambda: _nsir_category(_text(fields.get("nsir_category")), catalogue))
    code = errors.check(lambda: _opening_code(_text(fields.get("opening_code")), category,
                                              catalogue))
    qualifiers = errors.check(lambda: _qualifiers(fields.get("qualifiers"), catalogue))
    errors.raise_any()
    assert grade is not None and category is not None and code is not None
    return Determination(grade, suggested, rationale, category, code, qualifiers or ())


def _grade(raw: str) -> Grade:
    try:
        return Grade(raw.strip())
    except ValueError:
        raise ValidationError("grade", "Select a grade") from None


def _nsir_category(raw: str, catalogue: NsirCatalogue) -> str:
    if raw.strip() not in catalogue.categories:
        raise ValidationError("nsir_category", "Select an NSIR incident category")
    return raw.strip()


def _opening_code(raw: str, category: str | None, catalogue: NsirCatalogue) -> str:
    code = raw.strip()
    known = any(code in c.opening_codes for c in catalogue.categories.values())
    if not known:
        raise ValidationError("opening_code", "Select an NSIR opening code")
    if category is not None and code not in catalogue.categories[category].opening_codes:
        raise ValidationError("opening_code", "That opening code is not in the chosen category")
    return code


def _qualifiers(raw: str | Sequence[str] | None, catalogue: NsirCatalogue) -> tuple[str, ...]:
    chosen = [raw] if isinstance(raw, str) else list(raw or [])
    chosen = [c.strip() for c in chosen if c.strip()]
    for qualifier in chosen:
        if qualifier not in catalogue.qualifiers:
            raise ValidationError("qualifiers", f"Unknown qualifier: {qualifier[:40]}")
    return tuple(dict.fromkeys(chosen))


@dataclass(frozen=True)
class Finalisation:
    """How an incident is closed: its NSIR closing code, the result and a closing note."""

    closing_code: str
    result: str
    note: str


def parse_finalisation(fields: Mapping[str, str | Sequence[str] | None],
                       catalogue: NsirCatalogue) -> Finalisation:
    """An incident is finalised only with a known closing code and result (NSIR 2011)."""
    errors = FieldErrors()
    code = _text(fields.get("closing_code")).strip()
    if catalogue.closing_label(code) is None:
        errors.errors["closing_code"] = "Select an NSIR closing code"
    result = _text(fields.get("result")).strip()
    if result not in catalogue.results:
        errors.errors["result"] = "Select the result"
    note = errors.check(lambda: plain_text("closing_note", _text(fields.get("closing_note")),
                                           max_chars=NOTE_MAX)) or ""
    errors.raise_any()
    return Finalisation(code, result, note)


@dataclass(frozen=True)
class Review:
    """A dispatcher's re-THRIVE decision on an open incident: the grade it now has, and why."""

    grade: Grade
    suggested_grade: Grade
    rationale: str
    what_changed: str


def parse_review(fields: Mapping[str, str | Sequence[str] | None], suggested: Grade,
                 policy: GradingPolicy) -> Review:
    """Check the re-THRIVE decision. Rationale and what changed are always required: a
    reviewer of the log must see why the incident stands where it does (APP "Risk")."""
    errors = FieldErrors()
    grade = errors.check(lambda: _open_grade(_text(fields.get("grade")), policy))
    rationale = errors.check(lambda: plain_text(
        "rationale", _text(fields.get("rationale")), max_chars=NOTE_MAX, required=True))
    changed = errors.check(lambda: plain_text(
        "what_changed", _text(fields.get("what_changed")), max_chars=NOTE_MAX, required=True))
    errors.raise_any()
    assert grade is not None and rationale is not None and changed is not None
    return Review(grade, suggested, rationale, changed)


def _open_grade(raw: str, policy: GradingPolicy) -> Grade:
    grade = _grade(raw)
    if not policy.grades[grade].opens_incident:
        raise ValidationError("grade", "That grade closes the incident: finalise it instead")
    return grade


def thrive_fields(thrive: Thrive) -> dict[str, str | list[str]]:
    """A recorded THRIVE as form values, so a re-assessment starts from the last one."""
    values: dict[str, str | list[str]] = dict(thrive.answers)
    values.update({name: list(chosen) for name, chosen in thrive.details.items()})
    values.update({f"{name}_note": note for name, note in thrive.notes.items()})
    values.update({f"ndm_{stage}": text for stage, text in thrive.ndm.items()})
    values[ESCALATING] = "yes" if thrive.risk_escalating else "no"
    return values


ELEMENT_QUESTIONS: dict[str, str] = {
    "threat": "Threat: what threat is there, to whom, now and later? Is anyone in immediate "
              "danger?",
    "harm": "Harm: what harm has been or could be done?",
    "risk": "Risk: how likely is the harm, and how soon?",
    "investigation": "Investigation: is there an opportunity that would be lost without "
                     "prompt action?",
    "vulnerability": "Vulnerability: is the person vulnerable?",
    "engagement": "Engagement: what engagement is needed to resolve it?",
}

_LABELS = {
    "hours": "Would be lost within hours",
    "now": "Would be lost now",
    "attend_now": "Attend now",
    "attend_soon": "Attend soon",
    "appointment": "Appointment",
    "phone": "Phone or online resolution",
    "partner_agency": "Partner agency",
    "advice": "Advice or signpost",
    "suspect_nearby": "Suspect at or near the scene",
    "cctv": "CCTV",
    "digital": "Digital evidence",
    "older_person": "Older person",
    "mental_health": "Mental health",
    "under_control": "Under someone's control",
    "repeat_victim": "Repeat victim",
    "language": "Language or communication",
    "substance_use": "Alcohol or drugs",
    "resolution_without_deployment": "Resolution without deployment",
    "no_police_action": "No police action / signpost",
}


def option_label(value: str) -> str:
    """How an option reads on screen."""
    return _LABELS.get(value, value.replace("_", " ").capitalize())
