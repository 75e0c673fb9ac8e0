"""The team leader's screen: all demand on one page, every figure linked to what is behind it,
and the team leader's own actions on an incident (escalate, note), each audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from firstcontact.contacts import service as contacts
from firstcontact.contacts.model import Channel
from firstcontact.demand import service
from firstcontact.demand.model import (
    AGE_BANDS,
    OPEN_STATUSES,
    Bar,
    ReviewState,
    UnitStatus,
    bars,
)
from firstcontact.demand.tables import IncidentRow, UnitRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.clock import london
from firstcontact.platform.db import stage_event
from firstcontact.platform.events import Event
from firstcontact.platform.model import Actor, Permission, ValidationError, plain_text
from firstcontact.platform.runtime import Runtime
from firstcontact.risk.model import Grade, response_due_at
from firstcontact.risk.policy import grading

SHIFT_HOURS = 8


@dataclass(frozen=True)
class Overview:
    bands: tuple[str, ...]
    by_grade: list[tuple[str, list[int]]]
    open_total: int
    reviews_due: int
    escalated: int
    breaches: int
    units: list[tuple[str, int]]
    trend: list[Bar]
    shift_start: datetime
    waiting: list[tuple[Channel, int]]
    """Contacts awaiting assessment on each channel (every channel, zero included)."""


OPEN = IncidentRow.status.in_(OPEN_STATUSES)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def overview(rt: Runtime, actor: Actor) -> Overview:
    """Counts only (no person's record is read), aggregated by the database in five queries
    whatever the demand, so the screen stays quick with many thousands open."""
    actor.require(Permission.DEMAND_OVERSEE)
    now = rt.clock.now()
    start = (now - timedelta(hours=SHIFT_HOURS - 1)).replace(minute=0, second=0, microsecond=0)
    hours = [start + timedelta(hours=h) for h in range(SHIFT_HOURS)]
    with rt.database.transaction() as session:
        grid = _by_grade_and_age(session, now)
        due, escalated, breaches = session.execute(select(
            _count(or_(IncidentRow.review_state != ReviewState.SCHEDULED.value,
                       IncidentRow.review_due_at <= now)),
            _count(IncidentRow.review_state == ReviewState.ESCALATED.value),
            _count(IncidentRow.response_due_at < now)).where(OPEN)).one()
        units: dict[str, int] = {status: count for status, count in session.execute(
            select(UnitRow.status, func.count()).group_by(UnitRow.status))}
        opened = session.execute(select(*[
            _count(and_(IncidentRow.opened_at >= h, IncidentRow.opened_at < h + HOUR))
            for h in hours]).where(IncidentRow.opened_at >= start)).one()
        waiting = contacts.awaiting_by_channel(session)
        open_total = sum(sum(counts) for counts in grid.values())
        audit.record(session, actor, AuditAction.READ, "demand_overview", "",
                     "team leader overview viewed", now, {"open": open_total})
    return Overview(
        bands=tuple(name for name, _ in AGE_BANDS),
        by_grade=[(g.value, grid[g.value]) for g in Grade if any(grid.get(g.value, []))],
        open_total=open_total, reviews_due=int(due), escalated=int(escalated),
        breaches=int(breaches), units=[(s.value, units.get(s.value, 0)) for s in UnitStatus],
        trend=bars([int(c) for c in opened], [f"{london(h):%H}:00" for h in hours]),
        shift_start=start, waiting=[(c, waiting.get(c, 0)) for c in Channel])


HOUR = timedelta(hours=1)


def _by_grade_and_age(session: Session, now: datetime) -> dict[str, list[int]]:
    band = case(*[(IncidentRow.opened_at > now - timedelta(minutes=limit), index)
                  for index, (_, limit) in enumerate(AGE_BANDS[:-1])],
                else_=len(AGE_BANDS) - 1)
    grid = {g.value: [0] * len(AGE_BANDS) for g in Grade}
    for grade, index, count in session.execute(
            select(IncidentRow.grade, band, func.count()).where(OPEN)
            .group_by(IncidentRow.grade, band)):
        grid.setdefault(grade, [0] * len(AGE_BANDS))[index] += count
    return grid


ACTIONS = {"note": "Note", "escalate": "Escalated by the team leader"}


def act_on(rt: Runtime, actor: Actor, incident_id: int, action: str, text: str) -> None:
    """A team leader's note or escalation on an incident: on its timeline and audited."""
    actor.require(Permission.DEMAND_OVERSEE)
    if action not in ACTIONS:
        raise ValidationError("action", "Choose note or escalate")
    words = plain_text("text", text, max_chars=2_000, required=True)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = service.load(session, incident_id)
        audit.record(session, actor, AuditAction.UPDATE, service.SUBJECT, row.id,
                     f"team leader {action}", now, {"text": words})
        service.add_to_timeline(session, actor, row.id, action, ACTIONS[action], now,
                                {"reason": words})
        stage_event(session, Event(f"incident.{action}", {"incident_id": row.id}))


def reprioritise(rt: Runtime, actor: Actor, incident_id: int, grade: str, rationale: str,
                 expected_version: int) -> service.IncidentView:
    """A team leader changes an open incident's grade, with a rationale, at the version seen.

    The new grade brings its own response target counted from now (as a re-THRIVE does); the
    re-THRIVE deadline stays, since no fresh assessment was made. Audited and on the timeline.
    """
    actor.require(Permission.DEMAND_OVERSEE)
    chosen = parse_grade(grade)
    words = plain_text("rationale", rationale, max_chars=2_000, required=True)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = service.claim(session, incident_id, expected_version)
        previous = row.grade
        if previous == chosen.value:
            raise ValidationError("grade", f"The incident is already {_words(previous)}")
        row.grade = chosen.value
        row.response_due_at = response_due_at(now, chosen, row.area_type, grading())
        detail: dict[str, object] = {
            "previous_grade": previous, "grade": chosen.value, "rationale": words,
            "response_due_at": row.response_due_at.isoformat() if row.response_due_at else None}
        audit.record(session, actor, AuditAction.UPDATE, service.SUBJECT, row.id,
                     "team leader re-prioritised", now, detail)
        service.add_to_timeline(session, actor, row.id, "reprioritised",
                                f"Re-prioritised: {_words(previous)} to {_words(chosen.value)}",
                                now, detail)
        stage_event(session, Event("incident.reprioritised", {
            "incident_id": row.id, "grade": chosen.value, "previous_grade": previous}))
        return service.view(row, now)


def parse_grade(raw: str) -> Grade:
    if raw not in {g.value for g in Grade}:
        raise ValidationError("grade", "Choose a grade")
    return Grade(raw)


def _words(grade: str) -> str:
    return grade.replace("_", " ")
