"""The team leader's screen: all demand on one page, every figure linked to what is behind it,
and the team leader's own actions on an incident (escalate, note), each audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from firstcontact.demand import service
from firstcontact.demand.model import (
    AGE_BANDS,
    IncidentStatus,
    ReviewState,
    UnitStatus,
    age_band,
    hourly_bars,
)
from firstcontact.demand.tables import IncidentRow, UnitRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.clock import london
from firstcontact.platform.db import stage_event
from firstcontact.platform.events import Event
from firstcontact.platform.model import Actor, Permission, ValidationError, plain_text
from firstcontact.platform.runtime import Runtime
from firstcontact.risk.model import Grade

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
    trend: list[object]
    shift_start: datetime


def overview(rt: Runtime, actor: Actor) -> Overview:
    """Counts only (no person's record is read), in three queries whatever the demand."""
    actor.require(Permission.DEMAND_OVERSEE)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        open_rows = session.execute(
            select(IncidentRow.grade, IncidentRow.opened_at, IncidentRow.review_state,
                   IncidentRow.review_due_at, IncidentRow.response_due_at)
            .where(IncidentRow.status != IncidentStatus.FINALISED.value)).all()
        units: dict[str, int] = {status: count for status, count in session.execute(
            select(UnitRow.status, func.count()).group_by(UnitRow.status))}
        start = (now - timedelta(hours=SHIFT_HOURS - 1)).replace(minute=0, second=0,
                                                                 microsecond=0)
        opened = list(session.scalars(select(IncidentRow.opened_at)
                                      .where(IncidentRow.opened_at >= start)))
        audit.record(session, actor, AuditAction.READ, "demand_overview", "",
                     "team leader overview viewed", now, {"open": len(open_rows)})
    grid = {g.value: [0] * len(AGE_BANDS) for g in Grade}
    for grade, opened_at, *_ in open_rows:
        grid[grade][age_band(opened_at, now)] += 1
    hours = [start + timedelta(hours=h) for h in range(SHIFT_HOURS)]
    return Overview(
        bands=tuple(name for name, _ in AGE_BANDS),
        by_grade=[(g, counts) for g, counts in grid.items() if any(counts)],
        open_total=len(open_rows),
        reviews_due=sum(1 for r in open_rows if r[2] != ReviewState.SCHEDULED.value
                        or now >= r[3]),
        escalated=sum(1 for r in open_rows if r[2] == ReviewState.ESCALATED.value),
        breaches=sum(1 for r in open_rows if r[4] is not None and now > r[4]),
        units=[(s.value, units.get(s.value, 0)) for s in UnitStatus],
        trend=list(hourly_bars(opened, hours, [f"{london(h):%H}:00" for h in hours])),
        shift_start=start,
    )


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
