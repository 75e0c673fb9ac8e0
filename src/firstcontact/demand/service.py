"""Incidents: opening them from a determination, listing them, and their review deadlines.

`open_incident` works inside the determining transaction (risk room), so a determination and
its incident and its first re-THRIVE deadline are stored together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstcontact.demand.model import (
    IncidentStatus,
    ReviewState,
    Standing,
    incident_reference,
    queue_order,
    standing,
)
from firstcontact.demand.tables import IncidentRow
from firstcontact.platform import audit, deadlines
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import stage_event
from firstcontact.platform.deadlines import Deadline, DeadlineHandler
from firstcontact.platform.events import Event
from firstcontact.platform.model import SYSTEM, Actor, NotFound, Permission
from firstcontact.platform.runtime import Runtime

SUBJECT = "incident"
REVIEW_DEADLINE = "incident.review"


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
    summary: str
    opened_at: datetime
    last_assessed_at: datetime
    review_due_at: datetime
    review_state: ReviewState
    response_due_at: datetime | None
    standing: Standing


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


def view(row: IncidentRow, now: datetime) -> IncidentView:
    return IncidentView(
        id=row.id, reference=row.reference or "", contact_id=row.contact_id, grade=row.grade,
        status=IncidentStatus(row.status), nsir_category=row.nsir_category,
        opening_code=row.opening_code, qualifiers=tuple(row.qualifiers), location=row.location,
        area_type=row.area_type, summary=row.summary, opened_at=row.opened_at,
        last_assessed_at=row.last_assessed_at, review_due_at=row.review_due_at,
        review_state=ReviewState(row.review_state), response_due_at=row.response_due_at,
        standing=standing(now, row.review_due_at, row.response_due_at),
    )


def open_incident(session: Session, actor: Actor, new: NewIncident, now: datetime) -> IncidentRow:
    """Open an incident and schedule its first re-THRIVE, inside the caller's transaction."""
    row = IncidentRow(
        contact_id=new.contact_id, grade=new.grade, status=IncidentStatus.OPEN.value,
        nsir_category=new.nsir_category, opening_code=new.opening_code,
        qualifiers=list(new.qualifiers), location=new.location, area_type=new.area_type,
        summary=new.summary, opened_at=now, opened_by_user_id=actor.user_id,
        last_assessed_at=new.assessed_at, review_due_at=new.review_due_at,
        review_state=ReviewState.SCHEDULED.value, response_due_at=new.response_due_at,
    )
    session.add(row)
    session.flush()
    row.reference = incident_reference(row.id, now)
    deadlines.schedule(session, REVIEW_DEADLINE, SUBJECT, str(row.id), new.review_due_at, now)
    audit.record(session, actor, AuditAction.CREATE, SUBJECT, row.id, "incident opened", now,
                 {"grade": new.grade, "contact_id": new.contact_id})
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
        row = session.get(IncidentRow, incident_id)
        if row is None:
            raise NotFound(f"No incident {incident_id}")
        audit.record(session, actor, AuditAction.READ, SUBJECT, incident_id,
                     "incident viewed", now)
        return view(row, now)


def review_falls_due(rt: Runtime, session: Session, deadline: Deadline) -> None:
    """The timer loop's work when a re-THRIVE deadline passes: flag the incident as due."""
    row = session.get(IncidentRow, int(deadline.subject_id))
    if row is None or row.status == IncidentStatus.FINALISED.value:
        return
    row.review_state = ReviewState.DUE.value
    now = rt.clock.now()
    audit.record(session, SYSTEM, AuditAction.UPDATE, SUBJECT, row.id, "re-THRIVE fell due",
                 now, {"review_due_at": row.review_due_at.isoformat()})
    stage_event(session, Event("incident.review_due", {
        "incident_id": row.id, "reference": row.reference}))


DEADLINE_HANDLERS: dict[str, DeadlineHandler] = {REVIEW_DEADLINE: review_falls_due}
