"""Online reports kept while the public fill them in, sent as Contacts, and the flood limit.

A report in progress is a server-side draft found by a random id in the person's cookie (only
its SHA-256 is stored). Sending it records the Contact through `service.record_contact` under
the PUBLIC actor with the draft as the idempotency key, so pressing "Send" twice, or going
back and sending again, stores one contact.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firstcontact.contacts import flood, online, service
from firstcontact.contacts.tables import OnlineReportRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.model import PUBLIC, ValidationError
from firstcontact.platform.runtime import Runtime

DRAFT_LIFETIME = timedelta(hours=24)
FLOOD_WINDOW = timedelta(minutes=10)
FLOOD_LIMIT = 60
"""Public form posts one address may make in a window: a person filling in a report, even
correcting mistakes, uses a few dozen; a script flooding the desk is stopped."""


@dataclass(frozen=True)
class Draft:
    answers: dict[str, str]
    reference: str
    """The contact reference once sent; empty while the report is being filled in."""


def new_draft_id() -> str:
    return secrets.token_urlsafe(32)


def _key(draft_id: str) -> str:
    return hashlib.sha256(draft_id.encode()).hexdigest()


def _row(session: Session, draft_id: str | None, now: datetime) -> OnlineReportRow | None:
    if not draft_id or len(draft_id) > 100:
        return None
    row = session.scalars(select(OnlineReportRow).where(
        OnlineReportRow.draft_key == _key(draft_id))).first()
    if row is None or (row.submitted_at is None and now - row.started_at > DRAFT_LIFETIME):
        return None
    return row


def draft(rt: Runtime, draft_id: str | None) -> Draft | None:
    """The person's report so far, or None if they have not started one (or it expired)."""
    with rt.database.transaction() as session:
        row = _row(session, draft_id, rt.clock.now())
        if row is None:
            return None
        reference = ""
        if row.contact_id is not None:
            reference = service.load(session, row.contact_id).reference or ""
        return Draft(json.loads(row.answers), reference)


def start(rt: Runtime) -> str:
    """A new empty report; returns the id for the person's cookie."""
    draft_id, now = new_draft_id(), rt.clock.now()
    with rt.database.transaction() as session:
        session.add(OnlineReportRow(draft_key=_key(draft_id), answers="{}", started_at=now,
                                    updated_at=now))
    return draft_id


def answer(rt: Runtime, draft_id: str, question: online.Question,
           fields: dict[str, str]) -> str:
    """Check and keep one page's answers; returns the slug of the page to show next."""
    with rt.database.transaction() as session:
        row = _row(session, draft_id, rt.clock.now())
        if row is None:
            raise ValidationError("report", "Your report had expired. Start again.")
        before = json.loads(row.answers)
        given = online.check_page(question, fields, before, service.limits(rt))
        answers = online.forget_stale(question, before, given)
        if row.submitted_at is None:
            row.answers, row.updated_at = json.dumps(answers), rt.clock.now()
        return online.after_answer(question, answers, changing=fields.get("change") == "1")


def send(rt: Runtime, draft_id: str) -> str:
    """Send a complete report as a Contact; returns its reference. Sending twice stores once."""
    with rt.database.transaction() as session:
        row = _row(session, draft_id, rt.clock.now())
        if row is None:
            raise ValidationError("report", "Your report had expired. Start again.")
        answers, report_id = json.loads(row.answers), row.id
    if online.next_slug(answers) != "check":
        raise ValidationError("report", "Answer every question before sending the report")
    contact_draft = online.contact_draft(answers, service.limits(rt))
    recorded = service.record_contact(rt, PUBLIC, contact_draft,
                                      idempotency_key=f"online-report:{_key(draft_id)}")
    now = rt.clock.now()
    with rt.database.transaction() as session:
        session.execute(update(OnlineReportRow)
                        .where(OnlineReportRow.id == report_id,
                               OnlineReportRow.contact_id.is_(None))
                        .values(submitted_at=now, contact_id=recorded.contact.id))
        if recorded.created:
            audit.record(session, PUBLIC, AuditAction.UPDATE, "online_report", report_id,
                         "online report", now, {"contact_id": recorded.contact.id})
    return recorded.contact.reference


def allow_public_post(rt: Runtime, address: str) -> bool:
    """Count one public form post from `address`; False once it is over the window's limit.

    The counter is in the database (contacts.flood), so every worker shares it.
    """
    return flood.retry_after(rt, "", address, FLOOD_LIMIT, FLOOD_WINDOW) == 0


def contact_choice(session: Session, contact_id: int) -> tuple[str, str] | None:
    """How the person who reported online asked to be contacted: the way (email, phone, text,
    letter) and the address or number they gave, or None if the contact was not an online
    report. For other rooms' services working inside their own transaction."""
    answers = session.scalar(select(OnlineReportRow.answers)
                             .where(OnlineReportRow.contact_id == contact_id))
    if answers is None:
        return None
    given = json.loads(answers)
    method, detail = given.get("contact_method"), given.get("contact_detail")
    if not isinstance(method, str) or not isinstance(detail, str):
        return None
    return method, detail
