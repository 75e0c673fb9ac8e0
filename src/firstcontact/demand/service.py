"""Incidents: opening them from a determination, listing them, and their review deadlines.

`open_incident` works inside the determining transaction (risk room), so a determination and
its incident and its first re-THRIVE deadline are stored together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from firstcontact.demand import policy
from firstcontact.demand.model import (
    STALE_MESSAGE,
    STATUS_WORDS,
    IncidentStatus,
    ReviewState,
    Standing,
    UnitStatus,
    awaiting_review,
    check_move,
    incident_reference,
    queue_order,
    review_order,
    sector_for,
    standing,
)
from firstcontact.demand.tables import IncidentEventRow, IncidentRow, UnitRow
from firstcontact.platform import audit, deadlines
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import stage_event
from firstcontact.platform.deadlines import Deadline, DeadlineHandler
from firstcontact.platform.events import Event
from firstcontact.platform.metrics import Figure, counts, grouped
from firstcontact.platform.model import (
    SYSTEM,
    Actor,
    Conflict,
    NotFound,
    Permission,
    ValidationError,
)
from firstcontact.platform.runtime import Runtime

SUBJECT = "incident"
REVIEW_DEADLINE = "incident.review"
ESCALATION_DEADLINE = "incident.review_escalation"


@dataclass(frozen=True)
class IncidentView:
    id: int
    reference: str
    contact_id: int
    grade: str
    status: IncidentStatus
    nsir_category: str
    opening_code: str
    qualifiers: tuple[str, ...]
    location: str
    area_type: str
    sector: str
    summary: str
    opened_at: datetime
    last_assessed_at: datetime
    review_due_at: datetime
    review_state: ReviewState
    response_due_at: datetime | None
    standing: Standing
    version: int
    closing_code: str | None = None
    result: str | None = None

    @property
    def awaiting_review(self) -> bool:
        return self.review_state is not ReviewState.SCHEDULED or self.standing.review_overdue


@dataclass(frozen=True)
class NewIncident:
    """What a determination hands over to open an incident."""

    contact_id: int
    grade: str
    nsir_category: str
    opening_code: str
    qualifiers: tuple[str, ...]
    location: str
    area_type: str
    summary: str
    assessed_at: datetime
    review_due_at: datetime
    response_due_at: datetime | None
    escalate_at: datetime | None = None
    """When an undone review goes to the team leader (None: never)."""


def view(row: IncidentRow, now: datetime) -> IncidentView:
    return IncidentView(
        id=row.id, reference=row.reference or "", contact_id=row.contact_id, grade=row.grade,
        status=IncidentStatus(row.status), nsir_category=row.nsir_category,
        opening_code=row.opening_code, qualifiers=tuple(row.qualifiers), location=row.location,
        area_type=row.area_type, sector=row.sector, summary=row.summary, opened_at=row.opened_at,
        last_assessed_at=row.last_assessed_at, review_due_at=row.review_due_at,
        review_state=ReviewState(row.review_state), response_due_at=row.response_due_at,
        standing=standing(now, row.review_due_at, row.response_due_at), version=row.version,
        closing_code=row.closing_code, result=row.result,
    )


def open_incident(session: Session, actor: Actor, new: NewIncident, now: datetime) -> IncidentRow:
    """Open an incident and schedule its first re-THRIVE, inside the caller's transaction."""
    row = IncidentRow(
        contact_id=new.contact_id, grade=new.grade, status=IncidentStatus.OPEN.value,
        nsir_category=new.nsir_category, opening_code=new.opening_code,
        qualifiers=list(new.qualifiers), location=new.location, area_type=new.area_type,
        summary=new.summary, opened_at=now, opened_by_user_id=actor.user_id,
        sector=sector_for(new.location, policy.resources().sectors),
        last_assessed_at=new.assessed_at, review_due_at=new.review_due_at,
        review_state=ReviewState.SCHEDULED.value, response_due_at=new.response_due_at,
    )
    session.add(row)
    session.flush()
    row.reference = incident_reference(row.id, now)
    _schedule_review(session, row.id, new.review_due_at, new.escalate_at, now)
    audit.record(session, actor, AuditAction.CREATE, SUBJECT, row.id, "incident opened", now,
                 {"grade": new.grade, "contact_id": new.contact_id})
    add_to_timeline(session, actor, row.id, "opened", f"Opened as {_grade_words(new.grade)}",
                    now, {"grade": new.grade, "review_due_at": new.review_due_at.isoformat()})
    stage_event(session, Event("incident.opened", {
        "incident_id": row.id, "reference": row.reference, "grade": new.grade,
        "review_due_at": new.review_due_at.isoformat()}))
    return row


