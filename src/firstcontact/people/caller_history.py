"""What a call handler sees about the caller before THRIVE: how often this Person has
contacted us, their earlier incidents and grades, repeat/frequent/victim flags, and any agreed
management plan. Reading it is audited (it is a read of a person's history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from firstcontact.contacts.tables import ContactRow
from firstcontact.demand.tables import IncidentRow
from firstcontact.people import policy
from firstcontact.people.history import PastContact, Raised, flags, window_counts
from firstcontact.people.tables import ManagementPlanRow, PersonRecordRow, PersonRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import get_by_id
from firstcontact.platform.model import Actor, NotFound, Permission, ValidationError, plain_text
from firstcontact.platform.runtime import Runtime

PURPOSE = "call handler checking the caller's history before THRIVE"


@dataclass(frozen=True)
class EarlierIncident:
    reference: str
    grade: str
    opened_at: datetime


@dataclass(frozen=True)
class Plan:
    agreed_response: str
    partner_agency: str
    review_on: date
    review_overdue: bool


@dataclass(frozen=True)
class CallerHistory:
    person_id: int | None
    counts: dict[int, int]
    flags: list[Raised]
    incidents: list[EarlierIncident]
    plan: Plan | None


def for_contact(rt: Runtime, actor: Actor, contact_id: int) -> CallerHistory:
    actor.require(Permission.PERSON_READ)
    now = rt.clock.now()
    rules = policy.repeat()
    with rt.database.transaction() as session:
        if get_by_id(session, ContactRow, contact_id) is None:
            raise NotFound(f"contact {contact_id}")
        person_id = session.scalars(select(PersonRecordRow.person_id).where(
            PersonRecordRow.contact_id == contact_id)).first()
        if person_id is None:
            return CallerHistory(None, dict.fromkeys(rules.windows_days, 0), [], [], None)
        contacts = session.execute(select(ContactRow.id, ContactRow.received_at,
                                          ContactRow.caller_relationship).join(
            PersonRecordRow, PersonRecordRow.contact_id == ContactRow.id).where(
            PersonRecordRow.person_id == person_id)).all()
        past = [PastContact(c.received_at, c.caller_relationship == "victim") for c in contacts]
        incidents = session.scalars(select(IncidentRow).where(
            IncidentRow.contact_id.in_([c.id for c in contacts if c.id != contact_id])).order_by(
            IncidentRow.opened_at.desc())).all()
        plan = session.scalars(select(ManagementPlanRow).where(
            ManagementPlanRow.person_id == person_id).order_by(
            ManagementPlanRow.id.desc())).first()
        audit.record(session, actor, AuditAction.READ, "person", person_id, PURPOSE, now,
                     {"contact_id": contact_id})
        return CallerHistory(
            person_id, window_counts(past, now, rules), flags(past, now, rules),
            [EarlierIncident(i.reference or "", i.grade, i.opened_at) for i in incidents],
            Plan(plan.agreed_response, plan.partner_agency, plan.review_on,
                 plan.review_on < now.date()) if plan else None)


def agree_plan(rt: Runtime, actor: Actor, person_id: int, agreed_response: str,
               partner_agency: str, review_on: str) -> int:
    """Record a frequent caller's agreed multi-agency plan (a team leader's decision)."""
    actor.require(Permission.PERSON_MERGE)
    now = rt.clock.now()
    response = plain_text("agreed_response", agreed_response, max_chars=5000, required=True)
    agency = plain_text("partner_agency", partner_agency, max_chars=200, required=True)
    try:
        review = date.fromisoformat(review_on.strip())
    except ValueError:
        raise ValidationError("review_on", "Enter a review date as YYYY-MM-DD") from None
    if review <= now.date():
        raise ValidationError("review_on", "The review date must be in the future")
    with rt.database.transaction() as session:
        if get_by_id(session, PersonRow, person_id) is None:
            raise NotFound(f"person {person_id}")
        row = ManagementPlanRow(person_id=person_id, agreed_response=response,
                                partner_agency=agency, review_on=review, created_at=now,
                                created_by_user_id=actor.user_id)
        session.add(row)
        session.flush()
        audit.record(session, actor, AuditAction.CREATE, "person", person_id,
                     "agreeing a frequent caller's management plan", now,
                     {"plan": row.id, "partner_agency": agency})
        return row.id
