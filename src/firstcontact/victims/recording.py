"""Recording victims: the caller who is the victim (with the crime's determination), and the
other victims staff add to a recorded crime (a person, a child through a parent or guardian,
a bereaved close relative, a business through its named contact).

Every crime recorded at first contact is kept here with its crime type, flags and the team of
the member of staff who recorded it, whoever the caller was, so victims can be added to it
later and each is decided by the same entitlement engine. A victim who reported online keeps
the way they asked to be contacted, so their acknowledgement goes out without staff retyping
it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstcontact.contacts import online_service
from firstcontact.contacts import service as contacts
from firstcontact.contacts.model import CallerRelationship
from firstcontact.contacts.tables import ContactRow
from firstcontact.platform import audit, auth, deadlines
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import stage_event
from firstcontact.platform.events import Event
from firstcontact.platform.model import Actor, Conflict
from firstcontact.victims import delivery
from firstcontact.victims.details import NewVictim, VictimDetails
from firstcontact.victims.model import (
    Decision,
    EntitlementState,
    Report,
    crime_from_nsir,
    end_of_day,
    entitlements_for,
    language_code,
)
from firstcontact.victims.policy import victims_policy
from firstcontact.victims.tables import CrimeReportedRow, EntitlementRow, VictimRow

SUBJECT = "victim"
ENTITLEMENT_DUE = "victims.entitlement_due"
ONLINE_CHOICE = {"email": ("email", "email"), "text": ("text", "phone"),
                 "phone": ("phone", "phone"), "letter": ("letter", "postal_address")}
"""The online report's "contact me by" -> the victim's preference and the field it fills."""


def record_crime_victim(session: Session, actor: Actor, contact_id: int, opening_code: str,
                        qualifiers: tuple[str, ...], now: datetime) -> int | None:
    """Keep the crime just recorded and, if the caller is its victim, their Victim record and
    entitlements. Runs inside the determination's transaction; returns the victim's id."""
    contact = contacts.load(session, contact_id)
    crime, flags = crime_from_nsir(opening_code, qualifiers, victims_policy())
    recorded = CrimeReportedRow(contact_id=contact_id, crime_reference=contact.reference or "",
                                crime_type=crime, flags=sorted(flags),
                                team=auth.team_of(session, actor.user_id),
                                recorded_by_user_id=actor.user_id, recorded_at=now)
    session.add(recorded)
    if contact.caller_relationship != CallerRelationship.VICTIM.value:
        return None
    details = _caller_details(session, contact)
    caller = NewVictim("person", contact.caller_name, "", "", None, details)
    row = _create(session, actor, contact, recorded, caller, now,
                  "victim recorded with the crime (Victims' Code)")
    delivery.schedule_send(session, row, now)
    return row.id


def _caller_details(session: Session, contact: ContactRow) -> VictimDetails:
    """How to reach the caller: the way they chose online, else their phone, else a letter."""
    values = {"contact_preference": "phone" if contact.caller_phone else "letter",
              "email": "", "phone": contact.caller_phone, "postal_address": ""}
    choice = online_service.contact_choice(session, contact.id)
    if choice and choice[0] in ONLINE_CHOICE:
        preference, field = ONLINE_CHOICE[choice[0]]
        values["contact_preference"], values[field] = preference, choice[1][:500]
    return VictimDetails(values["contact_preference"], values["email"][:254],
                         values["phone"][:32], values["postal_address"],
                         contact.language or "English", contact.accessibility_needs, None)


def add_victim(session: Session, actor: Actor, contact_id: int, victim: NewVictim,
               now: datetime) -> VictimRow:
    """Another victim of a crime already recorded from this contact."""
    recorded = session.scalars(select(CrimeReportedRow)
                               .where(CrimeReportedRow.contact_id == contact_id)).first()
    if recorded is None:
        raise Conflict("No crime has been recorded from this contact: record the "
                       "determination in the Crime category first")
    contact = contacts.load(session, contact_id)
    return _create(session, actor, contact, recorded, victim, now,
                   f"victim added to the crime ({victim.party})")


def _create(session: Session, actor: Actor, contact: ContactRow, recorded: CrimeReportedRow,
            victim: NewVictim, now: datetime, purpose: str) -> VictimRow:
    policy = victims_policy()
    details = victim.details
    decision = entitlements_for(Report(
        contact.received_at, recorded.crime_type, victim.victim_age, frozenset(recorded.flags),
        language_code(details.language), victim.party), policy)
    row = VictimRow(
        contact_id=contact.id, crime_reference=contact.reference or "",
        crime_type=recorded.crime_type, crime_summary=contact.narrative[:500],
        channel=contact.channel, reported_at=contact.received_at, name=victim.name,
        party=victim.party, contact_name=victim.contact_name,
        relationship=victim.relationship, victim_age=victim.victim_age, team=recorded.team,
        **details.changes(), referral_consent=decision.consent.value,
        enhanced=decision.enhanced, enhanced_reasons=list(decision.reasons), created_at=now)
    session.add(row)
    session.flush()
    add_entitlements(session, row, decision, now)
    audit.record(session, actor, AuditAction.CREATE, SUBJECT, row.id, purpose, now,
                 {"contact_id": contact.id, "crime_type": recorded.crime_type,
                  "party": victim.party, "enhanced": decision.enhanced})
    stage_event(session, Event("victim.recorded", {"victim_id": row.id,
                                                    "contact_id": contact.id}))
    return row


def add_entitlements(session: Session, victim: VictimRow, decision: Decision,
                     now: datetime) -> None:
    """The victim's entitlements: owed ones with their deadlines, and those this kind of
    victim is not owed recorded as not applicable with the policy's reason."""
    policy = victims_policy()
    for owed in decision.entitlements:
        due_at = end_of_day(owed.due, policy) if owed.due else None
        state = (EntitlementState.NOT_APPLICABLE if owed.not_applicable
                 else EntitlementState.DUE)
        row = EntitlementRow(victim_id=victim.id, code=owed.code, state=state.value,
                             due_at=due_at, method="", evidence="",
                             reason=owed.not_applicable, attempts=0, last_error="")
        session.add(row)
        session.flush()
        if due_at is not None:
            deadlines.schedule(session, ENTITLEMENT_DUE, "victim_entitlement", row.id, due_at,
                               now)


