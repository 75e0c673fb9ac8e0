"""What the force holds, record type by record type, as the retention review sees it: each
record's date, the incident classification that sets its MoPI group, and whether it has
already been disposed of.

A disposal is known by its ERASE entry in the audit log (on the record's own trail), so no
extra table is needed and the ledger of disposals cannot be edited. Records still in use
(an incident not finalised, a missing person not found) are never offered for review.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, cast, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from firstcontact.contacts.tables import (
    ChatMessageRow,
    ChatRow,
    ContactRow,
    EmailMessageRow,
    SocialConversationRow,
    SocialMessageRow,
)
from firstcontact.demand.tables import IncidentRow
from firstcontact.missing.tables import MissingReportRow
from firstcontact.people.tables import PersonRecordRow, PersonRow, ReferralRow
from firstcontact.platform.audit import AuditAction, AuditEntry
from firstcontact.records.model import Held, RecordType
from firstcontact.risk.tables import DeterminationRow
from firstcontact.victims.tables import VictimRow

FINALISED = "finalised"
FOUND = "found"


def not_disposed(kind: RecordType, id_column: Any) -> Any:
    """SQL: no ERASE entry in the audit log for this record yet."""
    return ~exists().where(AuditEntry.subject_type == kind.value,
                           AuditEntry.action == AuditAction.ERASE,
                           AuditEntry.subject_id == cast(id_column, String))


def _classified(session: Session, kind: RecordType, query: Any) -> Iterator[Held]:
    """Rows of (id, recorded_at, category, qualifiers) from `query` outer-joined to the
    contact's determination, as Held records."""
    for row_id, at, category, qualifiers in session.execute(query):
        yield Held(kind, row_id, at, category or "", tuple(qualifiers or ()))


def _by_contact(kind: RecordType, id_col: Any, at_col: Any, contact_col: Any,
                *joins: tuple[Any, Any]) -> Callable[[Session], Iterator[Held]]:
    """Records that belong to a contact and take their group from its determination."""
    def held(session: Session) -> Iterator[Held]:
        query = select(id_col, at_col, DeterminationRow.nsir_category,
                       DeterminationRow.qualifiers)
        for table, on in joins:
            query = query.join(table, on)
        incident = aliased(IncidentRow)
        query = (query.outerjoin(DeterminationRow, DeterminationRow.contact_id == contact_col)
                 .outerjoin(incident, incident.contact_id == contact_col)
                 .where(not_disposed(kind, id_col),
                        (incident.id.is_(None)) | (incident.status == FINALISED)))
        return _classified(session, kind, query)
    return held


def _still_referred_to() -> Any:
    """SQL: a contact, referral or missing-person report about the person is still kept."""
    described = aliased(PersonRecordRow)
    return or_(
        exists().where(described.person_id == PersonRow.id, described.contact_id.is_not(None),
                       not_disposed(RecordType.CONTACT, described.contact_id)),
        exists().where(ReferralRow.person_id == PersonRow.id,
                       not_disposed(RecordType.REFERRAL, ReferralRow.id)),
        exists().where(MissingReportRow.person_id == PersonRow.id,
                       not_disposed(RecordType.MISSING_REPORT, MissingReportRow.id)))


def _people(session: Session) -> Iterator[Held]:
    """People, dated by the last time anyone recorded them (date of birth for group 1).
    A person is offered only once every record about them has been disposed of, so their
    identity goes last and never from under a record still kept."""
    query = (select(PersonRow.id, func.max(PersonRecordRow.created_at),
                    func.max(PersonRecordRow.date_of_birth))
             .join(PersonRecordRow, PersonRecordRow.person_id == PersonRow.id)
             .where(PersonRow.merged_into_id.is_(None),
                    not_disposed(RecordType.PERSON, PersonRow.id), ~_still_referred_to())
             .group_by(PersonRow.id))
    for person_id, last, born in session.execute(query):
        yield Held(RecordType.PERSON, person_id, last, date_of_birth=birth_date(born))


def birth_date(stored: str | None) -> date | None:
    """People keep a date of birth as YYYYMMDD text ("" when not known)."""
    try:
        return datetime.strptime(stored or "", "%Y%m%d").date()
    except ValueError:
        return None


def _referrals(session: Session) -> Iterator[Held]:
    query = select(ReferralRow.id, ReferralRow.created_at).where(
        not_disposed(RecordType.REFERRAL, ReferralRow.id))
    for row_id, at in session.execute(query):
        yield Held(RecordType.REFERRAL, row_id, at)


def _missing_reports(session: Session) -> Iterator[Held]:
    query = select(MissingReportRow.id, MissingReportRow.found_at).where(
        MissingReportRow.status == FOUND, MissingReportRow.found_at.is_not(None),
        not_disposed(RecordType.MISSING_REPORT, MissingReportRow.id))
    for row_id, at in session.execute(query):
        if at is not None:
            yield Held(RecordType.MISSING_REPORT, row_id, at)


SOURCES: dict[RecordType, Callable[[Session], Iterator[Held]]] = {
    RecordType.CONTACT: _by_contact(RecordType.CONTACT, ContactRow.id, ContactRow.received_at,
                                    ContactRow.id),
    RecordType.INCIDENT: _by_contact(RecordType.INCIDENT, IncidentRow.id, IncidentRow.opened_at,
                                     IncidentRow.contact_id),
    RecordType.VICTIM: _by_contact(RecordType.VICTIM, VictimRow.id, VictimRow.reported_at,
                                   VictimRow.contact_id),
    RecordType.CHAT_MESSAGE: _by_contact(
        RecordType.CHAT_MESSAGE, ChatMessageRow.id, ChatMessageRow.sent_at, ChatRow.contact_id,
        (ChatRow, ChatRow.id == ChatMessageRow.chat_id)),
    RecordType.EMAIL_MESSAGE: _by_contact(RecordType.EMAIL_MESSAGE, EmailMessageRow.id,
                                          EmailMessageRow.at, EmailMessageRow.contact_id),
    RecordType.SOCIAL_MESSAGE: _by_contact(
        RecordType.SOCIAL_MESSAGE, SocialMessageRow.id, SocialMessageRow.sent_at,
        SocialConversationRow.contact_id,
        (SocialConversationRow, SocialConversationRow.id == SocialMessageRow.conversation_id)),
    RecordType.PERSON: _people,
    RecordType.REFERRAL: _referrals,
    RecordType.MISSING_REPORT: _missing_reports,
}
"""Where each disposable record type is read from (the audit log is never disposed of)."""


def everything_held(session: Session) -> Iterator[Held]:
    for source in SOURCES.values():
        yield from source(session)
