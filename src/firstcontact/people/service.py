"""People use cases: linking each new contact's caller to a Person, the matches offered to
staff, and merging and unmerging People. Every change and every read is audited.

Matching is the pure code in people.matching and people.model; this module only fetches the
candidates that share a blocking key and stores what was decided.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple, cast

from sqlalchemy import BindParameter, Select, Table, bindparam, func, insert, select, union_all
from sqlalchemy.orm import Session

from firstcontact.contacts.model import Channel
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


def link_contact(rt: Runtime, session: Session, contact_id: int) -> None:
    """The intake step: file the caller under a Person. Above the auto-link threshold the
    caller joins the best-matching Person; otherwise a new Person is made, and any candidate
    in the band below is offered to staff. Nothing is linked on a low score."""
    contact = session.get(ContactRow, contact_id)
    if contact is None:
        return
    identity = caller_identity(session, contact)
    if not (identity.surname or identity.phone or identity.email or identity.social_handle):
        return
    link_identity(session, identity, contact_id, rt.clock.now())


def caller_identity(session: Session, contact: ContactRow) -> Identity:
    """Who the contact is from, on every channel: the name and phone staff recorded, and the
    email address or social-media handle the digital desk received it from (only an email or
    a social-media contact can have either, so no other contact looks)."""
    sender = session.scalars(select(EmailMessageRow.sender).where(
        EmailMessageRow.contact_id == contact.id, EmailMessageRow.direction == "in").order_by(
        EmailMessageRow.id)).first() if contact.channel == Channel.EMAIL else None
    conversation = session.scalars(select(SocialConversationRow).where(
        SocialConversationRow.contact_id == contact.id)).first() if (
        contact.channel == Channel.SOCIAL) else None
    # An email without a display name arrives with the address as the caller's name.
    given, surname = ("", "") if "@" in contact.caller_name else split_name(contact.caller_name)
    try:
        email = normalise_email("email", sender or "")
    except ValidationError:
        email = ""
    handle = social_handle(conversation.platform, conversation.sender_id) if conversation else ""
    return Identity(given_name=given, surname=surname, phone=contact.caller_phone, email=email,
                    social_handle=handle)


class LinkedRecord(NamedTuple):
    """The description `link_identity` filed, and the Person it is filed under."""

    id: int
    person_id: int


def link_identity(session: Session, identity: Identity, contact_id: int | None,
                  now: datetime) -> LinkedRecord:
    rules, variants = policy.matching(), policy.names()
    known = candidates(session, identity, rules.max_block_size)
    found = best_matches(identity, known, rules, variants)
    best: dict[int, tuple[float, str, MatchBand]] = {}
    for candidate in found:
        best.setdefault(candidate.key, (candidate.score.total, candidate.score.explain(),
                                        candidate.band))
    auto = [(pid, b) for pid, b in best.items() if b[2] is MatchBand.AUTO_LINK]
    if auto:
        person_id, (total, why, _) = auto[0]
    else:
        person_id = session.execute(_NEW_PERSON, {"created_at": now}).scalar_one()
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


_PEOPLE, _RECORDS, _KEYS = (cast(Table, row.__table__)
                            for row in (PersonRow, PersonRecordRow, PersonKeyRow))
IDENTITY_FIELDS = tuple(f.name for f in fields(Identity))
_NEW_PERSON = insert(_PEOPLE).returning(_PEOPLE.c.id)
_NEW_RECORD = insert(_RECORDS).returning(_RECORDS.c.id)
_NEW_KEYS = insert(_KEYS)
"""Built once, as plain Core: these run for every contact, where building a statement and the
ORM's unit of work cost more than the statement itself."""


@cache
def _candidates_query(key_count: int, max_block: int) -> Select[*tuple[Any, ...]]:
    """The records filed under any of `key_count` keys (bound as key_0, key_1, ...) that are
    shared by no more than `max_block` records. Each key is read no further than one past
    `max_block`, so a common key costs the same at a million People as at a hundred."""
    usable = union_all(*(_usable_key(bindparam(f"key_{i}"), max_block)
                         for i in range(key_count)))
    return select(_RECORDS.c.person_id, *(_RECORDS.c[name] for name in IDENTITY_FIELDS)).where(
        _RECORDS.c.id.in_(select(_KEYS.c.record_id).where(_KEYS.c.key.in_(usable)))
    ).order_by(_RECORDS.c.id)


def _usable_key(key: BindParameter[str], max_block: int) -> Select[str]:
    first = select(_KEYS.c.key).where(_KEYS.c.key == key).limit(max_block + 1).subquery()
    return select(first.c.key).group_by(first.c.key).having(func.count() <= max_block)


def candidates(session: Session, identity: Identity,
               max_block: int) -> list[tuple[int, Identity]]:
    """(person id, identity) of the records sharing a blocking key, skipping keys too common
    to tell people apart; one query."""
    keys = list(dict.fromkeys(blocking_keys(identity, policy.names())))
    if not keys:
        return []
    rows = session.execute(_candidates_query(len(keys), max_block),
                           {f"key_{i}": key for i, key in enumerate(keys)})
    return [(row.person_id, Identity(*row[1:])) for row in rows]


def add_record(session: Session, person_id: int, identity: Identity, contact_id: int | None,
               now: datetime) -> LinkedRecord:
    record_id = session.execute(_NEW_RECORD, {
        "person_id": person_id, "contact_id": contact_id, "created_at": now,
        **{name: getattr(identity, name) for name in IDENTITY_FIELDS}}).scalar_one()
    keys = [{"key": key, "record_id": record_id}
            for key in blocking_keys(identity, policy.names())]
    if keys:
        session.execute(_NEW_KEYS, keys)
    return LinkedRecord(record_id, person_id)


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
