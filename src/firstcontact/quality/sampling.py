"""Taking QA samples over a period of days: the random share of each person's graded contacts
(each person's day drawn once) and every risk-based sample, in one transaction.

Run it as often as you like over overlapping periods: a day already drawn is not drawn again
and a contact already sampled for a reason is not sampled again for it, so nothing doubles.
Only days that have ended are drawn at random, so a contact graded late in the evening is not
missed by a run made that afternoon.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstcontact.contacts.tables import ContactRow
from firstcontact.demand.model import OPEN_STATUSES
from firstcontact.demand.tables import IncidentRow
from firstcontact.harm.tables import HarmFindingRow
from firstcontact.people import policy as people_policy
from firstcontact.people.tables import PersonRecordRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.clock import LONDON, london
from firstcontact.platform.model import SYSTEM, Actor, Permission, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.quality.model import (
    Candidate,
    HandledContact,
    Reason,
    is_downgrade,
    is_repeat_caller,
    new_candidates,
    random_samples,
    review_was_late,
)
from firstcontact.quality.policy import sampling
from firstcontact.quality.tables import RandomDrawRow, SampleRow
from firstcontact.risk.model import Grade
from firstcontact.risk.tables import DeterminationRow, ReviewRow

MAX_DAYS = 366


@dataclass(frozen=True)
class SamplingRun:
    first: date
    last: date
    days_drawn: int
    taken: list[Candidate]


def draw_rng(seed: int | None = None) -> random.Random:
    """The randomness for a draw: the operating system's, so nobody can predict or steer which
    contacts are drawn; a seed only where a test or a re-run of an audit must repeat one."""
    return random.SystemRandom() if seed is None else random.Random(seed)  # noqa: S311


def window(first: date, last: date) -> tuple[datetime, datetime]:
    """[start, end) of the London days first..last, as aware datetimes."""
    if last < first:
        raise ValidationError("to", "Must be on or after the first day")
    if last >= date.max:
        raise ValidationError("to", "Enter a real date")
    if (last - first).days >= MAX_DAYS:
        raise ValidationError("to", f"Sample at most {MAX_DAYS} days at a time")
    return (datetime.combine(first, time(), LONDON),
            datetime.combine(last + timedelta(days=1), time(), LONDON))


def take_samples(rt: Runtime, actor: Actor, first: date, last: date,
                 rng: random.Random) -> SamplingRun:
    """Sample the London days `first`..`last` (inclusive), as far as now. A QA reviewer or
    team leader runs it from the QA page; the platform (SYSTEM) from `firstcontact qa sample`
    and the nightly job (quality.nightly)."""
    if actor != SYSTEM:
        actor.require(Permission.QA_REVIEW)
    with rt.database.transaction() as session:
        return sample_in(session, actor, first, last, rng, rt.clock.now())


def sample_in(session: Session, actor: Actor, first: date, last: date, rng: random.Random,
              now: datetime) -> SamplingRun:
    """`take_samples` inside a transaction already open: the nightly job's deadline is fired
    in the same transaction as its samples, so both commit or neither does."""
    start, end = window(first, last)
    end = min(end, now)
    drawn_days, random_picks = _draw(session, start, end, now, rng)
    found = [*random_picks, *_risk_based(session, start, end, now)]
    taken = session.execute(select(SampleRow.contact_id, SampleRow.reason).where(
        SampleRow.contact_id.in_({c.contact_id for c in found}))).all()
    fresh = new_candidates(found, {(c, r) for c, r in taken})
    session.add_all(SampleRow(contact_id=c.contact_id, reason=c.reason.value,
                              detail=c.detail, handler_user_id=c.handler_user_id,
                              happened_at=c.happened_at, sampled_at=now) for c in fresh)
    audit.record(session, actor, AuditAction.CREATE, "qa_sampling",
                 f"{first.isoformat()}..{last.isoformat()}",
                 "quality assurance sampling", now,
                 {"days_drawn": drawn_days, "samples": len(fresh),
                  "contacts": [c.contact_id for c in fresh]})
    return SamplingRun(first, last, drawn_days, fresh)


def _draw(session: Session, start: datetime, end: datetime, now: datetime,
          rng: random.Random) -> tuple[int, list[Candidate]]:
    """Draw each person's ended days not drawn before; record each day as drawn."""
    today = london(now).date()
    pools: dict[tuple[int, date], list[HandledContact]] = defaultdict(list)
    for contact_id, user_id, at in session.execute(select(
            DeterminationRow.contact_id, DeterminationRow.determined_by_user_id,
            DeterminationRow.determined_at).where(
            DeterminationRow.determined_at >= start, DeterminationRow.determined_at < end,
            DeterminationRow.determined_by_user_id.is_not(None))):
        day = london(at).date()
        if user_id is not None and day < today:
            pools[(user_id, day)].append(HandledContact(contact_id, user_id, at))
    done = set(session.execute(select(RandomDrawRow.handler_user_id, RandomDrawRow.day).where(
        RandomDrawRow.day.in_({day for _, day in pools}))))
    percent = sampling().random_percent
    picks: list[Candidate] = []
    for key in sorted(k for k in pools if k not in done):
        chosen = random_samples(pools[key], percent, rng)
        session.add(RandomDrawRow(handler_user_id=key[0], day=key[1], pool=len(pools[key]),
                                  drawn=len(chosen), drawn_at=now))
        picks.extend(chosen)
    return len(pools.keys() - done), picks


