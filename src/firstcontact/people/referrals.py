"""Partner agencies and referrals. A referral sends a MINIMISED extract of a Person's data
(fields chosen per agency type in policy/agencies.toml) with a reason and a lawful basis; a
partner-agency user sees only the referrals made to their own agency, and every disclosure
(making the extract, an agency reading it) is in the audit log as DISCLOSE."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstcontact.people import policy
from firstcontact.people.partners import (
    ReferralDraft,
    ReferralStatus,
    agency_name,
    minimised,
    parse_referral,
)
from firstcontact.people.service import identity_of_row
from firstcontact.people.tables import (
    AgencyMemberRow,
    AgencyRow,
    PersonRecordRow,
    PersonRow,
    ReferralRow,
)
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.auth import User
from firstcontact.platform.db import get_by_id
from firstcontact.platform.model import (
    Actor,
    Conflict,
    NotFound,
    Permission,
    Role,
    ValidationError,
)
from firstcontact.platform.runtime import Runtime

SUBJECT = "referral"


@dataclass(frozen=True)
class ReferralView:
    id: int
    agency_id: int
    agency_name: str
    reason: str
    lawful_basis: str
    extract: dict[str, Any]
    status: str
    created_at: datetime


def add_agency(rt: Runtime, actor: Actor, name: str | None, agency_type: str | None) -> int:
    actor.require(Permission.AGENCY_MANAGE)
    clean, kind = agency_name(name, agency_type, policy.agencies())
    now = rt.clock.now()
    with rt.database.transaction() as session:
        if session.scalars(select(AgencyRow).where(AgencyRow.name == clean)).first():
            raise ValidationError("name", "An agency with this name is already listed")
        row = AgencyRow(name=clean, agency_type=kind, created_at=now)
        session.add(row)
        session.flush()
        audit.record(session, actor, AuditAction.CREATE, "partner_agency", row.id,
                     "adding a partner agency to the directory", now, {"type": kind})
        return row.id


def list_agencies(rt: Runtime, actor: Actor) -> list[tuple[int, str, str]]:
    """(id, name, agency type) for the directory. Partner-agency users do not browse it."""
    actor.require(Permission.REFERRAL_CREATE)
    with rt.database.transaction() as session:
        return [(a.id, a.name, a.agency_type)
                for a in session.scalars(select(AgencyRow).order_by(AgencyRow.name))]


def agencies_for(rt: Runtime, actor: Actor, person_id: int) -> list[tuple[int, str, str]]:
    """The directory, for referring this person: a person who does not exist is not found,
    so no referral form is drawn for them."""
    actor.require(Permission.REFERRAL_CREATE)
    with rt.database.transaction() as session:
        if get_by_id(session, PersonRow, person_id) is None:
            raise NotFound(f"person {person_id}")
    return list_agencies(rt, actor)


def add_member(rt: Runtime, actor: Actor, agency_id: int, user_id: int) -> None:
    """Make a partner-agency user a member of their agency (an admin's task)."""
    actor.require(Permission.AGENCY_MANAGE)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        if get_by_id(session, AgencyRow, agency_id) is None:
            raise NotFound(f"agency {agency_id}")
        _partner_user(session, user_id)
        member = get_by_id(session, AgencyMemberRow, user_id)
        if member is None:
            session.add(AgencyMemberRow(user_id=user_id, agency_id=agency_id))
        else:
            member.agency_id = agency_id
        audit.record(session, actor, AuditAction.UPDATE, "partner_agency", agency_id,
                     "giving a partner-agency user access to their agency's referrals", now,
                     {"user_id": user_id})


def _partner_user(session: Session, user_id: int) -> None:
    """Only a partner-agency user can belong to an agency. Checked here rather than left to
    the foreign key, so an unknown id (or one no column can hold) is "not found", not a
    database error."""
    user = get_by_id(session, User, user_id)
    if user is None:
        raise NotFound(f"user {user_id}")
    if user.role != Role.PARTNER_AGENCY:
        raise ValidationError("user_id", f"User {user_id} is not a partner-agency user, so "
                                         "cannot be a member of an agency")


def refer(rt: Runtime, actor: Actor, person_id: int, agency_id: int,
          fields: Mapping[str, str | None]) -> ReferralView:
    actor.require(Permission.REFERRAL_CREATE)
    draft = parse_referral(fields, policy.agencies())
    now = rt.clock.now()
    with rt.database.transaction() as session:
        return refer_in(session, actor, person_id, agency_id, draft, now)


def refer_in(session: Session, actor: Actor, person_id: int, agency_id: int,
             draft: ReferralDraft, now: datetime) -> ReferralView:
    """Make a referral inside the caller's transaction (another room's use case, such as a
    child missing from care, refers as part of its own change). The caller checks permission."""
    agency = get_by_id(session, AgencyRow, agency_id)
    if agency is None:
        raise ValidationError("agency_id", "Select a partner agency from the directory")
    if get_by_id(session, PersonRow, person_id) is None:
        raise NotFound(f"person {person_id}")
    extract = _extract(session, person_id, policy.agencies().types[agency.agency_type].fields)
    row = ReferralRow(agency_id=agency_id, person_id=person_id, reason=draft.reason,
                      lawful_basis=draft.lawful_basis, extract=extract,
                      status=ReferralStatus.SENT.value, created_at=now,
                      created_by_user_id=actor.user_id, updated_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor, AuditAction.DISCLOSE, "person", person_id,
                 f"referral to {agency.name}: {draft.reason}", now,
                 {"referral": row.id, "agency_id": agency_id,
                  "lawful_basis": draft.lawful_basis, "fields": sorted(extract)})
    return _view(row, agency)


def preview(rt: Runtime, actor: Actor, person_id: int,
            agency_id: int) -> tuple[str, dict[str, str]]:
    """The agency's name and exactly the extract `refer` would send now, for staff to check
    before sending. Reading it is audited; nothing leaves the force until `refer`."""
    actor.require(Permission.REFERRAL_CREATE)
    with rt.database.transaction() as session:
        agency = get_by_id(session, AgencyRow, agency_id)
        if agency is None:
            raise ValidationError("agency_id", "Select a partner agency from the directory")
        if get_by_id(session, PersonRow, person_id) is None:
            raise NotFound(f"person {person_id}")
        extract = _extract(session, person_id,
                           policy.agencies().types[agency.agency_type].fields)
        audit.record(session, actor, AuditAction.READ, "person", person_id,
                     f"checking the extract before a referral to {agency.name}",
                     rt.clock.now(), {"agency_id": agency_id, "fields": sorted(extract)})
        return agency.name, extract


def _extract(session: Session, person_id: int, fields: tuple[str, ...]) -> dict[str, str]:
    """The agency's fields from the person's most recent records, newest value first."""
    extract: dict[str, str] = {}
    rows = session.scalars(select(PersonRecordRow).where(
        PersonRecordRow.person_id == person_id).order_by(PersonRecordRow.id.desc()))
    for row in rows:
        for name, value in minimised(identity_of_row(row), fields).items():
            extract.setdefault(name, value)
    return extract


def list_referrals(rt: Runtime, actor: Actor) -> list[ReferralView]:
    """A partner-agency user: only their own agency's referrals (each read is a disclosure,
    audited). Force staff with REFERRAL_READ: all of them."""
    actor.require(Permission.REFERRAL_READ)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        query = select(ReferralRow, AgencyRow).join(AgencyRow).order_by(ReferralRow.id)
        if actor.role is Role.PARTNER_AGENCY:
            query = query.where(ReferralRow.agency_id == _agency_of(session, actor))
        rows = session.execute(query).all()
        for referral, _ in rows:
            audit.record(session, actor, AuditAction.DISCLOSE if actor.role is
                         Role.PARTNER_AGENCY else AuditAction.READ, "person",
                         referral.person_id, "partner agency reading a referral made to it"
                         if actor.role is Role.PARTNER_AGENCY else "reviewing referrals", now,
                         {"referral": referral.id})
        return [_view(referral, agency) for referral, agency in rows]


def set_status(rt: Runtime, actor: Actor, referral_id: int, status: str | None) -> ReferralView:
    """The agency (or the force) moves a referral on: acknowledged, accepted, declined..."""
    actor.require(Permission.REFERRAL_READ)
    try:
        new = ReferralStatus((status or "").strip())
    except ValueError:
        raise ValidationError("status", "Select one of: " + ", ".join(ReferralStatus)) from None
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = get_by_id(session, ReferralRow, referral_id)
        if row is None or (actor.role is Role.PARTNER_AGENCY
                           and row.agency_id != _agency_of(session, actor)):
            raise NotFound(f"referral {referral_id}")
        if row.status == ReferralStatus.CLOSED.value:
            raise Conflict("this referral is closed")
        row.status, row.updated_at = new.value, now
        audit.record(session, actor, AuditAction.UPDATE, SUBJECT, row.id,
                     "updating a referral's status", now, {"status": new.value})
        agency = session.get(AgencyRow, row.agency_id)
        assert agency is not None
        return _view(row, agency)


def _agency_of(session: Session, actor: Actor) -> int:
    member = session.get(AgencyMemberRow, actor.user_id) if actor.user_id else None
    if member is None:
        return -1  # a partner user not yet given an agency sees nothing
    return member.agency_id


def _view(row: ReferralRow, agency: AgencyRow) -> ReferralView:
    return ReferralView(row.id, agency.id, agency.name, row.reason, row.lawful_basis,
                        dict(row.extract), row.status, row.created_at)
