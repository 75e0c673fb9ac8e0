"""Sending the written acknowledgement by email or text, retried with back-off by the timer
loop. Email goes through the force's mail relay, or GOV.UK Notify when the force set a Notify
email template; texts go through Notify.

The email carries the crime reference, what was reported, the date and how to contact the
force, with the Code information given alongside it (what to expect, the leaflet,
compensation, restorative justice), in the victim's language where the force writes in it
(English or Welsh). A relay that is down is tried again (1, 2, 4, 8 minutes); an address the
relay refuses fails at once. A failed acknowledgement goes back to staff in the victim-care
queue, for a letter or to be given in person: it is never silently skipped.
"""

from __future__ import annotations

import hashlib
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstcontact.platform import audit, deadlines
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import stage_event
from firstcontact.platform.events import Event
from firstcontact.platform.model import SYSTEM
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings
from firstcontact.victims import letter, notify
from firstcontact.victims.model import CLOSED_STATES, EntitlementState, Method, VictimsPolicy
from firstcontact.victims.policy import victims_policy
from firstcontact.victims.tables import EntitlementRow, VictimRow
from firstcontact.victims.wording import ACKNOWLEDGEMENT, acknowledgement_text, reported_on

SEND_ACKNOWLEDGEMENT = "victims.send_acknowledgement"
MAX_TRIES = 5
WRITTEN_TO = {Method.EMAIL.value: "email", Method.TEXT.value: "phone",
              Method.LETTER.value: "postal_address"}
"""A written way of reaching the victim -> the field it needs (a phone call is not written)."""


class Undeliverable(Exception):
    """The relay refused the address: trying again will not help."""


def notify_values(settings: Settings, victim: VictimRow, policy: VictimsPolicy
                  ) -> dict[str, str]:
    """The Notify template's personalisation: the same acknowledgement as the email."""
    crime = policy.crimes.get(victim.crime_type)
    _, body = acknowledgement_text(settings, victim, policy)
    return notify.personalisation(
        victim.name, victim.crime_reference, crime.label if crime else victim.crime_type,
        reported_on(victim, policy), settings.force_contact, body)


def channel(settings: Settings, victim: VictimRow) -> Method | None:
    """How the acknowledgement can be sent automatically to this victim, if at all: by email
    to an address (relay or Notify), or by text to a phone through Notify."""
    preference = victim.contact_preference
    if preference == Method.EMAIL.value and victim.email and (
            settings.smtp_host or notify.email_enabled(settings)):
        return Method.EMAIL
    if preference == Method.TEXT.value and victim.phone and notify.sms_enabled(settings):
        return Method.TEXT
    if preference == Method.LETTER.value and victim.postal_address and notify.enabled(settings):
        return Method.LETTER
    return None


def _send(settings: Settings, victim: VictimRow, method: Method, policy: VictimsPolicy) -> str:
    if method is Method.LETTER:
        if problem := letter.notify_problem(victim):
            raise notify.Refused(f"GOV.UK Notify would not post this letter: {problem}; "
                                 "correct the address, or print the letter and post it")
        pdf = letter.acknowledgement_pdf(settings, victim, policy)
        sent = notify.send_letter(settings, pdf, victim.crime_reference)
        return f"{sent} {letter_evidence(pdf)}"
    if method is Method.TEXT or notify.email_enabled(settings):
        to = victim.phone if method is Method.TEXT else victim.email
        return notify.send(settings, "sms" if method is Method.TEXT else "email", to,
                           notify_values(settings, victim, policy), victim.crime_reference)
    return send_email(settings, render_acknowledgement(settings, victim, policy))


def render_acknowledgement(settings: Settings, victim: VictimRow,
                           policy: VictimsPolicy) -> EmailMessage:
    """The acknowledgement email."""
    subject, body = acknowledgement_text(settings, victim, policy)
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = victim.email
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.partition("@")[2] or None)
    message.set_content(body)
    return message


def letter_evidence(pdf: bytes) -> str:
    """What proves which letter was posted: the SHA-256 of the printed PDF."""
    return "sha256:" + hashlib.sha256(pdf).hexdigest()


