"""Missing-person use cases: report, risk review, found. Every read and change is audited.

Risk reviews and the return home interview are deadlines, so they survive a restart and fire
once. A child missing from care is referred to the responsible local authority through the
people room's referrals (a minimised, audited disclosure) in the same transaction as the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firstcontact.missing.model import (
    ReportDraft,
    RiskDecision,
    next_review,
    parse_decision,
    parse_found,
    parse_moment,
    parse_report,
    present_factors,
    suggest_level,
)
from firstcontact.missing.policy import missing_policy
from firstcontact.missing.tables import MissingReportRow, RiskDecisionRow
from firstcontact.people.model import Identity, parse_date_of_birth, split_name
from firstcontact.people.partners import ReferralDraft
from firstcontact.people.referrals import refer_in
from firstcontact.people.service import link_identity
from firstcontact.people.tables import AgencyRow, PersonRow
from firstcontact.platform import audit, deadlines
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import get_by_id
from firstcontact.platform.metrics import Figure
from firstcontact.platform.model import (
    Actor,
    Conflict,
    NotFound,
    Permission,
    ValidationError,
    plain_text,
)
from firstcontact.platform.runtime import Runtime

SUBJECT = "missing_report"
REVIEW_DUE, RETURN_INTERVIEW_DUE = "missing_review", "missing_return_interview"
OPEN, FOUND = "open", "found"
LOCAL_AUTHORITY_TYPE = "childrens_social_care"


@dataclass(frozen=True)
class DecisionView:
    level: str
    suggested_level: str
    suggested_because: tuple[str, ...]
    overridden: bool
    rationale: str
    decided_at: datetime


@dataclass(frozen=True)
class ReportView:
    row: MissingReportRow
    episodes: int
    """How many times this Person has been reported missing, this report included."""
    decisions: tuple[DecisionView, ...]


def report(rt: Runtime, actor: Actor, fields: Mapping[str, Any]) -> ReportView:
    """Take a missing-person report with staff's risk level, and start the review clock."""
    actor.require(Permission.MISSING_REPORT)
    now = rt.clock.now()
    draft = parse_report(fields, missing_policy(), now)
    with rt.database.transaction() as session:
        person_id = _person(session, fields, now)
        agency_id = _local_authority(session, draft, fields.get("local_authority_agency_id"))
        previous = session.scalars(select(MissingReportRow).where(
            MissingReportRow.person_id == person_id).order_by(MissingReportRow.id.desc())).first()
        row = _new_row(draft, person_id, fields.get("contact_id"), previous, agency_id, actor, now)
        session.add(row)
        session.flush()
        _decide(session, actor, row, draft.decision, now,
                present_factors(draft, row.episode - 1))
        audit.record(session, actor, AuditAction.CREATE, SUBJECT, row.id,
                     "recording a missing-person report", now,
                     {"person_id": person_id, "episode": row.episode})
        if agency_id is not None:
            referral = refer_in(session, actor, person_id, agency_id, ReferralDraft(
                f"Child missing from care (missing report {row.id})", "safeguarding_children"),
                now)
            row.referral_id = referral.id
        return _view(session, row)


def _person(session: Session, fields: Mapping[str, Any], now: datetime) -> int:
    """The Person chosen, or (for someone known only by the caller's description: a mother
    reported by her daughter) one matched or made from their name and date of birth in this
    same transaction, so a repeat episode finds the Person already known."""
    value = fields.get("person_id")
    if value in (None, "") and fields.get("missing_name"):
        name = plain_text("missing_name", fields.get("missing_name"), max_chars=200)
        given, surname = split_name(name)
        born = parse_date_of_birth("missing_date_of_birth",
                                   str(fields.get("missing_date_of_birth") or ""), now.date())
        return link_identity(session, Identity(given_name=given, surname=surname,
                                                date_of_birth=born), None, now).person_id
    if isinstance(value, bool) or not isinstance(value, int) or get_by_id(
            session, PersonRow, value) is None:
        raise ValidationError("person_id", "Choose the missing person from People, or give "
                              "their name")
    return value


def _local_authority(session: Session, draft: ReportDraft, value: Any) -> int | None:
    """The council responsible for a child in care: a children's social care agency."""
    if not draft.child_in_care:
        return None
    agency = get_by_id(session, AgencyRow, value) if isinstance(value, int) else None
    if agency is None or agency.agency_type != LOCAL_AUTHORITY_TYPE:
        raise ValidationError("local_authority_agency_id", "A child in care: choose the "
                              "responsible local authority's children's social care")
    return agency.id