def reassess_after_new_qualifiers(session: Session, actor: Actor, contact_id: int,
                                  opening_code: str, qualifiers: tuple[str, ...],
                                  now: datetime) -> bool:
    """Decide every victim's enhanced rights again when the crime gains a qualifier later (a
    hidden harm confirmed after the determination: domestic abuse, modern slavery...).

    Entitlements already owed stay; the enhanced status and its reasons change, and so does the
    referral consent rule while the referral has not been passed on (a domestic-abuse victim
    is then referred only with explicit consent). Returns True if anything changed.
    """
    policy = victims_policy()
    crime, flags = crime_from_nsir(opening_code, qualifiers, policy)
    recorded = session.scalars(select(CrimeReportedRow)
                               .where(CrimeReportedRow.contact_id == contact_id)).first()
    if recorded is not None:
        recorded.crime_type, recorded.flags = crime, sorted(flags)
    changed = False
    for row in session.scalars(select(VictimRow).where(VictimRow.contact_id == contact_id)):
        decision = entitlements_for(Report(
            row.reported_at, crime, row.victim_age, flags, language_code(row.language),
            row.party), policy)
        changed |= _decide_again(session, actor, row, decision, qualifiers, now)
    return changed


def _decide_again(session: Session, actor: Actor, row: VictimRow, decision: Decision,
                  qualifiers: tuple[str, ...], now: datetime) -> bool:
    consent = decision.consent.value if _referral_still_owed(session, row.id) else (
        row.referral_consent)
    before = (row.enhanced, list(row.enhanced_reasons), row.referral_consent)
    after = (decision.enhanced, list(decision.reasons), consent)
    if before == after:
        return False
    row.enhanced, row.enhanced_reasons, row.referral_consent = after
    audit.record(session, actor, AuditAction.UPDATE, SUBJECT, row.id,
                 "enhanced rights decided again: the crime gained a qualifier", now,
                 {"qualifiers": list(qualifiers), "enhanced": decision.enhanced,
                  "referral_consent": consent})
    return True


def _referral_still_owed(session: Session, victim_id: int) -> bool:
    state = session.scalar(select(EntitlementRow.state).where(
        EntitlementRow.victim_id == victim_id, EntitlementRow.code == "support_referral"))
    return state in {EntitlementState.DUE.value, EntitlementState.OVERDUE.value}