def mark_given(session: Session, victim_id: int, method: Method, evidence: str,
               now: datetime, user_id: int | None = None) -> list[str]:
    """The acknowledgement and the information it carries are given; returns their codes."""
    given = _given_with_acknowledgement(session, victim_id, victims_policy())
    for row in given:
        row.state, row.method = EntitlementState.DELIVERED.value, method.value
        row.delivered_at, row.evidence, row.delivered_by_user_id = now, evidence, user_id
        for kind in ("victims.entitlement_due", SEND_ACKNOWLEDGEMENT):
            deadlines.cancel(session, kind, "victim_entitlement", row.id, now)
    return [r.code for r in given]


def send_email(settings: Settings, message: EmailMessage) -> str:
    """Hand the message to the relay; returns its Message-ID (the evidence it was sent)."""
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port,
                          timeout=settings.smtp_timeout_seconds) as smtp:
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        raise Undeliverable(f"the mail relay refused {message['To']}") from error
    return str(message["Message-ID"])


def _acknowledgement(session: Session, victim_id: int) -> EntitlementRow | None:
    return session.scalars(select(EntitlementRow).where(
        EntitlementRow.victim_id == victim_id, EntitlementRow.code == ACKNOWLEDGEMENT)).first()


def queue_acknowledgement(session: Session, settings: Settings, victim: VictimRow,
                          now: datetime) -> bool:
    """Schedule the email or text now if the victim chose one the force can send, gave the
    address or number, and is still owed the acknowledgement. True if it was scheduled."""
    if channel(settings, victim) is None:
        return False
    return schedule_send(session, victim, now)


def schedule_send(session: Session, victim: VictimRow, now: datetime) -> bool:
    """Schedule the acknowledgement to be sent now, if the victim is still owed it: the timer
    sends it if the force can send it the way they chose (settings are read at send time),
    and leaves it owed for staff otherwise. True if it was scheduled."""
    row = _acknowledgement(session, victim.id)
    needs = WRITTEN_TO.get(victim.contact_preference)
    if (row is None or EntitlementState(row.state) in CLOSED_STATES or needs is None
            or not getattr(victim, needs)):
        return False
    deadlines.cancel(session, SEND_ACKNOWLEDGEMENT, "victim_entitlement", row.id, now)
    row.attempts, row.last_error = 0, ""
    deadlines.schedule(session, SEND_ACKNOWLEDGEMENT, "victim_entitlement", row.id, now, now)
    return True


def send_acknowledgement(rt: Runtime, session: Session, deadline: deadlines.Deadline) -> None:
    """Deadline handler: send the email or text; on failure try again later, or hand it to
    staff."""
    row = session.get(EntitlementRow, int(deadline.subject_id))
    victim = session.get(VictimRow, row.victim_id) if row else None
    method = channel(rt.settings, victim) if victim else None
    if (row is None or victim is None or method is None
            or EntitlementState(row.state) in CLOSED_STATES):
        return
    now = rt.clock.now()
    try:
        evidence = _send(rt.settings, victim, method, victims_policy())
    except (Undeliverable, notify.Refused, notify.Unavailable, OSError,
            smtplib.SMTPException) as error:
        _failed(session, row, now, error,
                final=isinstance(error, Undeliverable | notify.Refused))
        return
    mark_given(session, victim.id, method, evidence, now)
    audit.record(session, SYSTEM, AuditAction.DISCLOSE, "victim", victim.id,
                 f"written acknowledgement sent to the victim by {method.value} "
                 "(Victims' Code right 3)", now,
                 {"message_id": evidence, "entitlement_id": row.id})


def _given_with_acknowledgement(session: Session, victim_id: int,
                                policy: VictimsPolicy) -> list[EntitlementRow]:
    codes = [e.code for e in policy.entitlements if e.in_acknowledgement]
    rows = session.scalars(select(EntitlementRow).where(
        EntitlementRow.victim_id == victim_id, EntitlementRow.code.in_(codes))).all()
    return [r for r in rows if EntitlementState(r.state) not in CLOSED_STATES]


def _failed(session: Session, row: EntitlementRow, now: datetime, error: Exception,
            final: bool) -> None:
    row.attempts += 1
    row.last_error = f"{type(error).__name__}: {error}"[:500]
    if final or row.attempts >= MAX_TRIES:
        row.state = EntitlementState.FAILED.value
        stage_event(session, Event("victim.acknowledgement_failed", {
            "victim_id": row.victim_id, "entitlement_id": row.id}))
        return
    deadlines.schedule(session, SEND_ACKNOWLEDGEMENT, "victim_entitlement", row.id,
                       now + deadlines.backoff(row.attempts), now)
