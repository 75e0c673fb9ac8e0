"""Email to and from the digital desk: store each inbound email once, thread replies into the
same Contact, acknowledge new ones, and send the desk's replies over SMTP.

An email that answers one of ours (In-Reply-To / References naming a Message-ID we hold) joins
that Contact; anything else is a new Contact by the "email" channel, which the intake pipeline
puts on the desk queue like every digital contact.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from firstcontact.contacts import desk, service
from firstcontact.contacts.mail_model import InboundEmail, read_email
from firstcontact.contacts.model import AreaType, CallerRelationship, Channel, ContactDraft
from firstcontact.contacts.tables import DeskItemRow, EmailAttachmentRow, EmailMessageRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import stage_event
from firstcontact.platform.events import Event
from firstcontact.platform.model import PUBLIC, Actor, NotFound, Permission, ValidationError
from firstcontact.platform.runtime import Runtime

LISTENER = PUBLIC
"""Who records an email from the public: nobody signs in to send one."""
SUBJECT = "email"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Received:
    contact_id: int
    reference: str
    new_contact: bool
    duplicate: bool
    """True when this exact message (same Message-ID) was already stored: SMTP retries."""


def receive(rt: Runtime, raw: bytes) -> Received:
    """Store one inbound email (raises MalformedEmail when it has no usable sender)."""
    settings = rt.settings
    inbound = read_email(raw, max_text_chars=settings.narrative_max_chars,
                         attachment_max_bytes=settings.email_attachment_max_bytes,
                         fallback_id=f"<{hashlib.sha256(raw).hexdigest()}@firstcontact.invalid>")
    with rt.database.transaction() as session:
        earlier = _message(session, inbound.message_id)
        if earlier is not None:
            return Received(earlier.contact_id, _reference(session, earlier.contact_id),
                            False, True)
        thread = _thread_contact(session, inbound.thread_ids)
        if thread is not None:
            _store(rt, session, thread, inbound)
            _reopen(session, thread)
            service.grown_in(rt, session, thread, _public_words(session, thread))
            return Received(thread, _reference(session, thread), False, False)
    recorded = service.record_contact(rt, LISTENER, _draft(inbound),
                                      idempotency_key=f"email:{inbound.message_id}",
                                      intake=False)
    contact = recorded.contact
    stored = _store_new(rt, contact.id, inbound)
    if recorded.created:
        # After the email is stored, so matching sees the sender's address.
        service.run_intake_steps(rt, contact.id)
    if not stored:
        return Received(contact.id, contact.reference, False, True)
    if recorded.created and not inbound.automatic:
        acknowledge(rt, contact.id, contact.reference, inbound)
    return Received(contact.id, contact.reference, recorded.created, False)


def _store_new(rt: Runtime, contact_id: int, inbound: InboundEmail) -> bool:
    """Store the email on its new contact; False if another worker stored it first."""
    try:
        with rt.database.transaction() as session:
            _store(rt, session, contact_id, inbound)
    except IntegrityError:
        return False
    return True


def _message(session: Session, message_id: str) -> EmailMessageRow | None:
    return session.scalars(select(EmailMessageRow).where(
        EmailMessageRow.message_id == message_id)).first()


def _reference(session: Session, contact_id: int) -> str:
    return service.load(session, contact_id).reference or ""


def _public_words(session: Session, contact_id: int) -> str:
    """What the public have written on this contact by email, in order: each email's subject
    and text without the lines it quotes ("> ..."), which may be our own reply."""
    rows = session.scalars(select(EmailMessageRow).where(
        EmailMessageRow.contact_id == contact_id, EmailMessageRow.direction == "in")
        .order_by(EmailMessageRow.id))
    return "\n".join(f"{row.subject}\n{_unquoted(row.body)}" for row in rows)


def _unquoted(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))


def _thread_contact(session: Session, thread_ids: tuple[str, ...]) -> int | None:
    for message_id in thread_ids:
        found = _message(session, message_id[:255])
        if found is not None:
            return found.contact_id
    return None


def _draft(inbound: InboundEmail) -> ContactDraft:
    lines = [f"Email subject: {inbound.subject or '(none)'}", "", inbound.text or "(no text)"]
    lines += [f"[{note}]" for note in inbound.notes]
    lines += [f"[Attachment kept: {a.filename} ({a.content_type})]" for a in inbound.attachments]
    return ContactDraft(
        channel=Channel.EMAIL, caller_name=inbound.sender_name or inbound.sender,
        caller_phone="", caller_relationship=CallerRelationship.THIRD_PARTY, address="",
        area_type=AreaType.URBAN, narrative="\n".join(lines), language="English",
        accessibility_needs="")


def _store(rt: Runtime, session: Session, contact_id: int, inbound: InboundEmail) -> None:
    now = rt.clock.now()
    notes = "".join(f"\n[{note}]" for note in inbound.notes)
    row = EmailMessageRow(contact_id=contact_id, message_id=inbound.message_id, direction="in",
                          sender=inbound.sender, recipient=rt.settings.email_desk_address,
                          subject=inbound.subject, body=inbound.text + notes, at=now)
    session.add(row)
    session.flush()
    for attachment in inbound.attachments:
        session.add(EmailAttachmentRow(email_id=row.id, filename=attachment.filename,
                                       content_type=attachment.content_type,
                                       size=len(attachment.data), data=attachment.data))
    audit.record(session, LISTENER, AuditAction.CREATE, SUBJECT, row.id, "email received", now,
                 {"contact_id": contact_id, "attachments": len(inbound.attachments)})
    stage_event(session, Event("email.received", {"contact_id": contact_id}))
    session.flush()


def _reopen(session: Session, contact_id: int) -> None:
    """A new email on a thread the desk had answered puts it back in the queue."""
    item = session.get(DeskItemRow, contact_id)
    if item is not None:
        item.replied_at = None


def send(rt: Runtime, to: str, subject: str, body: str, thread: tuple[str, ...]) -> str:
    """Send one email over SMTP; returns its Message-ID. `thread`: the ids it answers."""
    settings = rt.settings
    message = EmailMessage()
    message["From"] = formataddr((settings.force_name, settings.email_desk_address))
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.email_desk_address.rpartition("@")[2])
    message["Auto-Submitted"] = "no"
    if thread:
        message["In-Reply-To"] = thread[0]
        message["References"] = " ".join(reversed(thread))
    message.set_content(body)
    with smtplib.SMTP(settings.email_smtp_host, settings.email_smtp_port, timeout=15) as smtp:
        smtp.send_message(message)
    return str(message["Message-ID"])


def _record_sent(rt: Runtime, actor: Actor, contact_id: int, message_id: str, to: str,
                 subject: str, body: str, purpose: str) -> None:
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = EmailMessageRow(contact_id=contact_id, message_id=message_id[:255],
                              direction="out", sender=rt.settings.email_desk_address,
                              recipient=to, subject=subject, body=body, at=now)
        session.add(row)
        session.flush()
        audit.record(session, actor, AuditAction.DISCLOSE, SUBJECT, row.id, purpose, now,
                     {"contact_id": contact_id})


def acknowledge(rt: Runtime, contact_id: int, reference: str, inbound: InboundEmail) -> None:
    """The automatic reply: a reference, what happens next, and to call 999 in danger.
    A failure to send is logged; the email itself is already safe."""
    hours = int(desk.policy().reply_targets[Channel.EMAIL].total_seconds() // 3600)
    subject = f"We have received your email [{reference}]"
    body = (f"Thank you for contacting {rt.settings.force_name}.\n\n"
            f"Your reference number is {reference}. Please keep it and quote it if you "
            f"contact us about this again.\n\nSomeone on our digital desk will read your "
            f"email and reply within {hours} hours.\n\n"
            "If you are in immediate danger, call 999.\n"
            "This is an automatic reply.")
    try:
        sent = send(rt, inbound.sender, subject, body, (inbound.message_id, *inbound.thread_ids))
    except (OSError, smtplib.SMTPException) as error:
        log.warning("acknowledgement for contact %s could not be sent: %s", contact_id, error)
        return
    _record_sent(rt, LISTENER, contact_id, sent, inbound.sender, subject, body,
                 "email acknowledgement sent")


def reply(rt: Runtime, actor: Actor, contact_id: int, body: str) -> str:
    """A desk reply to the person who emailed, in the same thread; returns its Message-ID."""
    actor.require(Permission.DESK_WORK)
    text = body.strip()
    if not text or len(text) > 20_000:
        raise ValidationError("body", "Enter a reply of up to 20,000 characters")
    with rt.database.transaction() as session:
        messages = list(session.scalars(select(EmailMessageRow).where(
            EmailMessageRow.contact_id == contact_id).order_by(EmailMessageRow.id.desc())))
        inbound = next((m for m in messages if m.direction == "in"), None)
        if inbound is None:
            raise NotFound(f"No email on contact {contact_id}")
        to, subject = inbound.sender, f"Re: {inbound.subject}"[:500]
        thread = tuple(m.message_id for m in messages)
        reference = _reference(session, contact_id)
    message_id = send(rt, to, f"{subject} [{reference}]", text, thread)
    _record_sent(rt, actor, contact_id, message_id, to, subject, text, "desk reply by email")
    with rt.database.transaction() as session:
        item = session.get(DeskItemRow, contact_id)
        open_item = item is not None and item.replied_at is None
    if open_item:
        desk.mark_replied(rt, actor, contact_id)
    return message_id


@dataclass(frozen=True)
class EmailView:
    direction: str
    sender: str
    recipient: str
    subject: str
    body: str
    at: datetime
    attachments: tuple[str, ...]


def thread(rt: Runtime, actor: Actor, contact_id: int) -> list[EmailView]:
    """Every email on a contact, oldest first, as the desk reads it (audited)."""
    actor.require(Permission.DESK_WORK)
    with rt.database.transaction() as session:
        rows = list(session.scalars(select(EmailMessageRow).where(
            EmailMessageRow.contact_id == contact_id).order_by(EmailMessageRow.id)))
        if not rows:
            raise NotFound(f"No email on contact {contact_id}")
        files: dict[int, list[str]] = {}
        for email_id, name in session.execute(select(
                EmailAttachmentRow.email_id, EmailAttachmentRow.filename).where(
                EmailAttachmentRow.email_id.in_([r.id for r in rows]))):
            files.setdefault(email_id, []).append(name)
        audit.record(session, actor, AuditAction.READ, service.SUBJECT, contact_id,
                     "email thread read", rt.clock.now())
        return [EmailView(r.direction, r.sender, r.recipient, r.subject, r.body, r.at,
                          tuple(files.get(r.id, []))) for r in rows]
