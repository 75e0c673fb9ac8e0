"""People use cases: linking each new contact's caller to a Person, the matches offered to
staff, and merging and unmerging People. Every change and every read is audited.

Matching is the pure code in people.matching and people.model; this module only fetches the
candidates that share a blocking key and stores what was decided.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firstcontact.contacts.tables import ContactRow, EmailMessageRow, SocialConversationRow
from firstcontact.people import policy
from firstcontact.people.matching import best_matches, blocking_keys
from firstcontact.people.model import (
    Identity,
    MatchBand,
    normalise_email,
    social_handle,
    split_name,
)
from firstcontact.people.tables import (
    MatchOfferRow,
    PersonKeyRow,
    PersonMergeRow,
    PersonRecordRow,
    PersonRow,
)
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import get_by_id
from firstcontact.platform.model import (
    SYSTEM,
    Actor,
    Conflict,
    NotFound,
    Permission,
    ValidationError,
)
from firstcontact.platform.runtime import Runtime

SUBJECT = "person"
OPEN, CONFIRMED, REJECTED = "open", "confirmed", "rejected"
LINK_PURPOSE = "matching a new contact's caller to known People (repeat caller/victim)"


@dataclass(frozen=True)
class PersonView:
    id: int
    merged_into_id: int | None
    records: tuple[tuple[int, Identity, int | None], ...]
    """(record id, identity, contact id) for each description of this person."""
    merged_from: tuple[int, ...] = ()
    """People merged into this one (each merge can be undone from here)."""


@dataclass(frozen=True)
class OfferView:
    id: int
    record_id: int
    person_id: int
    candidate_person_id: int
    score: float
    explanation: str
    status: str
    record: Identity | None = None
    """The new description that was offered, and the candidate's latest (for the page)."""
    candidate: Identity | None = None


def identity_of_row(row: PersonRecordRow) -> Identity:
    return Identity(**{f.name: getattr(row, f.name) for f in fields(Identity)})


def link_contact(rt: Runtime, contact_id: int) -> None:
    """The intake step: file the caller under a Person. Above the auto-link threshold the
    caller joins the best-matching Person; otherwise a new Person is made, and any candidate
    in the band below is offered to staff. Nothing is linked on a low score."""
    with rt.database.transaction() as session:
        contact = session.get(ContactRow, contact_id)
        if contact is None:
            return
        identity = caller_identity(session, contact)
        if not (identity.surname or identity.phone or identity.email
                or identity.social_handle):
            return
        link_identity(session, identity, contact_id, rt.clock.now())


def caller_identity(session: Session, contact: ContactRow) -> Identity:
    """Who the contact is from, on every channel: the name and phone staff recorded, and the
    email address or social-media handle the digital desk received it from."""
    sender = session.scalars(select(EmailMessageRow.sender).where(
        EmailMessageRow.contact_id == contact.id, EmailMessageRow.direction == "in").order_by(
        EmailMessageRow.id)).first()
    conversation = session.scalars(select(SocialConversationRow).where(
        SocialConversationRow.contact_id == contact.id)).first()
    # An email without a display name arrives with the address as the caller's name.
    given, surname = ("", "") if "@" in contact.caller_name else split_name(contact.caller_name)
    try:
        email = normalise_email("email", sender or "")
    except ValidationError:
        email = ""
    handle = social_handle(conversation.platform, conversation.sender_id) if conversation else ""
    return Identity(given_name=given, surname=surname, phone=contact.caller_phone, email=email,
                    social_handle=handle)


