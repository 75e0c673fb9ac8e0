"""THRIVE at first contact: assess, suggest a grade, and record the handler's determination.

A determination whose grade needs a response opens an incident (demand room) with its first
re-THRIVE deadline, in the same transaction: all stored together, or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstcontact.contacts import service as contacts
from firstcontact.contacts.model import ContactStatus
from firstcontact.demand import service as demand
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import stage_event
from firstcontact.platform.events import Event
from firstcontact.platform.model import Actor, Conflict, NotFound, Permission, plain_text
from firstcontact.platform.runtime import Runtime
from firstcontact.risk import policy
from firstcontact.risk.model import (
    Determination,
    Grade,
    GradingPolicy,
    Review,
    Suggestion,
    Thrive,
    escalation_due_at,
    parse_determination,
    parse_finalisation,
    parse_review,
    response_due_at,
    review_due_at,
    suggest_grade,
)
from firstcontact.risk.tables import AssessmentRow, DeterminationRow, ReviewRow
from firstcontact.victims import service as victims

FormFields = Mapping[str, str | Sequence[str] | None]


@dataclass(frozen=True)
class AssessmentView:
    id: int
    contact_id: int
    incident_id: int | None
    kind: str
    thrive: Thrive
    suggestion: Suggestion
    assessed_at: datetime
    assessed_by_user_id: int | None


@dataclass(frozen=True)
class DeterminationView:
    id: int
    contact_id: int
    assessment_id: int
    decision: Determination
    response_target_minutes: int | None
    response_due_at: datetime | None
    determined_at: datetime
    determined_by_user_id: int | None
    incident: demand.IncidentView | None


def assessment_view(row: AssessmentRow) -> AssessmentView:
    thrive = Thrive(answers=row.answers, risk_escalating=row.risk_escalating, notes=row.notes,
                    details={k: tuple(v) for k, v in row.details.items()}, ndm=row.ndm)
    suggestion = Suggestion(Grade(row.suggested_grade), tuple(row.suggestion_reasons))
    return AssessmentView(row.id, row.contact_id, row.incident_id, row.kind, thrive, suggestion,
                          row.assessed_at, row.assessed_by_user_id)


def assess(rt: Runtime, actor: Actor, contact_id: int, thrive: Thrive) -> AssessmentView:
    """Record a THRIVE assessment at first contact and the grade the policy suggests."""
    actor.require(Permission.ASSESSMENT_CREATE)
    suggestion = suggest_grade(thrive, policy.grading())
    now = rt.clock.now()
    with rt.database.transaction() as session:
        contact = contacts.load(session, contact_id)
        if contact.status == ContactStatus.DETERMINED.value:
            raise Conflict("This contact already has a determination; re-assess its incident")
        row = _assessment_row(actor, contact_id, "initial", thrive, suggestion, now)
        session.add(row)
        contacts.set_status(session, contact_id, ContactStatus.ASSESSED)
        session.flush()
        audit.record(session, actor, AuditAction.CREATE, "assessment", row.id,
                     "THRIVE assessment recorded", now,
                     {"contact_id": contact_id, "suggested_grade": suggestion.grade.value})
        stage_event(session, Event("assessment.recorded", {
            "contact_id": contact_id, "assessment_id": row.id,
            "suggested_grade": suggestion.grade.value}))
        return AssessmentView(row.id, contact_id, None, row.kind, thrive,
                              suggestion, now, actor.user_id)


def _assessment_row(actor: Actor, contact_id: int, kind: str, thrive: Thrive,
                    suggestion: Suggestion, now: datetime) -> AssessmentRow:
    return AssessmentRow(
        contact_id=contact_id, kind=kind, answers=dict(thrive.answers),
        details={k: list(v) for k, v in thrive.details.items()},
        risk_escalating=thrive.risk_escalating, notes=dict(thrive.notes),
        ndm=dict(thrive.ndm), suggested_grade=suggestion.grade.value,
        suggestion_reasons=list(suggestion.reasons), assessed_at=now,
        assessed_by_user_id=actor.user_id,
    )


def latest_assessment(session: Session, contact_id: int) -> AssessmentRow | None:
    return session.scalars(
        select(AssessmentRow).where(AssessmentRow.contact_id == contact_id)
        .order_by(AssessmentRow.assessed_at.desc(), AssessmentRow.id.desc()).limit(1)).first()


def determine(rt: Runtime, actor: Actor, contact_id: int, fields: FormFields) -> DeterminationView:
    """Record the handler's grade and NSIR classification; open an incident if it needs one."""
    actor.require(Permission.ASSESSMENT_CREATE)
    grading = policy.grading()
    now = rt.clock.now()
    with rt.database.transaction() as session:
        contact = contacts.load(session, contact_id)
        assessment = latest_assessment(session, contact_id)
        if assessment is None:
            raise Conflict("Complete a THRIVE assessment before recording a determination")
        if _existing_determination(session, contact_id) is not None:
            raise Conflict("This contact already has a determination")
        decision = parse_determination(fields, Grade(assessment.suggested_grade), policy.nsir())
        target = grading.grades[decision.grade].target_for(contact.area_type)
        due = response_due_at(now, decision.grade, contact.area_type, grading)
        row = _store_determination(session, actor, assessment, decision, target, due, now)
        incident = None
        first_review = review_due_at(assessment.assessed_at, decision.grade, grading)
        if grading.grades[decision.grade].opens_incident:
            incident_row = demand.open_incident(session, actor, demand.NewIncident(
                contact_id=contact_id, grade=decision.grade.value,
                nsir_category=decision.nsir_category, opening_code=decision.opening_code,
                qualifiers=decision.qualifiers, location=contact.address,
                area_type=contact.area_type, summary=contact.narrative[:280],
                assessed_at=assessment.assessed_at,
                review_due_at=first_review, response_due_at=due,
                escalate_at=escalation_due_at(first_review, grading)), now)
            row.incident_id = incident_row.id
            assessment.incident_id = incident_row.id
            incident = demand.view(incident_row, now)
        if decision.nsir_category == "crime":
            victims.record_crime_victim(session, actor, contact_id, decision.opening_code,
                                        decision.qualifiers, now)
        contacts.set_status(session, contact_id, ContactStatus.DETERMINED)
        return DeterminationView(row.id, contact_id, assessment.id, decision, target, due, now,
                                 actor.user_id, incident)


