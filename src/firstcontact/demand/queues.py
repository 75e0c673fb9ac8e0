"""The dispatcher's live queue: open incidents by grade, then by wait against target, with
breaches marked; filtered by sector and grade. The page refreshes it when the bus says
something changed (demand/views.py streams those changes as server-sent events)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from firstcontact.demand import policy, service
from firstcontact.demand.model import OPEN_STATUSES, UNSECTORED, dispatch_order
from firstcontact.demand.tables import IncidentRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.events import Subscription
from firstcontact.platform.model import Actor, FieldErrors, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.risk.model import Grade

LIVE_TOPICS = frozenset({"incident", "unit"})
"""What changes the queue: any incident or unit event, from this worker or another."""


@dataclass(frozen=True)
class QueueFilter:
    sector: str = ""
    grade: str = ""

    def query(self) -> str:
        """The filter as a query string, for the fragment the page fetches."""
        return "&".join(f"{k}={v}" for k, v in (("sector", self.sector),
                                                   ("grade", self.grade)) if v)


def parse_filter(params: Mapping[str, str]) -> QueueFilter:
    """Only sectors in the resources file and known grades; each mistake named."""
    errors = FieldErrors()
    sector = params.get("sector", "").strip()
    if sector and sector not in {s.code for s in policy.resources().sectors}:
        errors.errors["sector"] = "Select a sector"
    grade = params.get("grade", "").strip()
    if grade and grade not in {g.value for g in Grade}:
        errors.errors["grade"] = "Select a grade"
    errors.raise_any()
    return QueueFilter(sector, grade)


def dispatcher_queue(rt: Runtime, actor: Actor, chosen: QueueFilter,
                     limit: int = 500) -> list[service.IncidentView]:
    """Open incidents for the dispatcher, in one query (plus the audit line)."""
    actor.require(Permission.INCIDENT_READ)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        query = select(IncidentRow).where(IncidentRow.status.in_(OPEN_STATUSES))
        if chosen.sector:
            query = query.where(IncidentRow.sector.in_([chosen.sector, UNSECTORED]))
        if chosen.grade:
            query = query.where(IncidentRow.grade == chosen.grade)
        rows = session.scalars(query.order_by(IncidentRow.opened_at).limit(limit)).all()
        if rows:
            audit.record(session, actor, AuditAction.READ, "incident_list", "",
                         "dispatcher queue viewed", now,
                         {"incident_ids": [r.id for r in rows]})
        views = [service.view(row, now) for row in rows]
    return sorted(views, key=lambda v: dispatch_order(v.grade, v.response_due_at, v.opened_at))


async def changes(rt: Runtime, disconnected: Callable[[], Awaitable[bool]],
                  heartbeat: float = 15.0) -> AsyncGenerator[str, None]:
    """Server-sent events: one "change" per bus event, a comment as heartbeat, until the
    browser goes away. Events carry only the topic: the page fetches what it may see."""
    subscription: Subscription = rt.bus.subscribe(LIVE_TOPICS)
    try:
        yield "retry: 3000\n\n"
        while not await disconnected():
            try:
                event = await asyncio.wait_for(subscription.queue.get(), heartbeat)
            except TimeoutError:
                yield ": still here\n\n"
                continue
            yield f"event: change\ndata: {event.topic}\n\n"
    finally:
        subscription.close()