def incident_for_contact(session: Session, contact_id: int) -> IncidentRow | None:
    return session.scalars(select(IncidentRow).where(IncidentRow.contact_id == contact_id)).first()


def add_qualifiers(session: Session, actor: Actor, row: IncidentRow, qualifiers: Iterable[str],
                   purpose: str, now: datetime) -> list[str]:
    """Add NSIR qualifiers (for example from a confirmed hidden harm) inside the caller's
    transaction; returns those that were new. The caller has checked the codes."""
    added = [q for q in dict.fromkeys(qualifiers) if q not in row.qualifiers]
    if added:
        row.qualifiers = [*row.qualifiers, *added]
        audit.record(session, actor, AuditAction.UPDATE, SUBJECT, row.id, purpose, now,
                     {"qualifiers_added": added})
        stage_event(session, Event("incident.qualified", {"incident_id": row.id,
                                                          "qualifiers": added}))
    return added


def list_incidents(rt: Runtime, actor: Actor, *, open_only: bool = True,
                   limit: int = 200) -> list[IncidentView]:
    """Incidents, most urgent grade first, then the soonest review."""
    actor.require(Permission.INCIDENT_READ)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        query = select(IncidentRow)
        if open_only:
            query = query.where(IncidentRow.status != IncidentStatus.FINALISED.value)
        rows = session.scalars(query.order_by(IncidentRow.review_due_at).limit(limit)).all()
        if rows:
            audit.record(session, actor, AuditAction.READ, "incident_list", "",
                         "incident list viewed", now, {"incident_ids": [r.id for r in rows]})
        views = [view(row, now) for row in rows]
    return sorted(views, key=lambda v: queue_order(v.grade, v.review_due_at))


def get_incident(rt: Runtime, actor: Actor, incident_id: int) -> IncidentView:
    actor.require(Permission.INCIDENT_READ)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = load(session, incident_id)
        audit.record(session, actor, AuditAction.READ, SUBJECT, incident_id,
                     "incident viewed", now)
        return view(row, now)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    summary: str
    actor_username: str
    detail: dict[str, object]

    @property
    def next_review_due_at(self) -> datetime | None:
        """After a re-THRIVE: when the next one is due."""
        due = self.detail.get("review_due_at") if self.kind == "review" else None
        return datetime.fromisoformat(due) if isinstance(due, str) else None


def add_to_timeline(session: Session, actor: Actor, incident_id: int, kind: str, summary: str,
                    now: datetime, detail: dict[str, object] | None = None) -> None:
    """Write one line of the incident's timeline (other rooms call this for their events)."""
    session.add(IncidentEventRow(incident_id=incident_id, at=now, kind=kind, summary=summary,
                                 actor_username=actor.display_name or actor.username,
                                 detail=dict(detail or {})))


def timeline(session: Session, incident_id: int) -> list[TimelineEntry]:
    rows = session.scalars(select(IncidentEventRow)
                           .where(IncidentEventRow.incident_id == incident_id)
                           .order_by(IncidentEventRow.at, IncidentEventRow.id))
    return [TimelineEntry(r.at, r.kind, r.summary, r.actor_username, dict(r.detail))
            for r in rows]


@dataclass(frozen=True)
class IncidentFile:
    """The incident page: the incident now, and everything that happened to it."""

    incident: IncidentView
    timeline: list[TimelineEntry]


def incident_file(rt: Runtime, actor: Actor, incident_id: int) -> IncidentFile:
    actor.require(Permission.INCIDENT_READ)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = load(session, incident_id)
        audit.record(session, actor, AuditAction.READ, SUBJECT, incident_id,
                     "incident viewed with its timeline", now)
        return IncidentFile(view(row, now), timeline(session, incident_id))


def load(session: Session, incident_id: int) -> IncidentRow:
    row = session.get(IncidentRow, incident_id)
    if row is None:
        raise NotFound(f"No incident {incident_id}")
    return row


@dataclass(frozen=True)
class Regrading:
    """What a re-THRIVE settles: the grade now, when it was assessed, the next deadlines."""

    grade: str
    assessed_at: datetime
    review_due_at: datetime
    escalate_at: datetime
    response_due_at: datetime | None
    summary: str
    detail: dict[str, object]