def _risk_based(session: Session, start: datetime, end: datetime,
                now: datetime) -> Iterable[Candidate]:
    yield from _dismissed_prompts(session, start, end)
    yield from _reviews(session, start, end)
    yield from _overdue_reviews(session, start, end, now)
    yield from _repeat_callers_no_action(session, start, end)


def _dismissed_prompts(session: Session, start: datetime, end: datetime
                       ) -> Iterable[Candidate]:
    for row in session.scalars(select(HarmFindingRow).where(
            HarmFindingRow.status == "dismissed", HarmFindingRow.decided_at >= start,
            HarmFindingRow.decided_at < end)):
        assert row.decided_at is not None
        yield Candidate(row.contact_id, Reason.HARM_PROMPT_DISMISSED, row.decided_by_user_id,
                        row.decided_at, f"{row.harm_type.replace('_', ' ')} prompt "
                        f"dismissed: {row.reason[:200]}")


def _reviews(session: Session, start: datetime, end: datetime) -> Iterable[Candidate]:
    """Re-THRIVEs in the window that lowered the grade, or were done late."""
    for review, contact_id in session.execute(select(ReviewRow, IncidentRow.contact_id).join(
            IncidentRow, IncidentRow.id == ReviewRow.incident_id).where(
            ReviewRow.reviewed_at >= start, ReviewRow.reviewed_at < end)):
        if is_downgrade(review.previous_grade, review.grade):
            yield Candidate(contact_id, Reason.DOWNGRADED_AT_RETHRIVE,
                            review.reviewed_by_user_id, review.reviewed_at,
                            f"{review.previous_grade} to {review.grade}".replace("_", " "))
        if review_was_late(review.was_due_at, review.reviewed_at, review.reviewed_at):
            late = int((review.reviewed_at - review.was_due_at).total_seconds() // 60)
            yield Candidate(contact_id, Reason.MISSED_REVIEW_DEADLINE,
                            review.reviewed_by_user_id, review.reviewed_at,
                            f"re-THRIVE done {late} minutes after it was due")


def _overdue_reviews(session: Session, start: datetime, end: datetime,
                     now: datetime) -> Iterable[Candidate]:
    """Open incidents whose re-THRIVE fell due in the window and is still not done."""
    for row in session.scalars(select(IncidentRow).where(
            IncidentRow.status.in_(OPEN_STATUSES), IncidentRow.review_due_at >= start,
            IncidentRow.review_due_at < end)):
        if review_was_late(row.review_due_at, None, now):
            yield Candidate(row.contact_id, Reason.MISSED_REVIEW_DEADLINE,
                            row.opened_by_user_id, row.review_due_at,
                            "re-THRIVE still not done")


def _repeat_callers_no_action(session: Session, start: datetime, end: datetime
                              ) -> Iterable[Candidate]:
    rule = people_policy.repeat().repeat_caller
    graded = session.execute(select(DeterminationRow, ContactRow.received_at,
                                    PersonRecordRow.person_id).join(
        ContactRow, ContactRow.id == DeterminationRow.contact_id).join(
        PersonRecordRow, PersonRecordRow.contact_id == ContactRow.id).where(
        DeterminationRow.grade == Grade.NO_POLICE_ACTION.value,
        DeterminationRow.determined_at >= start, DeterminationRow.determined_at < end)).all()
    for determination, received_at, person_id in graded:
        earlier = session.scalars(select(ContactRow.received_at).join(
            PersonRecordRow, PersonRecordRow.contact_id == ContactRow.id).where(
            PersonRecordRow.person_id == person_id)).all()
        if is_repeat_caller(earlier, received_at, rule.contacts, rule.days):
            yield Candidate(determination.contact_id, Reason.REPEAT_CALLER_NO_POLICE_ACTION,
                            determination.determined_by_user_id, determination.determined_at,
                            f"caller's contacts reached {rule.describe()}")
