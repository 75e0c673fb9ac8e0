"""Victims and their entitlements: recorded with the crime, worked by victim-care staff.

A crime recorded at first contact whose caller is the victim gives a Victim record and its
entitlements in the determination's own transaction, so a crime is never recorded without the
victim's Code entitlements. Each dated entitlement has a deadline: if it is still owed when its
day ends, the timer loop marks it overdue for the victim-care queue. Every read or change of a
victim's record is audited with its purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstcontact.platform import audit, deadlines
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import stage_event
from firstcontact.platform.events import Event
from firstcontact.platform.metrics import Figure, counts, grouped
from firstcontact.platform.model import Actor, Conflict, NotFound, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.victims import delivery, letter, recording, wording
from firstcontact.victims.details import NewVictim, VictimDetails
from firstcontact.victims.model import (
    CLOSED_STATES,
    Consent,
    EntitlementState,
    Method,
    Outcome,
    check_referral,
)
from firstcontact.victims.policy import victims_policy
from firstcontact.victims.recording import (
    ENTITLEMENT_DUE,
    SUBJECT,
    reassess_after_new_qualifiers,
    record_crime_victim,
)
from firstcontact.victims.tables import CrimeReportedRow, EntitlementRow, VictimRow

__all__ = ["reassess_after_new_qualifiers", "record_crime_victim"]


@dataclass(frozen=True)
class EntitlementView:
    id: int
    code: str
    title: str
    state: EntitlementState
    due_at: datetime | None
    delivered_at: datetime | None
    method: str
    evidence: str
    reason: str
    last_error: str


@dataclass(frozen=True)
class VictimView:
    id: int
    contact_id: int
    crime_reference: str
    crime_type: str
    crime_label: str
    crime_summary: str
    reported_at: datetime
    name: str
    contact_preference: str
    email: str
    phone: str
    postal_address: str
    language: str
    communication_needs: str
    referral_consent: str
    consent_given: bool | None
    enhanced: bool
    enhanced_reasons: tuple[str, ...]
    entitlements: tuple[EntitlementView, ...]
    party: str = "person"
    contact_name: str = ""
    """Who the letters go to when it is not the victim (a named contact, a parent)."""
    relationship: str = ""
    victim_age: int | None = None
    team: str = ""

    @property
    def addressee(self) -> str:
        return self.contact_name or self.name


def mark_overdue(rt: Runtime, session: Session, deadline: deadlines.Deadline) -> None:
    """Deadline handler: an entitlement still owed when its day ended is overdue."""
    row = session.get(EntitlementRow, int(deadline.subject_id))
    if row is None or EntitlementState(row.state) in CLOSED_STATES:
        return
    row.state = EntitlementState.OVERDUE.value
    stage_event(session, Event("victim.entitlement_overdue", {
        "victim_id": row.victim_id, "entitlement_id": row.id, "code": row.code}))


DEADLINE_HANDLERS: dict[str, deadlines.DeadlineHandler] = {
    ENTITLEMENT_DUE: mark_overdue,
    delivery.SEND_ACKNOWLEDGEMENT: delivery.send_acknowledgement,
}


def _view(session: Session, row: VictimRow) -> VictimView:
    policy = victims_policy()
    rows = session.scalars(select(EntitlementRow).where(EntitlementRow.victim_id == row.id)
                           .order_by(EntitlementRow.id)).all()
    crime = policy.crimes.get(row.crime_type)
    return VictimView(
        row.id, row.contact_id, row.crime_reference, row.crime_type,
        crime.label if crime else row.crime_type, row.crime_summary, row.reported_at, row.name,
        row.contact_preference, row.email, row.phone, row.postal_address, row.language,
        row.communication_needs, row.referral_consent, row.consent_given, row.enhanced,
        tuple(row.enhanced_reasons), tuple(entitlement_view(e) for e in rows), row.party,
        row.contact_name, row.relationship, row.victim_age, row.team)


def entitlement_view(row: EntitlementRow) -> EntitlementView:
    entitlement = next((e for e in victims_policy().entitlements if e.code == row.code), None)
    return EntitlementView(row.id, row.code, entitlement.title if entitlement else row.code,
                           EntitlementState(row.state), row.due_at, row.delivered_at,
                           row.method, row.evidence, row.reason, row.last_error)


def _load(session: Session, victim_id: int) -> VictimRow:
    row = session.get(VictimRow, victim_id)
    if row is None:
        raise NotFound(f"No victim {victim_id}")
    return row


def get_victim(rt: Runtime, actor: Actor, victim_id: int,
               purpose: str = "victim care") -> VictimView:
    """One victim's record and entitlements, read (and audited) for `purpose`."""
    actor.require(Permission.VICTIM_READ)
    with rt.database.transaction() as session:
        row = _load(session, victim_id)
        audit.record(session, actor, AuditAction.READ, SUBJECT, victim_id, purpose,
                     rt.clock.now())
        return _view(session, row)