def record_review(session: Session, actor: Actor, incident_id: int, expected_version: int,
                  change: Regrading, now: datetime) -> IncidentRow:
    """Apply a re-THRIVE inside the caller's transaction: move the deadlines, regrade, log it.

    The old deadlines are cancelled first (the timer loop locks deadline then incident, and so
    do we), then the incident is claimed at the version the reviewer saw; a stale version
    raises Conflict and the caller's transaction rolls everything back.
    """
    for kind in (REVIEW_DEADLINE, ESCALATION_DEADLINE):
        deadlines.cancel(session, kind, SUBJECT, incident_id, now)
    row = claim(session, incident_id, expected_version)
    previous = row.grade
    row.grade = change.grade
    row.last_assessed_at = change.assessed_at
    row.review_due_at = change.review_due_at
    row.review_state = ReviewState.SCHEDULED.value
    row.response_due_at = change.response_due_at
    _schedule_review(session, row.id, change.review_due_at, change.escalate_at, now)
    detail = {**change.detail, "previous_grade": previous, "grade": change.grade,
              "review_due_at": change.review_due_at.isoformat()}
    audit.record(session, actor, AuditAction.UPDATE, SUBJECT, row.id, "re-THRIVE recorded",
                 now, detail)
    add_to_timeline(session, actor, row.id, "review", change.summary, now, detail)
    stage_event(session, Event("incident.reviewed", {
        "incident_id": row.id, "reference": row.reference, "grade": change.grade,
        "previous_grade": previous, "review_due_at": change.review_due_at.isoformat()}))
    return row


def claim(session: Session, incident_id: int, expected_version: int,
          reopening: bool = False) -> IncidentRow:
    """Take the incident for a change at the version the person saw (a conditional UPDATE
    checked by row count), or refuse: finalised, or changed by someone else meanwhile."""
    row = load(session, incident_id)
    if row.status == IncidentStatus.FINALISED.value and not reopening:
        raise Conflict("This incident is finalised: reopen it before changing it")
    claimed = session.execute(
        update(IncidentRow)
        .where(IncidentRow.id == incident_id, IncidentRow.version == expected_version)
        .values(version=expected_version + 1)
        .execution_options(synchronize_session=False))
    if getattr(claimed, "rowcount", 0) != 1:
        raise Conflict(STALE_MESSAGE)
    session.refresh(row)
    return row


def move(session: Session, actor: Actor, incident_id: int, expected_version: int,
         to: IncidentStatus, now: datetime, detail: Mapping[str, object] | None = None
         ) -> IncidentRow:
    """Move an incident along its lifecycle at the version the person saw; on the timeline."""
    row = claim(session, incident_id, expected_version, reopening=to is IncidentStatus.OPEN)
    before = IncidentStatus(row.status)
    check_move(before, to)
    row.status = to.value
    words = "Reopened" if before is IncidentStatus.FINALISED else STATUS_WORDS[to]
    facts = {**(detail or {}), "from": before.value, "to": to.value}
    audit.record(session, actor, AuditAction.UPDATE, SUBJECT, row.id, f"incident {words.lower()}",
                 now, facts)
    add_to_timeline(session, actor, row.id, "status", words, now, facts)
    stage_event(session, Event("incident.status", {
        "incident_id": row.id, "reference": row.reference, "status": to.value}))
    return row


def set_status(rt: Runtime, actor: Actor, incident_id: int, to: IncidentStatus,
               expected_version: int) -> IncidentView:
    """A dispatcher marks an incident resourced, at scene or back to open."""
    actor.require(Permission.INCIDENT_DISPATCH)
    if to is IncidentStatus.FINALISED:
        raise ValidationError("status", "Finalise the incident with its closing code")
    now = rt.clock.now()
    with rt.database.transaction() as session:
        if load(session, incident_id).status == IncidentStatus.FINALISED.value:
            raise Conflict("This incident is finalised: reopen it before changing it")
        return view(move(session, actor, incident_id, expected_version, to, now), now)


def finalise_incident(session: Session, actor: Actor, incident_id: int, expected_version: int,
                      closing: dict[str, str], now: datetime) -> IncidentRow:
    """Close the incident with its NSIR closing code and result; no more reviews fall due."""
    for kind in (REVIEW_DEADLINE, ESCALATION_DEADLINE):
        deadlines.cancel(session, kind, SUBJECT, incident_id, now)
    row = move(session, actor, incident_id, expected_version, IncidentStatus.FINALISED, now,
               dict(closing))
    row.closing_code, row.result, row.finalised_at = closing["closing_code"], \
        closing["result"], now
    session.execute(update(UnitRow).where(UnitRow.incident_id == incident_id)
                    .values(status=UnitStatus.AVAILABLE.value, incident_id=None,
                            status_since=now).execution_options(synchronize_session=False))
    return row