def link_identity(session: Session, identity: Identity, contact_id: int | None,
                  now: datetime) -> PersonRecordRow:
    rules, variants = policy.matching(), policy.names()
    known = candidates(session, identity, rules.max_block_size)
    found = best_matches(identity, ((row.person_id, identity_of_row(row)) for row in known),
                         rules, variants)
    best: dict[int, tuple[float, str, MatchBand]] = {}
    for candidate in found:
        best.setdefault(candidate.key, (candidate.score.total, candidate.score.explain(),
                                        candidate.band))
    auto = [(pid, b) for pid, b in best.items() if b[2] is MatchBand.AUTO_LINK]
    if auto:
        person_id, (total, why, _) = auto[0]
    else:
        person = PersonRow(created_at=now)
        session.add(person)
        session.flush()
        person_id = person.id
    record = add_record(session, person_id, identity, contact_id, now)
    if auto:
        audit.record(session, SYSTEM, AuditAction.UPDATE, SUBJECT, person_id, LINK_PURPOSE, now,
                     {"linked_record": record.id, "contact_id": contact_id, "score": total,
                      "explanation": why})
        return record
    audit.record(session, SYSTEM, AuditAction.CREATE, SUBJECT, person_id, LINK_PURPOSE, now,
                 {"record": record.id, "contact_id": contact_id})
    for candidate_id, (total, why, _) in best.items():
        offer = MatchOfferRow(record_id=record.id, candidate_person_id=candidate_id, score=total,
                              explanation=why, status=OPEN, created_at=now)
        session.add(offer)
        session.flush()
        audit.record(session, SYSTEM, AuditAction.CREATE, "person_match_offer", offer.id,
                     LINK_PURPOSE, now, {"record": record.id, "candidate": candidate_id,
                                         "score": total, "explanation": why})
    return record


def candidates(session: Session, identity: Identity, max_block: int) -> list[PersonRecordRow]:
    """Records sharing a blocking key, skipping keys too common to tell people apart."""
    keys = blocking_keys(identity, policy.names())
    if not keys:
        return []
    counts = session.execute(select(PersonKeyRow.key, func.count()).where(
        PersonKeyRow.key.in_(keys)).group_by(PersonKeyRow.key)).all()
    usable = [key for key, count in counts if count <= max_block]
    if not usable:
        return []
    return list(session.scalars(select(PersonRecordRow).where(PersonRecordRow.id.in_(
        select(PersonKeyRow.record_id).where(PersonKeyRow.key.in_(usable))))))


def add_record(session: Session, person_id: int, identity: Identity, contact_id: int | None,
               now: datetime) -> PersonRecordRow:
    row = PersonRecordRow(person_id=person_id, contact_id=contact_id, created_at=now,
                          **{f.name: getattr(identity, f.name) for f in fields(Identity)})
    session.add(row)
    session.flush()
    session.add_all(PersonKeyRow(key=key, record_id=row.id)
                    for key in blocking_keys(identity, policy.names()))
    return row


def get_person(rt: Runtime, actor: Actor, person_id: int, purpose: str) -> PersonView:
    actor.require(Permission.PERSON_READ)
    with rt.database.transaction() as session:
        person = get_by_id(session, PersonRow, person_id)
        if person is None:
            raise NotFound(f"person {person_id}")
        rows = session.scalars(select(PersonRecordRow).where(
            PersonRecordRow.person_id == person_id).order_by(PersonRecordRow.id)).all()
        merged_from = session.scalars(select(PersonRow.id).where(
            PersonRow.merged_into_id == person_id).order_by(PersonRow.id)).all()
        audit.record(session, actor, AuditAction.READ, SUBJECT, person_id, purpose,
                     rt.clock.now())
        return PersonView(person.id, person.merged_into_id,
                          tuple((r.id, identity_of_row(r), r.contact_id) for r in rows),
                          tuple(merged_from))


def open_offers(rt: Runtime, actor: Actor) -> list[OfferView]:
    """Offers waiting for a decision, each with both descriptions to compare (three queries
    however many offers)."""
    actor.require(Permission.PERSON_READ)
    with rt.database.transaction() as session:
        rows = session.execute(select(MatchOfferRow, PersonRecordRow).join(
            PersonRecordRow, PersonRecordRow.id == MatchOfferRow.record_id).where(
            MatchOfferRow.status == OPEN).order_by(MatchOfferRow.id)).all()
        latest = _latest_records(session, {row.candidate_person_id for row, _ in rows})
        audit.record(session, actor, AuditAction.READ, "person_match_offer", "open",
                     "reviewing likely matches offered to staff", rt.clock.now(),
                     {"offers": [row.id for row, _ in rows]})
        return [_offer_view(row, record.person_id, identity_of_row(record),
                            latest.get(row.candidate_person_id)) for row, record in rows]


def _latest_records(session: Session, person_ids: set[int]) -> dict[int, Identity]:
    if not person_ids:
        return {}
    rows = session.scalars(select(PersonRecordRow).where(
        PersonRecordRow.person_id.in_(person_ids)).order_by(PersonRecordRow.id)).all()
    return {row.person_id: identity_of_row(row) for row in rows}


