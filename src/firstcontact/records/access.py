"""Subject access (DPA 2018 s.45): everything the force holds on one Person, gathered from
every room, as JSON or a printable PDF. Making the export is a disclosure, so it is audited
as one (s.62), with the counts of what was disclosed.

The person is followed through their own records: the People merged into them, the contacts
where they were recorded, each contact's assessments, determination and incident, the
victim records and entitlements on those contacts, their referrals and missing-person
reports, and the audit entries about any of these. Audit entries give who, when, what and
why, not their detail, which can name other people.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstcontact.contacts.tables import ContactRow
from firstcontact.demand.tables import IncidentEventRow, IncidentRow
from firstcontact.missing.tables import MissingReportRow
from firstcontact.people.tables import PersonRecordRow, PersonRow, ReferralRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction, AuditEntry
from firstcontact.platform.model import Actor, NotFound, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.risk.tables import AssessmentRow, DeterminationRow
from firstcontact.victims.tables import EntitlementRow, VictimRow

INTERNAL = frozenset({"idempotency_scope", "idempotency_key", "content_hash", "token_hash",
                      "prev_hash", "entry_hash", "detail"})
"""Columns that are the platform's plumbing, not information about the person."""

SECTIONS = ("person_records", "contacts", "assessments", "determinations", "incidents",
            "incident_timeline", "victims", "entitlements", "referrals", "missing_reports",
            "audit_entries")


class ExportFormat(enum.StrEnum):
    JSON = "json"
    PDF = "pdf"


@dataclass(frozen=True)
class SubjectAccess:
    person_id: int
    exported_at: datetime
    exported_by: str
    sections: dict[str, list[dict[str, Any]]]

    def as_json(self) -> dict[str, Any]:
        return {"person_id": self.person_id, "exported_at": self.exported_at.isoformat(),
                "exported_by": self.exported_by, **self.sections}

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.sections.items()}


def plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def as_dicts(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Every column of each row except the plumbing, times as ISO 8601."""
    return [{column.key: plain(getattr(row, column.key))
             for column in row.__table__.columns if column.key not in INTERNAL} for row in rows]


def _rows(session: Session, table: Any, column: Any, ids: Iterable[int]) -> list[Any]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(session.scalars(select(table).where(column.in_(wanted)).order_by(table.id)))


def _person_ids(session: Session, person_id: int) -> list[int]:
    if session.get(PersonRow, person_id) is None:
        raise NotFound(f"no person {person_id}")
    merged = session.scalars(select(PersonRow.id).where(PersonRow.merged_into_id == person_id))
    return [person_id, *merged]


def _audit_about(session: Session, subjects: dict[str, list[int]]) -> list[AuditEntry]:
    found: list[AuditEntry] = []
    for subject_type, ids in subjects.items():
        if ids:
            found.extend(session.scalars(select(AuditEntry).where(
                AuditEntry.subject_type == subject_type,
                AuditEntry.subject_id.in_([str(i) for i in sorted(set(ids))]))))
    return sorted(found, key=lambda entry: entry.id)


def gather(session: Session, person_id: int) -> dict[str, list[Any]]:
    """Every row held on the person, by section (rows, not yet serialised)."""
    people = _person_ids(session, person_id)
    records = _rows(session, PersonRecordRow, PersonRecordRow.person_id, people)
    contact_ids = [r.contact_id for r in records if r.contact_id is not None]
    incidents = _rows(session, IncidentRow, IncidentRow.contact_id, contact_ids)
    victims = _rows(session, VictimRow, VictimRow.contact_id, contact_ids)
    referrals = _rows(session, ReferralRow, ReferralRow.person_id, people)
    missing = _rows(session, MissingReportRow, MissingReportRow.person_id, people)
    subjects = {"person": people, "contact": contact_ids,
                "incident": [i.id for i in incidents], "victim": [v.id for v in victims],
                "referral": [r.id for r in referrals],
                "missing_report": [m.id for m in missing]}
    return {
        "person_records": records,
        "contacts": _rows(session, ContactRow, ContactRow.id, contact_ids),
        "assessments": _rows(session, AssessmentRow, AssessmentRow.contact_id, contact_ids),
        "determinations": _rows(session, DeterminationRow, DeterminationRow.contact_id,
                                contact_ids),
        "incidents": incidents,
        "incident_timeline": _rows(session, IncidentEventRow, IncidentEventRow.incident_id,
                                   subjects["incident"]),
        "victims": victims,
        "entitlements": _rows(session, EntitlementRow, EntitlementRow.victim_id,
                              subjects["victim"]),
        "referrals": referrals,
        "missing_reports": missing,
        "audit_entries": _audit_about(session, subjects),
    }


def export(rt: Runtime, actor: Actor, person_id: int, file_format: ExportFormat,
           reason: str) -> SubjectAccess:
    """Gather everything held on the person and audit the disclosure, in one transaction
    (the audit entry exists exactly when the export was made)."""
    actor.require(Permission.RECORDS_MANAGE)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        rows = gather(session, person_id)
        found = SubjectAccess(person_id, now, actor.username,
                              {name: as_dicts(rows[name]) for name in SECTIONS})
        audit.record(session, actor, AuditAction.DISCLOSE, "person", person_id,
                     f"subject access request: {reason}", now,
                     {"format": file_format.value, "counts": found.counts()})
    return found