def _new_row(draft: ReportDraft, person_id: int, contact_id: Any,
             previous: MissingReportRow | None, agency_id: int | None, actor: Actor,
             now: datetime) -> MissingReportRow:
    return MissingReportRow(
        person_id=person_id, contact_id=contact_id if isinstance(contact_id, int) else None,
        episode=previous.episode + 1 if previous else 1,
        previous_report_id=previous.id if previous else None, details=draft.details,
        last_seen_at=draft.last_seen_at, last_seen_place=draft.last_seen_place, age=draft.age,
        child=draft.child, dementia=draft.dementia, child_in_care=draft.child_in_care,
        local_authority_agency_id=agency_id, risk_factors=list(draft.risk_factors),
        risk_level=draft.decision.level.value, review_overdue=False, status=OPEN,
        return_interview_overdue=False, created_at=now, created_by_user_id=actor.user_id)


def _decide(session: Session, actor: Actor, row: MissingReportRow, decision: RiskDecision,
            now: datetime, factors: tuple[str, ...]) -> None:
    """Record staff's level beside the suggestion, and move the next review to match it."""
    policy = missing_policy()
    suggestion = suggest_level(factors, policy)
    session.add(RiskDecisionRow(
        report_id=row.id, level=decision.level.value, suggested_level=suggestion.level.value,
        suggested_because=list(suggestion.because),
        overridden=decision.level is not suggestion.level, rationale=decision.rationale,
        decided_at=now, decided_by_user_id=actor.user_id))
    deadlines.cancel(session, REVIEW_DUE, SUBJECT, row.id, now)
    row.risk_level, row.review_overdue = decision.level.value, False
    row.review_due_at = next_review(decision.level, now, policy)
    deadlines.schedule(session, REVIEW_DUE, SUBJECT, row.id, row.review_due_at, now)


def review(rt: Runtime, actor: Actor, report_id: int, fields: Mapping[str, Any]) -> ReportView:
    """A supervisor's risk review: the level (kept or changed) and why."""
    actor.require(Permission.MISSING_REVIEW)
    decision = parse_decision(fields)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = _open_row(session, report_id)
        factors = tuple(row.risk_factors) + tuple(
            name for name, present in (("dementia", row.dementia), ("child", row.child),
                                       ("child_in_care", row.child_in_care),
                                       ("repeat_missing", row.episode > 1)) if present)
        _decide(session, actor, row, decision, now, factors)
        audit.record(session, actor, AuditAction.UPDATE, SUBJECT, row.id,
                     "reviewing a missing person's risk level", now,
                     {"risk_level": decision.level.value})
        return _view(session, row)


def found(rt: Runtime, actor: Actor, report_id: int, fields: Mapping[str, Any]) -> ReportView:
    """Close the episode; a child's return home interview becomes due."""
    actor.require(Permission.MISSING_REPORT)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = _open_row(session, report_id)
        row.found_at, outcome, row.outcome_note = parse_found(fields, row.last_seen_at, now)
        row.outcome, row.status, row.review_due_at = outcome.value, FOUND, None
        deadlines.cancel(session, REVIEW_DUE, SUBJECT, row.id, now)
        if row.child:
            row.return_interview_due_at = row.found_at + \
                missing_policy().return_interview_within
            deadlines.schedule(session, RETURN_INTERVIEW_DUE, SUBJECT, row.id,
                               row.return_interview_due_at, now)
        audit.record(session, actor, AuditAction.UPDATE, SUBJECT, row.id,
                     "recording that a missing person was found", now,
                     {"outcome": outcome.value})
        return _view(session, row)


def return_interview_held(rt: Runtime, actor: Actor, report_id: int,
                          fields: Mapping[str, Any]) -> ReportView:
    """The local authority held the child's return home interview: the due item is met."""
    actor.require(Permission.MISSING_REPORT)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = _report_row(session, report_id)
        if row.found_at is None or row.return_interview_due_at is None:
            raise Conflict("a return home interview is due only once a child is found")
        held_at = parse_moment("held_at", fields.get("held_at"), now)
        if held_at < row.found_at:
            raise ValidationError("held_at", "Must not be before the child was found")
        row.return_interview_held_at, row.return_interview_overdue = held_at, False
        deadlines.cancel(session, RETURN_INTERVIEW_DUE, SUBJECT, row.id, now)
        audit.record(session, actor, AuditAction.UPDATE, SUBJECT, row.id,
                     "recording a child's return home interview", now)
        return _view(session, row)


