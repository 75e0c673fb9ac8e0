"""Taking contacts in: each use case is one transaction that is audited and announced.

A contact is committed before the caller of `record_contact` gets an answer, and a retried
submit (same idempotency key from the same person or channel) returns the first record instead
of storing a second. The intake steps (hidden-harm scan, People, desk) run in the same
transaction as the contact, each in its own savepoint: the contact and all that intake made of
it commit together, and a step that fails is undone alone, never taking the contact with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from firstcontact.contacts.model import (
    CallerRelationship,
    Channel,
    ContactDraft,
    ContactStatus,
    Limits,
    contact_reference,
)
from firstcontact.contacts.tables import ContactRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import stage_event
from firstcontact.platform.events import Event
from firstcontact.platform.metrics import Figure, counts, grouped
from firstcontact.platform.model import (
    PUBLIC,
    Actor,
    Conflict,
    NotFound,
    Permission,
    ValidationError,
)
from firstcontact.platform.runtime import Runtime

SUBJECT = "contact"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ContactView:
    """A stored contact as the rooms and pages read it."""

    id: int
    reference: str
    channel: Channel
    status: ContactStatus
    caller_name: str
    caller_phone: str
    caller_relationship: CallerRelationship
    address: str
    area_type: str
    narrative: str
    language: str
    accessibility_needs: str
    received_at: datetime
    recorded_by_user_id: int | None


@dataclass(frozen=True)
class Recorded:
    contact: ContactView
    created: bool
    """False when this was a retry of a submit already stored."""


def limits(rt: Runtime) -> Limits:
    return Limits(narrative_max_chars=rt.settings.narrative_max_chars)


def view(row: ContactRow) -> ContactView:
    return ContactView(
        id=row.id, reference=row.reference or "", channel=Channel(row.channel),
        status=ContactStatus(row.status), caller_name=row.caller_name,
        caller_phone=row.caller_phone,
        caller_relationship=CallerRelationship(row.caller_relationship), address=row.address,
        area_type=row.area_type, narrative=row.narrative, language=row.language,
        accessibility_needs=row.accessibility_needs, received_at=row.received_at,
        recorded_by_user_id=row.recorded_by_user_id,
    )


def idempotency_scope(actor: Actor) -> str:
    """Keys are private to whoever sent them, so one person's key never finds another's contact."""
    return f"user:{actor.user_id}" if actor.user_id is not None else f"system:{actor.username}"


def record_contact(rt: Runtime, actor: Actor, draft: ContactDraft,
                   idempotency_key: str | None = None, *, intake: bool = True) -> Recorded:
    """Store a new contact, or return the one a retried submit already stored.

    The insert is tried first (the common case: a new submit); the unique key on
    (scope, idempotency key) turns a retry into an IntegrityError, answered with the first
    record, or a 409 if the retry carries different content. Staff need CONTACT_CREATE; the
    public channels record as PUBLIC, which needs nothing. The intake steps run in the same
    transaction (one commit for the lot). With `intake` off the caller runs them itself, once
    what the steps read (an email's sender) is stored too.
    """
    if actor != PUBLIC:
        actor.require(Permission.CONTACT_CREATE)
    key = _check_key(idempotency_key)
    scope = idempotency_scope(actor) if key else None
    now = rt.clock.now()
    try:
        with rt.database.transaction() as session:
            row = add_contact(session, actor, draft, now, scope, key)
            contact = view(row)
            if intake:
                intake_in(rt, session, row.id)
    except IntegrityError:
        with rt.database.transaction() as session:
            earlier = _earlier_submit(session, scope, key, draft)
        if earlier is None:
            raise
        return Recorded(earlier, created=False)
    return Recorded(contact, created=True)


def run_intake_steps(rt: Runtime, contact_id: int) -> None:
    """The intake pipeline for a contact a channel has already committed with its own records
    (an email with its message, a chat with its conversation), in one transaction of its own."""
    with rt.database.transaction() as session:
        intake_in(rt, session, contact_id)


def intake_in(rt: Runtime, session: Session, contact_id: int) -> None:
    """Each intake step in order, each in a savepoint. A failing step is logged and undone
    alone (what it wrote goes, nothing else does) and the rest still run, so staff still see
    the contact, its findings and its links. A lost or refused database connection is not a
    step's failure: it fails the whole transaction, so nothing is acknowledged that is not
    stored, and the caller is told to retry."""
    _in_savepoints(session, contact_id,
                   [(step, (rt, session, contact_id)) for step in rt.intake_steps])


def grown_in(rt: Runtime, session: Session, contact_id: int, words: str) -> None:
    """Each growth step in order when a conversation's contact hears more from the public
    (`words`: all the public's messages so far), each in a savepoint, as `intake_in` runs
    intake steps: a failing step is logged and undone alone, and the message stays stored.
    The steps are given the newest words only, up to the narrative's limit, so a long
    conversation costs no more per message than a full narrative (what earlier steps found in
    older words stays found)."""
    newest = words[-limits(rt).narrative_max_chars:]
    _in_savepoints(session, contact_id,
                   [(step, (rt, session, contact_id, newest)) for step in rt.growth_steps])


def _in_savepoints(session: Session, contact_id: int,
                   calls: list[tuple[Callable[..., None], tuple[object, ...]]]) -> None:
    for step, arguments in calls:
        try:
            with session.begin_nested():
                step(*arguments)
        except (OperationalError, InterfaceError, PoolTimeout):
            raise  # the database itself is gone: the whole contact fails (503) and is retried
        except Exception:
            log.exception("step %s failed for contact %s", getattr(step, "__name__", step),
                          contact_id)


def _check_key(key: str | None) -> str | None:
    if key is None or key == "":
        return None
    if len(key) > 128 or not key.isprintable():
        raise ValidationError("Idempotency-Key", "Must be 1 to 128 printable characters")
    return key


def _earlier_submit(session: Session, scope: str | None, key: str | None,
                    draft: ContactDraft) -> ContactView | None:
    if scope is None or key is None:
        return None
    row = session.scalars(select(ContactRow).where(
        ContactRow.idempotency_scope == scope, ContactRow.idempotency_key == key)).first()
    if row is None:
        return None
    if row.content_hash != draft.fingerprint():
        raise Conflict("This idempotency key was already used for a different contact")
    return view(row)


def add_contact(session: Session, actor: Actor, draft: ContactDraft, now: datetime,
                scope: str | None = None, key: str | None = None) -> ContactRow:
    """Store a contact inside the caller's transaction (audited, announced after commit).

    For channel adapters that store their own records with the contact in one transaction;
    they must call `run_intake_steps` once it has committed (or `intake_in` before it does).
    """
    row = ContactRow(
        channel=draft.channel.value, status=ContactStatus.AWAITING_ASSESSMENT.value,
        caller_name=draft.caller_name, caller_phone=draft.caller_phone,
        caller_relationship=draft.caller_relationship.value, address=draft.address,
        area_type=draft.area_type.value, narrative=draft.narrative,
        language=draft.language, accessibility_needs=draft.accessibility_needs,
        received_at=now, recorded_by_user_id=actor.user_id, idempotency_scope=scope,
        idempotency_key=key, content_hash=draft.fingerprint(),
    )
    session.add(row)
    session.flush()
    row.reference = contact_reference(row.id, now)
    audit.record(session, actor, AuditAction.CREATE, SUBJECT, row.id,
                 "contact recorded", now, {"channel": draft.channel.value})
    stage_event(session, Event("contact.received", {
        "contact_id": row.id, "reference": row.reference, "channel": row.channel}))
    session.flush()
    return row


def load(session: Session, contact_id: int) -> ContactRow:
    """The row for other rooms' services working inside their own transaction."""
    row = session.get(ContactRow, contact_id)
    if row is None:
        raise NotFound(f"No contact {contact_id}")
    return row


def read_contact(session: Session, actor: Actor, contact_id: int, purpose: str,
                 now: datetime) -> ContactView:
    """A contact as read by a member of staff: the read is logged with its purpose."""
    actor.require(Permission.CONTACT_READ)
    row = load(session, contact_id)
    audit.record(session, actor, AuditAction.READ, SUBJECT, contact_id, purpose, now)
    return view(row)


def get_contact(rt: Runtime, actor: Actor, contact_id: int,
                purpose: str = "contact handling") -> ContactView:
    with rt.database.transaction() as session:
        return read_contact(session, actor, contact_id, purpose, rt.clock.now())


def set_status(session: Session, contact_id: int, status: ContactStatus) -> None:
    load(session, contact_id).status = status.value


def awaiting_by_channel(session: Session) -> dict[Channel, int]:
    """How many contacts wait for a THRIVE assessment on each channel: one grouped count, no
    person's record read (the team leader's screen shows it)."""
    counts = session.execute(select(ContactRow.channel, func.count())
                             .where(ContactRow.status == ContactStatus.AWAITING_ASSESSMENT.value)
                             .group_by(ContactRow.channel))
    return {Channel(channel): int(count) for channel, count in counts}


def list_contacts(rt: Runtime, actor: Actor, *, limit: int = 50,
                  status: ContactStatus | None = None,
                  channel: Channel | None = None) -> list[ContactView]:
    """The newest contacts first. Listing shows callers' names, so the listing is audited."""
    actor.require(Permission.CONTACT_READ)
    with rt.database.transaction() as session:
        query = select(ContactRow).order_by(ContactRow.received_at.desc(), ContactRow.id.desc())
        if status is not None:
            query = query.where(ContactRow.status == status.value)
        if channel is not None:
            query = query.where(ContactRow.channel == channel.value)
        rows = session.scalars(query.limit(limit)).all()
        if rows:
            audit.record(session, actor, AuditAction.READ, "contact_list", "",
                         "contact list viewed", rt.clock.now(),
                         {"contact_ids": [row.id for row in rows]})
        return [view(row) for row in rows]


def figures(session: Session, now: datetime) -> list[Figure]:
    """For /metrics: every contact taken in, by channel (read from the stored contacts)."""
    return [Figure("firstcontact_contacts_received", "Contacts taken in, by channel",
                   ("channel",), counts(grouped(session, ContactRow.channel)), "counter")]
