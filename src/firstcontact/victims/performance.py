"""The performance framework's use cases: figures for a period, the CSV, and the drill-down.

Figures carry no personal data; the drill-down names victims, so it needs victim-read
permission and is audited like any other read of their records.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.model import Actor, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.victims.compliance import (
    CSV_HEADER,
    Figure,
    Owed,
    Period,
    behind,
    csv_rows,
    figures,
)
from firstcontact.victims.model import EntitlementState
from firstcontact.victims.policy import victims_policy
from firstcontact.victims.tables import EntitlementRow, VictimRow


@dataclass(frozen=True)
class Behind:
    """One victim behind a figure, as the drill-down lists them."""

    victim_id: int
    crime_reference: str
    name: str
    reported_at: datetime


def _owed(rt: Runtime, period: Period) -> list[Owed]:
    with rt.database.transaction() as session:
        return owed_in(session, period)


def owed_in(session: Session, period: Period) -> list[Owed]:
    """Every entitlement owed to victims reported in the period (the service report reads
    the same figures inside its own transaction)."""
    zone = victims_policy().timezone
    start = datetime.combine(period.first, time(0), tzinfo=zone)
    end = datetime.combine(period.last + timedelta(days=1), time(0), tzinfo=zone)
    pairs = session.execute(
        select(EntitlementRow, VictimRow).join(VictimRow)
        .where(VictimRow.reported_at >= start, VictimRow.reported_at < end)).all()
    return [Owed(v.id, e.code, EntitlementState(e.state), v.reported_at, e.due_at,
                 e.delivered_at, v.enhanced, v.crime_type, v.channel,
                 f"{v.reported_at.astimezone(zone):%Y-%m}", v.team, v.party)
            for e, v in pairs]


def codes() -> list[str]:
    return [e.code for e in victims_policy().entitlements]


def performance(rt: Runtime, actor: Actor, period: Period, split: str) -> list[Figure]:
    """Per entitlement (and split value): owed, % delivered, % on time, median hours."""
    actor.require(Permission.VICTIM_COMPLIANCE)
    return figures(_owed(rt, period), codes(), split)


def performance_csv(rt: Runtime, actor: Actor, period: Period, split: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(performance(rt, actor, period, split)))
    return out.getvalue()


def drill_down(rt: Runtime, actor: Actor, period: Period, code: str, split: str, value: str,
               measure: str) -> list[Behind]:
    """The victims behind one figure (an audited read of their records)."""
    actor.require(Permission.VICTIM_COMPLIANCE)
    actor.require(Permission.VICTIM_READ)
    ids = behind(_owed(rt, period), code, split, value, measure)
    with rt.database.transaction() as session:
        rows = session.scalars(select(VictimRow).where(VictimRow.id.in_(ids))
                               .order_by(VictimRow.reported_at, VictimRow.id)).all()
        if ids:
            audit.record(session, actor, AuditAction.READ, "victim_queue", "compliance",
                         "Victims' Code compliance drill-down", rt.clock.now(),
                         {"victim_ids": ids, "entitlement": code, "measure": measure})
        return [Behind(r.id, r.crime_reference, r.name, r.reported_at) for r in rows]