def _existing_determination(session: Session, contact_id: int) -> DeterminationRow | None:
    return session.scalars(select(DeterminationRow)
                           .where(DeterminationRow.contact_id == contact_id)).first()


def _store_determination(session: Session, actor: Actor, assessment: AssessmentRow,
                         decision: Determination, target: int | None, due: datetime | None,
                         now: datetime) -> DeterminationRow:
    row = DeterminationRow(
        contact_id=assessment.contact_id, assessment_id=assessment.id,
        grade=decision.grade.value, suggested_grade=decision.suggested_grade.value,
        is_override=decision.is_override, rationale=decision.rationale,
        nsir_category=decision.nsir_category, opening_code=decision.opening_code,
        qualifiers=list(decision.qualifiers), response_target_minutes=target,
        response_due_at=due, determined_at=now, determined_by_user_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, AuditAction.CREATE, "determination", row.id,
                 "determination recorded", now,
                 {"contact_id": assessment.contact_id, "grade": decision.grade.value,
                  "suggested_grade": decision.suggested_grade.value,
                  "override": decision.is_override})
    stage_event(session, Event("contact.determined", {
        "contact_id": assessment.contact_id, "grade": decision.grade.value,
        "override": decision.is_override}))
    return row


def determination_view(row: DeterminationRow, incident: demand.IncidentView | None
                       ) -> DeterminationView:
    decision = Determination(Grade(row.grade), Grade(row.suggested_grade), row.rationale,
                             row.nsir_category, row.opening_code, tuple(row.qualifiers))
    return DeterminationView(row.id, row.contact_id, row.assessment_id, decision,
                             row.response_target_minutes, row.response_due_at,
                             row.determined_at, row.determined_by_user_id, incident)