def victim_for_contact(rt: Runtime, actor: Actor, contact_id: int) -> int | None:
    """The id of the victim recorded from a contact, if any (no personal data: not audited)."""
    found = victims_of_contact(rt, actor, contact_id)
    return found[0] if found else None


def victims_of_contact(rt: Runtime, actor: Actor, contact_id: int) -> list[int]:
    """The ids of every victim of the crime recorded from a contact (not audited: no personal
    data)."""
    actor.require(Permission.VICTIM_READ)
    with rt.database.transaction() as session:
        return list(session.scalars(select(VictimRow.id).where(VictimRow.contact_id == contact_id)
                                    .order_by(VictimRow.id)))


@dataclass(frozen=True)
class VictimOfCrime:
    id: int
    name: str
    party: str
    contact_name: str
    enhanced: bool


@dataclass(frozen=True)
class CrimeView:
    """A recorded crime and its victims, as victim care adds victims to it."""

    contact_id: int
    crime_reference: str
    crime_label: str
    team: str
    victims: tuple[VictimOfCrime, ...]


def crime_for_reference(rt: Runtime, actor: Actor, reference: str) -> int | None:
    """The contact a crime reference was recorded from, if a crime was (no personal data)."""
    actor.require(Permission.VICTIM_READ)
    with rt.database.transaction() as session:
        return session.scalar(select(CrimeReportedRow.contact_id).where(
            CrimeReportedRow.crime_reference == reference.strip().upper()))


def crime_victims(rt: Runtime, actor: Actor, contact_id: int) -> CrimeView:
    """A recorded crime with every victim of it (an audited read naming them)."""
    actor.require(Permission.VICTIM_READ)
    with rt.database.transaction() as session:
        crime = session.scalars(select(CrimeReportedRow)
                                .where(CrimeReportedRow.contact_id == contact_id)).first()
        if crime is None:
            raise NotFound(f"No crime recorded from contact {contact_id}")
        rows = session.scalars(select(VictimRow).where(VictimRow.contact_id == contact_id)
                               .order_by(VictimRow.id)).all()
        audit.record(session, actor, AuditAction.READ, "victim_queue", f"crime:{contact_id}",
                     "victims of a crime", rt.clock.now(),
                     {"victim_ids": [r.id for r in rows]})
        label = victims_policy().crimes.get(crime.crime_type)
        return CrimeView(contact_id, crime.crime_reference,
                         label.label if label else crime.crime_type, crime.team,
                         tuple(VictimOfCrime(r.id, r.name, r.party, r.contact_name,
                                             r.enhanced) for r in rows))


def add_victim(rt: Runtime, actor: Actor, contact_id: int, victim: NewVictim) -> VictimView:
    """Staff add another victim to the crime recorded from a contact: a person, a child (with
    the parent or guardian who receives the letters), a bereaved relative, or a business (with
    its named contact). Their acknowledgement goes out at once if it can be sent."""
    actor.require(Permission.VICTIM_UPDATE)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = recording.add_victim(session, actor, contact_id, victim, now)
        delivery.queue_acknowledgement(session, rt.settings, row, now)
        return _view(session, row)


@dataclass(frozen=True)
class QueueItem:
    victim_id: int
    crime_reference: str
    name: str
    enhanced: bool
    entitlement: EntitlementView


def queue(rt: Runtime, actor: Actor, limit: int = 200) -> list[QueueItem]:
    """Entitlements still owed, overdue and failed first, then soonest due: victim care's list.
    Reading it is one audited read naming every victim shown."""
    actor.require(Permission.VICTIM_READ)
    open_states = [s.value for s in EntitlementState if s not in CLOSED_STATES]
    with rt.database.transaction() as session:
        pairs = session.execute(
            select(EntitlementRow, VictimRow).join(VictimRow)
            .where(EntitlementRow.state.in_(open_states))
            .order_by(EntitlementRow.due_at.is_(None), EntitlementRow.due_at,
                      EntitlementRow.id).limit(limit)).all()
        items = [QueueItem(v.id, v.crime_reference, v.name, v.enhanced, entitlement_view(e))
                 for e, v in pairs]
        urgent = {EntitlementState.OVERDUE, EntitlementState.FAILED}
        items.sort(key=lambda i: i.entitlement.state not in urgent)
        audit.record(session, actor, AuditAction.READ, "victim_queue", "open",
                     "victim-care queue", rt.clock.now(),
                     {"victim_ids": sorted({i.victim_id for i in items})})
        return items


