"""The retention review (MoPI): list the records whose review date has come and, when a
person approves, dispose of them as the schedule says, every disposal in the audit log.

Deleting is kept for leaf records nothing refers to (channel messages). Everything else is
anonymised in place: the row and its id stay, so every reference in other tables still holds
and the force's counts (contacts by channel, incidents by grade, Victims' Code returns) still
add up; the names, contact details and free text go. The audit log is never touched: each
disposal adds an ERASE entry to the chain, which is also how a disposed record is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from firstcontact.contacts.tables import (
    ChatMessageRow,
    ChatRow,
    ContactRow,
    EmailAttachmentRow,
    EmailMessageRow,
    OnlineReportRow,
    SocialMessageRow,
)
from firstcontact.demand.tables import IncidentEventRow, IncidentRow
from firstcontact.harm.tables import HarmFindingRow
from firstcontact.missing.tables import MissingReportRow, RiskDecisionRow
from firstcontact.people.tables import PersonKeyRow, PersonRecordRow, ReferralRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.model import Actor
from firstcontact.platform.runtime import Runtime
from firstcontact.records import holdings
from firstcontact.records.model import Disposal, Due, RecordType, due_for_review
from firstcontact.records.policy import retention_policy
from firstcontact.risk.tables import AssessmentRow, DeterminationRow, ReviewRow
from firstcontact.victims.tables import VictimRow

REMOVED = "[removed under the retention schedule]"


@dataclass(frozen=True)
class Scrub:
    """Set `values` on the rows of `table` whose `key` column is the record's id."""

    table: Any
    key: Any
    values: dict[str, Any]


def _text(*names: str) -> dict[str, Any]:
    return dict.fromkeys(names, "")


ANONYMISE: dict[RecordType, tuple[Scrub, ...]] = {
    RecordType.CONTACT: (
        Scrub(ContactRow, ContactRow.id, {**_text("caller_name", "caller_phone", "address",
                                                  "language", "accessibility_needs"),
                                          "narrative": REMOVED}),
        Scrub(AssessmentRow, AssessmentRow.contact_id, {"notes": {}, "details": {}, "ndm": {}}),
        Scrub(DeterminationRow, DeterminationRow.contact_id, {"rationale": REMOVED}),
        Scrub(HarmFindingRow, HarmFindingRow.contact_id, {"evidence": [], "reason": ""}),
        Scrub(OnlineReportRow, OnlineReportRow.contact_id, {"answers": "{}"}),
        Scrub(ChatRow, ChatRow.contact_id, {"visitor_name": ""})),
    RecordType.INCIDENT: (
        Scrub(IncidentRow, IncidentRow.id, {"location": "", "summary": REMOVED}),
        Scrub(IncidentEventRow, IncidentEventRow.incident_id, {"summary": REMOVED}),
        Scrub(ReviewRow, ReviewRow.incident_id, {"rationale": REMOVED, "what_changed": ""})),
    RecordType.VICTIM: (
        Scrub(VictimRow, VictimRow.id, {**_text("name", "email", "phone", "postal_address",
                                                "language", "communication_needs",
                                                "contact_name", "relationship"),
                                        "crime_summary": REMOVED}),),
    RecordType.REFERRAL: (
        Scrub(ReferralRow, ReferralRow.id, {"reason": REMOVED, "extract": {}}),),
    RecordType.MISSING_REPORT: (
        Scrub(MissingReportRow, MissingReportRow.id, {"details": {}, "last_seen_place": "",
                                                      "outcome_note": REMOVED}),
        Scrub(RiskDecisionRow, RiskDecisionRow.report_id, {"rationale": REMOVED})),
    RecordType.PERSON: (
        Scrub(PersonRecordRow, PersonRecordRow.person_id,
              _text("given_name", "surname", "date_of_birth", "address", "postcode", "phone",
                    "email")),),
}
"""What anonymising each record type blanks, in its own table and the tables under it."""

DELETE: dict[RecordType, tuple[tuple[Any, Any], ...]] = {
    RecordType.CHAT_MESSAGE: ((ChatMessageRow, ChatMessageRow.id),),
    RecordType.EMAIL_MESSAGE: ((EmailAttachmentRow, EmailAttachmentRow.email_id),
                               (EmailMessageRow, EmailMessageRow.id)),
    RecordType.SOCIAL_MESSAGE: ((SocialMessageRow, SocialMessageRow.id),),
}
"""The rows deleting each record type removes, children first (foreign keys hold)."""


def review(rt: Runtime) -> list[Due]:
    """Everything due for review today (London), with the disposal approval would do."""
    with rt.database.sessions() as session:
        held = list(holdings.everything_held(session))
    return due_for_review(held, retention_policy(), rt.clock.now().date())


def _dispose_one(session: Session, due: Due) -> None:
    kind, record_id = due.held.record_type, due.held.record_id
    if due.disposal is Disposal.DELETE:
        for table, key in DELETE[kind]:
            session.execute(delete(table).where(key == record_id))
        return
    for scrub in ANONYMISE[kind]:
        session.execute(update(scrub.table).where(scrub.key == record_id).values(scrub.values)
                        .execution_options(synchronize_session=False))
    if kind is RecordType.PERSON:
        # The matching keys are built from the identity: they would still find the person.
        records = select(PersonRecordRow.id).where(PersonRecordRow.person_id == record_id)
        session.execute(delete(PersonKeyRow).where(PersonKeyRow.record_id.in_(records)))


def dispose(rt: Runtime, actor: Actor, approved: Sequence[Due], approved_by: str) -> int:
    """Dispose of the approved records in one transaction, each with an ERASE audit entry
    naming the group, the review date and who approved it. Returns how many."""
    now = rt.clock.now()
    with rt.database.transaction() as session:
        for due in approved:
            _dispose_one(session, due)
            audit.record(session, actor, AuditAction.ERASE, due.held.record_type.value,
                         due.held.record_id, "retention review (MoPI): disposal approved", now,
                         {"disposal": due.disposal.value, "group": due.group.name,
                          "review_on": due.review_on.isoformat(), "approved_by": approved_by})
    return len(approved)