@dataclass(frozen=True)
class ContactFile:
    """Everything recorded about one contact, in order: what the contact page shows."""

    contact: contacts.ContactView
    assessments: list[AssessmentView]
    determination: DeterminationView | None
    incident: demand.IncidentView | None
    trail: list[audit.AuditEntry]


def contact_file(rt: Runtime, actor: Actor, contact_id: int,
                 purpose: str = "contact handling") -> ContactFile:
    """The contact with its THRIVE history, determination, incident and audit trail (audited)."""
    now = rt.clock.now()
    with rt.database.transaction() as session:
        contact = contacts.read_contact(session, actor, contact_id, purpose, now)
        rows = session.scalars(select(AssessmentRow).where(AssessmentRow.contact_id == contact_id)
                               .order_by(AssessmentRow.assessed_at, AssessmentRow.id)).all()
        incident_row = demand.incident_for_contact(session, contact_id)
        incident = demand.view(incident_row, now) if incident_row else None
        determination_row = _existing_determination(session, contact_id)
        determination = (determination_view(determination_row, incident)
                         if determination_row else None)
        trail = _trail(session, contact_id, [r.id for r in rows], determination_row, incident)
        return ContactFile(contact, [assessment_view(r) for r in rows], determination,
                           incident, trail)


def _trail(session: Session, contact_id: int, assessment_ids: list[int],
           determination: DeterminationRow | None,
           incident: demand.IncidentView | None) -> list[audit.AuditEntry]:
    subjects = [("contact", contact_id)] + [("assessment", a) for a in assessment_ids]
    if determination is not None:
        subjects.append(("determination", determination.id))
    if incident is not None:
        subjects.append(("incident", incident.id))
    entries = [e for kind, ident in subjects for e in audit.trail(session, kind, ident)]
    return sorted(entries, key=lambda e: e.id)


def suggestion_for(rt: Runtime, actor: Actor, contact_id: int) -> AssessmentView:
    """The latest assessment of a contact, for the determination page."""
    actor.require(Permission.CONTACT_READ)
    with rt.database.transaction() as session:
        row = latest_assessment(session, contact_id)
        if row is None:
            raise NotFound(f"Contact {contact_id} has no THRIVE assessment yet")
        return assessment_view(row)


def contact_for(rt: Runtime, actor: Actor, contact_id: int,
                purpose: str) -> contacts.ContactView:
    """The contact being assessed, read (and audited) for that purpose."""
    return contacts.get_contact(rt, actor, contact_id, purpose)


@dataclass(frozen=True)
class ReviewForm:
    """What the re-THRIVE page starts from: the incident and its last THRIVE."""

    incident: demand.IncidentView
    last: AssessmentView


def review_form(rt: Runtime, actor: Actor, incident_id: int) -> ReviewForm:
    actor.require(Permission.INCIDENT_REVIEW)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        incident = demand.load(session, incident_id)
        last = latest_assessment(session, incident.contact_id)
        assert last is not None, "an incident is opened from an assessed contact"
        audit.record(session, actor, AuditAction.READ, "incident", incident_id,
                     "re-THRIVE", now)
        return ReviewForm(demand.view(incident, now), assessment_view(last))


@dataclass(frozen=True)
class ReviewView:
    id: int
    incident: demand.IncidentView
    assessment: AssessmentView
    review: Review