def record_outcome(rt: Runtime, actor: Actor, victim_id: int, entitlement_id: int,
                   outcome: Outcome) -> EntitlementView:
    """Staff record that an entitlement was given (and how), declined, or not applicable."""
    actor.require(Permission.VICTIM_UPDATE)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = session.get(EntitlementRow, entitlement_id)
        if row is None or row.victim_id != victim_id:
            raise NotFound(f"No entitlement {entitlement_id} for victim {victim_id}")
        if EntitlementState(row.state) in CLOSED_STATES:
            raise Conflict(f"This entitlement is already {row.state.replace('_', ' ')}")
        if row.code == "support_referral":
            victim = _load(session, victim_id)
            check_referral(outcome, Consent(victim.referral_consent), victim.consent_given)
        row.state = outcome.state.value
        row.method, row.reason = outcome.method, outcome.reason
        row.delivered_at, row.delivered_by_user_id = now, actor.user_id
        row.evidence = outcome.evidence
        deadlines.cancel(session, ENTITLEMENT_DUE, "victim_entitlement", row.id, now)
        audit.record(session, actor, AuditAction.UPDATE, SUBJECT, victim_id,
                     f"entitlement {row.code} recorded as {outcome.state.value}", now,
                     {"entitlement_id": row.id, "method": outcome.method})
        return entitlement_view(row)


def update_details(rt: Runtime, actor: Actor, victim_id: int,
                   details: VictimDetails) -> VictimView:
    """The victim's contact preference, language, needs and consent; an email preference with
    an address sends the written acknowledgement if it is still owed."""
    actor.require(Permission.VICTIM_UPDATE)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = _load(session, victim_id)
        for name, value in details.changes().items():
            setattr(row, name, value)
        audit.record(session, actor, AuditAction.UPDATE, SUBJECT, victim_id,
                     "victim's contact details and choices updated", now,
                     {"fields": sorted(details.changes())})
        delivery.queue_acknowledgement(session, rt.settings, row, now)
        return _view(session, row)


@dataclass(frozen=True)
class Letter:
    victim: VictimView
    subject: str
    body: str


def acknowledgement_letter(rt: Runtime, actor: Actor, victim_id: int) -> Letter:
    """The written acknowledgement as a letter to print (an audited read)."""
    victim = get_victim(rt, actor, victim_id, "written acknowledgement letter printed")
    with rt.database.transaction() as session:
        subject, body = wording.acknowledgement_text(rt.settings, _load(session, victim_id),
                                                      victims_policy())
    return Letter(victim, subject, body)


def acknowledgement_letter_pdf(rt: Runtime, actor: Actor, victim_id: int) -> bytes:
    """The written acknowledgement as a PDF to print and post (an audited read)."""
    get_victim(rt, actor, victim_id, "written acknowledgement letter printed (PDF)")
    with rt.database.transaction() as session:
        return letter.acknowledgement_pdf(rt.settings, _load(session, victim_id),
                                          victims_policy())


def record_letter_posted(rt: Runtime, actor: Actor, victim_id: int) -> list[str]:
    """Staff posted (or handed over) the printed letter: the acknowledgement and the
    information in it are given, with the letter's hash as evidence."""
    actor.require(Permission.VICTIM_UPDATE)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = _load(session, victim_id)
        evidence = delivery.letter_evidence(
            letter.acknowledgement_pdf(rt.settings, row, victims_policy()))
        given = delivery.mark_given(session, victim_id, Method.LETTER, evidence, now,
                                    actor.user_id)
        if not given:
            raise Conflict("The written acknowledgement has already been given")
        audit.record(session, actor, AuditAction.DISCLOSE, SUBJECT, victim_id,
                     "written acknowledgement letter posted (Victims' Code right 3)", now,
                     {"evidence": evidence, "given": given})
        return given


def figures(session: Session, now: datetime) -> list[Figure]:
    """For /metrics: Victims' Code entitlements by code and state (due, overdue, delivered)."""
    rows = grouped(session, EntitlementRow.code, EntitlementRow.state)
    return [Figure("firstcontact_victim_entitlements", "Entitlements by code and state",
                   ("code", "state"), counts(rows))]
