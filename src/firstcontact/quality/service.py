"""QA reviews: the samples waiting, the reviewer's read of the whole contact (audited), the
scored review, the handler's own feedback and acknowledgement, and the figures drawn from
reviews (the trend page and the monthly service report's `qa_summary`).

A handler sees the reviews of their own contacts and no one else's: asking for another's
answers 404, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from firstcontact.contacts.tables import ContactRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.auth import User
from firstcontact.platform.clock import london
from firstcontact.platform.model import Actor, Conflict, NotFound, Permission, PermissionDenied
from firstcontact.platform.runtime import Runtime
from firstcontact.quality.model import (
    Average,
    Reason,
    acknowledgement,
    averages,
    month_of,
    parse_review,
    team_of,
)
from firstcontact.quality.policy import criteria, sampling
from firstcontact.quality.sampling import window
from firstcontact.quality.tables import QaReviewRow, SampleRow
from firstcontact.risk import service as risk
from firstcontact.risk.service import ContactFile

PURPOSE = "quality assurance review of contact handling"


@dataclass(frozen=True)
class SampleView:
    id: int
    contact_id: int
    contact_reference: str
    reason: Reason
    detail: str
    handler: str
    happened_at: datetime
    sampled_at: datetime
    review_id: int | None


@dataclass(frozen=True)
class ReviewView:
    id: int
    sample: SampleView
    team: str
    scores: dict[str, int | None]
    notes: dict[str, str]
    summary: str
    reviewer: str
    reviewed_at: datetime
    acknowledged_at: datetime | None
    acknowledgement: str
    handler_user_id: int | None


Handler, Reviewer = aliased(User), aliased(User)


def _sample_query() -> Select[SampleRow, str | None, str, int]:
    """Samples with the contact's reference, the handler's name and any review (the last two
    may be None: outer joins)."""
    return (select(SampleRow, ContactRow.reference, Handler.display_name, QaReviewRow.id)
            .join(ContactRow, ContactRow.id == SampleRow.contact_id)
            .outerjoin(Handler, Handler.id == SampleRow.handler_user_id)
            .outerjoin(QaReviewRow, QaReviewRow.sample_id == SampleRow.id))


def _sample_view(row: SampleRow, reference: str | None, handler: str | None,
                 review_id: int | None) -> SampleView:
    return SampleView(row.id, row.contact_id, reference or str(row.contact_id),
                      Reason(row.reason), row.detail, handler or "Not known", row.happened_at,
                      row.sampled_at, review_id)


def samples(rt: Runtime, actor: Actor, *, reviewed: bool | None = False,
            limit: int = 200) -> list[SampleView]:
    """Samples for the reviewers' list: waiting (oldest first), reviewed, or all."""
    actor.require(Permission.QA_REVIEW)
    query = _sample_query().order_by(SampleRow.happened_at, SampleRow.id).limit(limit)
    if reviewed is not None:
        query = query.where(QaReviewRow.id.is_not(None) if reviewed else QaReviewRow.id.is_(None))
    with rt.database.transaction() as session:
        return [_sample_view(row, ref, name, review)
                for row, ref, name, review in session.execute(query)]


def _sample(session: Session, sample_id: int) -> SampleView:
    found = session.execute(_sample_query().where(SampleRow.id == sample_id)).first()
    if found is None:
        raise NotFound(f"QA sample {sample_id}")
    row, reference, handler, review_id = found
    return _sample_view(row, reference, handler, review_id)


def sample_for_review(rt: Runtime, actor: Actor,
                      sample_id: int) -> tuple[SampleView, ContactFile]:
    """The sample and the whole contact, read-only; the read is audited with its purpose."""
    actor.require(Permission.QA_REVIEW)
    with rt.database.transaction() as session:
        sample = _sample(session, sample_id)
    return sample, risk.contact_file(rt, actor, sample.contact_id, PURPOSE)


def submit_review(rt: Runtime, actor: Actor, sample_id: int, scores: Mapping[str, object],
                  notes: Mapping[str, object], summary: object) -> ReviewView:
    """Score a sampled contact. One review per sample; nobody reviews their own contact."""
    actor.require(Permission.QA_REVIEW)
    form = parse_review(scores, notes, summary, criteria())
    now = rt.clock.now()
    with rt.database.transaction() as session:
        sample = session.get(SampleRow, sample_id)
        if sample is None:
            raise NotFound(f"QA sample {sample_id}")
        if sample.handler_user_id is not None and sample.handler_user_id == actor.user_id:
            raise PermissionDenied("You cannot review your own contact")
        if session.scalar(select(QaReviewRow.id).where(QaReviewRow.sample_id == sample_id)):
            raise Conflict("This sample has already been reviewed")
        row = QaReviewRow(sample_id=sample_id, contact_id=sample.contact_id,
                          handler_user_id=sample.handler_user_id,
                          team=_team(session, sample.handler_user_id), scores=form.scores,
                          notes=form.notes, summary=form.summary, reviewed_at=now,
                          reviewed_by_user_id=actor.user_id, acknowledgement="")
        session.add(row)
        session.flush()
        audit.record(session, actor, AuditAction.CREATE, "qa_review", row.id, PURPOSE, now,
                     {"contact_id": sample.contact_id, "sample_id": sample_id})
        return _review_views(session, [row])[0]