def reassess(rt: Runtime, actor: Actor, incident_id: int, thrive: Thrive, fields: FormFields,
             expected_version: int) -> ReviewView:
    """Re-THRIVE an open incident: a full THRIVE record (kind "review"), the reviewer's grade
    with rationale and what changed, and the next review deadline in place of the old one.
    All stored together, or nothing (a stale version or a bad field refuses the lot)."""
    actor.require(Permission.INCIDENT_REVIEW)
    grading = policy.grading()
    suggestion = suggest_grade(thrive, grading)
    review = parse_review(fields, suggestion.grade, grading)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        incident = demand.load(session, incident_id)
        # Read before record_review changes the incident: the review keeps the grade it found.
        was_due, contact_id, previous = (incident.review_due_at, incident.contact_id,
                                         incident.grade)
        row = _assessment_row(actor, contact_id, "review", thrive, suggestion, now)
        row.incident_id = incident_id
        session.add(row)
        session.flush()
        change = _regrading(review, incident.grade, incident.response_due_at,
                            incident.area_type, grading, now)
        updated = demand.record_review(session, actor, incident_id, expected_version,
                                       change, now)
        stored = ReviewRow(
            incident_id=incident_id, assessment_id=row.id, previous_grade=previous,
            grade=review.grade.value, suggested_grade=suggestion.grade.value,
            rationale=review.rationale, what_changed=review.what_changed, was_due_at=was_due,
            next_review_due_at=change.review_due_at, reviewed_at=now,
            reviewed_by_user_id=actor.user_id)
        session.add(stored)
        session.flush()
        audit.record(session, actor, AuditAction.CREATE, "assessment", row.id,
                     "re-THRIVE assessment recorded", now,
                     {"incident_id": incident_id, "suggested_grade": suggestion.grade.value})
        return ReviewView(stored.id, demand.view(updated, now), assessment_view(row), review)


def _regrading(review: Review, grade_before: str, response_due: datetime | None,
               area_type: str, grading: GradingPolicy, now: datetime) -> demand.Regrading:
    """The incident's next deadlines after a review. A new grade brings its own response
    target, counted from now; the same grade keeps the target already promised."""
    grade = review.grade
    if grade.value != grade_before:
        response_due = response_due_at(now, grade, area_type, grading)
    next_due = review_due_at(now, grade, grading)
    words = (f"Re-THRIVE: {grade_before.replace('_', ' ')} to {grade.value.replace('_', ' ')}"
             if grade.value != grade_before else
             f"Re-THRIVE: stays {grade.value.replace('_', ' ')}")
    return demand.Regrading(
        grade=grade.value, assessed_at=now, review_due_at=next_due,
        escalate_at=escalation_due_at(next_due, grading), response_due_at=response_due,
        summary=words, detail={"rationale": review.rationale,
                               "what_changed": review.what_changed,
                               "suggested_grade": review.suggested_grade.value})


def finalise(rt: Runtime, actor: Actor, incident_id: int, fields: FormFields,
             expected_version: int) -> demand.IncidentView:
    """Finalise an incident with its NSIR closing code and result (the risk room keeps the
    NSIR lists); its pending reviews are cancelled."""
    actor.require(Permission.INCIDENT_DISPATCH)
    closing = parse_finalisation(fields, policy.nsir())
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = demand.finalise_incident(session, actor, incident_id, expected_version, {
            "closing_code": closing.closing_code, "result": closing.result,
            "note": closing.note}, now)
        return demand.view(row, now)


def reopen(rt: Runtime, actor: Actor, incident_id: int, fields: FormFields,
           expected_version: int) -> demand.IncidentView:
    """Reopen a finalised incident, with the reason; a re-THRIVE is due at once and escalates
    after the policy margin like any other."""
    actor.require(Permission.INCIDENT_DISPATCH)
    raw = fields.get("reason")
    reason = plain_text("reason", raw if isinstance(raw, str) else "", max_chars=2_000,
                        required=True)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = demand.reopen_incident(session, actor, incident_id, expected_version, reason,
                                     escalation_due_at(now, policy.grading()), now)
        return demand.view(row, now)


def incident_for(rt: Runtime, actor: Actor, incident_id: int) -> demand.IncidentView:
    """The incident a finalise or reopen page is about (read and audited by the demand room)."""
    return demand.get_incident(rt, actor, incident_id)