def get_report(rt: Runtime, actor: Actor, report_id: int) -> ReportView:
    actor.require(Permission.MISSING_REPORT)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = _report_row(session, report_id)
        audit.record(session, actor, AuditAction.READ, SUBJECT, row.id,
                     "reading a missing-person report", now)
        return _view(session, row)


def open_reports(rt: Runtime, actor: Actor) -> list[ReportView]:
    """Reports still open, and found children whose return home interview is not yet held:
    the supervisor's list, soonest review first. Reading it is audited."""
    actor.require(Permission.MISSING_REPORT)
    with rt.database.transaction() as session:
        rows = session.scalars(select(MissingReportRow).where(
            (MissingReportRow.status == OPEN) | (
                MissingReportRow.return_interview_due_at.is_not(None)
                & MissingReportRow.return_interview_held_at.is_(None))).order_by(
            MissingReportRow.status, MissingReportRow.review_due_at,
            MissingReportRow.id)).all()
        episodes = dict(session.execute(select(
            MissingReportRow.person_id, func.count()).where(MissingReportRow.person_id.in_(
                {row.person_id for row in rows})).group_by(MissingReportRow.person_id)).all())
        audit.record(session, actor, AuditAction.READ, SUBJECT, "open",
                     "supervising open missing-person reports", rt.clock.now(),
                     {"reports": [row.id for row in rows]})
        return [ReportView(row, int(episodes[row.person_id]), ()) for row in rows]


def local_authorities(rt: Runtime, actor: Actor) -> list[tuple[int, str]]:
    """(id, name) of the children's social care agencies a child in care may belong to."""
    actor.require(Permission.MISSING_REPORT)
    with rt.database.transaction() as session:
        return [(a.id, a.name) for a in session.scalars(select(AgencyRow).where(
            AgencyRow.agency_type == LOCAL_AUTHORITY_TYPE).order_by(AgencyRow.name))]


def _report_row(session: Session, report_id: int) -> MissingReportRow:
    """The report `report_id` names, or NotFound (a 404) for an id no report has."""
    row = get_by_id(session, MissingReportRow, report_id)
    if row is None:
        raise NotFound(f"missing report {report_id}")
    return row


def _open_row(session: Session, report_id: int) -> MissingReportRow:
    row = _report_row(session, report_id)
    if row.status != OPEN:
        raise Conflict("this person has already been found")
    return row


def _view(session: Session, row: MissingReportRow) -> ReportView:
    session.flush()
    episodes = session.scalar(select(func.count()).select_from(MissingReportRow).where(
        MissingReportRow.person_id == row.person_id)) or 0
    decisions = session.scalars(select(RiskDecisionRow).where(
        RiskDecisionRow.report_id == row.id).order_by(RiskDecisionRow.id)).all()
    return ReportView(row, int(episodes), tuple(DecisionView(
        d.level, d.suggested_level, tuple(d.suggested_because), d.overridden, d.rationale,
        d.decided_at) for d in decisions))


def _review_due(rt: Runtime, session: Session, deadline: deadlines.Deadline) -> None:
    """A risk review is late: flag it so the supervisor sees it (the timer loop audits)."""
    _flag(session, deadline, "review_overdue")


def _return_interview_due(rt: Runtime, session: Session, deadline: deadlines.Deadline) -> None:
    """A child's return home interview is past its 72 hours: flag it."""
    _flag(session, deadline, "return_interview_overdue")


def _flag(session: Session, deadline: deadlines.Deadline, flag: str) -> None:
    row = session.get(MissingReportRow, int(deadline.subject_id))
    if row is not None:
        setattr(row, flag, True)


DEADLINE_HANDLERS: dict[str, deadlines.DeadlineHandler] = {
    REVIEW_DUE: _review_due,
    RETURN_INTERVIEW_DUE: _return_interview_due,
}


def figures(session: Session, now: datetime) -> list[Figure]:
    """For /metrics: open missing-person reports whose risk review time has passed."""
    overdue = session.scalar(select(func.count()).select_from(MissingReportRow).where(
        MissingReportRow.status == OPEN, MissingReportRow.review_due_at <= now)) or 0
    return [Figure("firstcontact_missing_reviews_overdue",
                   "Open missing-person reports past their review time",
                   samples=[((), float(overdue))])]