def reopen_incident(session: Session, actor: Actor, incident_id: int, expected_version: int,
                    reason: str, escalate_at: datetime, now: datetime) -> IncidentRow:
    """Reopen a finalised incident. Its history stays on the timeline; the closing code is
    cleared, and a re-THRIVE is due at once (circumstances have changed)."""
    before = load(session, incident_id)
    detail = {"reason": reason, "previous_closing_code": before.closing_code,
              "previous_result": before.result}
    row = move(session, actor, incident_id, expected_version, IncidentStatus.OPEN, now, detail)
    row.closing_code = row.result = row.finalised_at = None
    row.review_due_at, row.review_state = now, ReviewState.DUE.value
    deadlines.schedule(session, ESCALATION_DEADLINE, SUBJECT, incident_id, escalate_at, now)
    return row


def _schedule_review(session: Session, incident_id: int, due_at: datetime,
                     escalate_at: datetime | None, now: datetime) -> None:
    deadlines.schedule(session, REVIEW_DEADLINE, SUBJECT, incident_id, due_at, now)
    if escalate_at is not None:
        deadlines.schedule(session, ESCALATION_DEADLINE, SUBJECT, incident_id, escalate_at, now)


def _grade_words(grade: str) -> str:
    return grade.replace("_", " ")


def reviews_due(rt: Runtime, actor: Actor, limit: int = 500) -> list[IncidentView]:
    """The review-due queue: open incidents whose re-THRIVE time has come, longest overdue
    first. Escalated ones are still here until someone completes the review."""
    actor.require(Permission.INCIDENT_READ)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        rows = session.scalars(
            select(IncidentRow)
            .where(IncidentRow.status != IncidentStatus.FINALISED.value,
                   or_(IncidentRow.review_due_at <= now,
                       IncidentRow.review_state != ReviewState.SCHEDULED.value))
            .order_by(IncidentRow.review_due_at, IncidentRow.id).limit(limit)).all()
        if rows:
            audit.record(session, actor, AuditAction.READ, "incident_list", "",
                         "review-due queue viewed", now, {"incident_ids": [r.id for r in rows]})
        views = [view(row, now) for row in rows
                 if awaiting_review(row.review_state, row.review_due_at, now)]
    return sorted(views, key=lambda v: review_order(v.review_due_at, v.grade))


def review_falls_due(rt: Runtime, session: Session, deadline: Deadline) -> None:
    """The timer loop's work when a re-THRIVE deadline passes: flag the incident as due."""
    row = _still_open(session, deadline)
    if row is None or row.review_state != ReviewState.SCHEDULED.value:
        return
    row.review_state = ReviewState.DUE.value
    _flag(rt, session, row, "review_due", "Re-THRIVE fell due")


def review_escalates(rt: Runtime, session: Session, deadline: Deadline) -> None:
    """A review overdue past the policy margin: tell the team leader (queue, event, timeline)."""
    row = _still_open(session, deadline)
    if row is None or row.review_state == ReviewState.ESCALATED.value:
        return
    row.review_state = ReviewState.ESCALATED.value
    _flag(rt, session, row, "review_escalated",
          "Re-THRIVE overdue: escalated to the team leader")


def _still_open(session: Session, deadline: Deadline) -> IncidentRow | None:
    row = session.get(IncidentRow, int(deadline.subject_id))
    if row is None or row.status == IncidentStatus.FINALISED.value:
        return None
    return row


def _flag(rt: Runtime, session: Session, row: IncidentRow, kind: str, words: str) -> None:
    now = rt.clock.now()
    audit.record(session, SYSTEM, AuditAction.UPDATE, SUBJECT, row.id, words, now,
                 {"review_due_at": row.review_due_at.isoformat()})
    add_to_timeline(session, SYSTEM, row.id, kind, words, now,
                    {"review_due_at": row.review_due_at.isoformat()})
    stage_event(session, Event(f"incident.{kind}", {
        "incident_id": row.id, "reference": row.reference}))


DEADLINE_HANDLERS: dict[str, DeadlineHandler] = {REVIEW_DEADLINE: review_falls_due,
                                                 ESCALATION_DEADLINE: review_escalates}


def figures(session: Session, now: datetime) -> list[Figure]:
    """For /metrics: open incidents by grade, and those whose re-THRIVE is overdue."""
    still_open = IncidentRow.status != IncidentStatus.FINALISED.value
    overdue = grouped(session, IncidentRow.grade,
                      where=still_open & (IncidentRow.review_due_at <= now))
    return [Figure("firstcontact_incidents_open", "Incidents not yet finalised, by grade",
                   ("grade",), counts(grouped(session, IncidentRow.grade, where=still_open))),
            Figure("firstcontact_incident_reviews_overdue",
                   "Open incidents past their re-THRIVE time, by grade", ("grade",),
                   counts(overdue))]