def _offer_view(row: MatchOfferRow, person_id: int, record: Identity | None = None,
                candidate: Identity | None = None) -> OfferView:
    return OfferView(row.id, row.record_id, person_id, row.candidate_person_id, row.score,
                     row.explanation, row.status, record, candidate)


def decide_offer(rt: Runtime, actor: Actor, offer_id: int, confirm: bool) -> OfferView:
    """Staff confirm (the record's Person is merged into the candidate) or reject an offer."""
    actor.require(Permission.PERSON_MERGE)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        offer = get_by_id(session, MatchOfferRow, offer_id)
        if offer is None:
            raise NotFound(f"match offer {offer_id}")
        if offer.status != OPEN:
            raise Conflict(f"this match was already {offer.status}")
        record = session.get(PersonRecordRow, offer.record_id)
        assert record is not None
        offer.status, offer.decided_at = (CONFIRMED if confirm else REJECTED), now
        offer.decided_by_user_id = actor.user_id
        audit.record(session, actor, AuditAction.UPDATE, "person_match_offer", offer.id,
                     "staff decision on a likely match", now, {"status": offer.status})
        if confirm and record.person_id != offer.candidate_person_id:
            _merge(session, actor, offer.candidate_person_id, record.person_id,
                   f"confirmed match offer {offer.id}", now)
        return _offer_view(offer, record.person_id)


def merge(rt: Runtime, actor: Actor, keep_id: int, merge_id: int, reason: str) -> int:
    """Merge one Person into another; returns the merge's id (to undo it with `unmerge`)."""
    actor.require(Permission.PERSON_MERGE)
    if keep_id == merge_id:
        raise ValidationError("merge_person_id", "A person cannot be merged with themselves")
    if not reason.strip():
        raise ValidationError("reason", "Enter why these are the same person")
    with rt.database.transaction() as session:
        return _merge(session, actor, keep_id, merge_id, reason.strip(), rt.clock.now())


def _merge(session: Session, actor: Actor, keep_id: int, merge_id: int, reason: str,
           now: datetime) -> int:
    keep, gone = get_by_id(session, PersonRow, keep_id), get_by_id(session, PersonRow, merge_id)
    if keep is None or gone is None:
        raise NotFound(f"person {keep_id if keep is None else merge_id}")
    if keep.merged_into_id is not None or gone.merged_into_id is not None:
        raise Conflict("one of these people is already merged into another")
    records = session.scalars(select(PersonRecordRow).where(
        PersonRecordRow.person_id == merge_id)).all()
    for record in records:
        record.person_id = keep_id
    gone.merged_into_id = keep_id
    row = PersonMergeRow(kept_person_id=keep_id, merged_person_id=merge_id,
                         record_ids=[r.id for r in records], reason=reason, merged_at=now,
                         merged_by_user_id=actor.user_id)
    session.add(row)
    session.flush()
    audit.record(session, actor, AuditAction.UPDATE, SUBJECT, keep_id,
                 "merging two records of one person", now,
                 {"merge": row.id, "merged_person": merge_id, "reason": reason})
    return row.id


def unmerge(rt: Runtime, actor: Actor, person_id: int, reason: str) -> int:
    """Undo the merge that folded `person_id` into another Person: their records go back."""
    actor.require(Permission.PERSON_MERGE)
    if not reason.strip():
        raise ValidationError("reason", "Enter why these are different people")
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = session.scalars(select(PersonMergeRow).where(
            PersonMergeRow.merged_person_id == person_id,
            PersonMergeRow.unmerged_at.is_(None))).first()
        if row is None:
            raise ValidationError("person_id", "This person has not been merged into anyone")
        for record in session.scalars(select(PersonRecordRow).where(
                PersonRecordRow.id.in_(row.record_ids))):
            record.person_id = person_id
        person = get_by_id(session, PersonRow, person_id)
        assert person is not None
        person.merged_into_id = None
        row.unmerged_at = now
        audit.record(session, actor, AuditAction.UPDATE, SUBJECT, person_id,
                     "undoing a wrong merge", now,
                     {"merge": row.id, "kept_person": row.kept_person_id, "reason": reason})
        return row.kept_person_id