def _team(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        return "Not known"
    return team_of(user.username, user.role.value, sampling(), user.team or "")


def _review_views(session: Session, rows: Sequence[QaReviewRow]) -> list[ReviewView]:
    """Reviews with their samples and reviewers' names, in three queries however many."""
    samples = {row.id: _sample_view(row, ref, name, review) for row, ref, name, review in
               session.execute(_sample_query().where(
                   SampleRow.id.in_({r.sample_id for r in rows})))}
    names: dict[int | None, str] = dict(session.execute(select(User.id, User.display_name).where(
        User.id.in_({r.reviewed_by_user_id for r in rows}))).all())
    return [ReviewView(row.id, samples[row.sample_id], row.team, dict(row.scores),
                       {str(k): str(v) for k, v in row.notes.items()}, row.summary,
                       names.get(row.reviewed_by_user_id, "Not known"), row.reviewed_at,
                       row.acknowledged_at, row.acknowledgement, row.handler_user_id)
            for row in rows]


def _visible_review(session: Session, actor: Actor, review_id: int) -> QaReviewRow:
    """A reviewer sees every review; a handler only their own (anyone else's is 'not found')."""
    if not actor.may(Permission.QA_REVIEW):
        actor.require(Permission.QA_FEEDBACK)
    row = session.get(QaReviewRow, review_id)
    if row is None or not (actor.may(Permission.QA_REVIEW) or (
            row.handler_user_id is not None and row.handler_user_id == actor.user_id)):
        raise NotFound(f"QA review {review_id}")
    return row


def get_review(rt: Runtime, actor: Actor, review_id: int) -> ReviewView:
    """One review, audited: it is a record about a member of staff's work."""
    with rt.database.transaction() as session:
        row = _visible_review(session, actor, review_id)
        audit.record(session, actor, AuditAction.READ, "qa_review", row.id,
                     "reading QA feedback", rt.clock.now(), {"contact_id": row.contact_id})
        return _review_views(session, [row])[0]


def acknowledge(rt: Runtime, actor: Actor, review_id: int, comment: object) -> ReviewView:
    """The handler confirms they have read their feedback (once), with an optional comment."""
    actor.require(Permission.QA_FEEDBACK)
    text = acknowledgement(comment)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = _visible_review(session, actor, review_id)
        if row.handler_user_id != actor.user_id:
            raise PermissionDenied("Only the member of staff reviewed can acknowledge it")
        if row.acknowledged_at is not None:
            raise Conflict("This feedback has already been acknowledged")
        row.acknowledged_at, row.acknowledgement = now, text
        audit.record(session, actor, AuditAction.UPDATE, "qa_review", row.id,
                     "QA feedback acknowledged", now, {"contact_id": row.contact_id})
        return _review_views(session, [row])[0]


def reviews(rt: Runtime, actor: Actor, *, mine: bool, limit: int = 200) -> list[ReviewView]:
    """The signed-in handler's own reviews (`mine`), or every review for a reviewer."""
    actor.require(Permission.QA_FEEDBACK if mine else Permission.QA_REVIEW)
    query = select(QaReviewRow).order_by(QaReviewRow.reviewed_at.desc()).limit(limit)
    if mine:
        query = query.where(QaReviewRow.handler_user_id == actor.user_id)
    with rt.database.transaction() as session:
        return _review_views(session, session.scalars(query).all())


@dataclass(frozen=True)
class QaSummary:
    """QA results for a period: how many reviews, and each criterion's average."""

    reviews: int
    criteria: list[Average]


def qa_summary(session: Session, start: datetime, end: datetime,
               team: str | None = None) -> QaSummary:
    """Reviews completed in [start, end): per criterion the average score (and as % of the top
    score) and the number of reviews. For the monthly service report; reads no personal data."""
    query = select(QaReviewRow.scores).where(QaReviewRow.reviewed_at >= start,
                                             QaReviewRow.reviewed_at < end)
    if team:
        query = query.where(QaReviewRow.team == team)
    scored = list(session.scalars(query))
    return QaSummary(len(scored), averages(scored, criteria()))


@dataclass(frozen=True)
class Trends:
    teams: list[str]
    by_month: dict[str, QaSummary]
    """'YYYY-MM' -> that month's summary (months with reviews only)."""
    overall: QaSummary


def trends(rt: Runtime, actor: Actor, first: date, last: date,
           team: str | None = None) -> Trends:
    """Each criterion's average per month (London) over first..last, for one team or all."""
    actor.require(Permission.QA_REVIEW)
    start, end = window(first, last)
    with rt.database.transaction() as session:
        query = select(QaReviewRow.reviewed_at, QaReviewRow.scores).where(
            QaReviewRow.reviewed_at >= start, QaReviewRow.reviewed_at < end)
        if team:
            query = query.where(QaReviewRow.team == team)
        months: dict[str, list[dict[str, int | None]]] = {}
        for at, scores in session.execute(query):
            months.setdefault(month_of(london(at)), []).append(scores)
        teams = sorted(session.scalars(select(QaReviewRow.team).distinct()))
        overall = qa_summary(session, start, end, team)
    return Trends(teams, {m: QaSummary(len(s), averages(s, criteria()))
                          for m, s in sorted(months.items())}, overall)
