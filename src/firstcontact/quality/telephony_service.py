"""Importing call events from the telephony platform, and reading them back for a period.

An import is one transaction: a file is checked whole before anything is stored (see
telephony.parse_file), calls already held (the same call id, the same times) are counted and
left alone, and a call id already held with different times refuses the whole file, naming the
row, because two versions of one call cannot both be right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.model import SYSTEM, Actor, FieldErrors, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.quality.tables import TelephonyCallRow
from firstcontact.quality.telephony import Call, Line

SUBJECT = "telephony_import"
BATCH = 500
"""Call ids looked up per query: well inside every database's limit on bound parameters."""


@dataclass(frozen=True)
class Imported:
    added: int
    already_held: int


def import_calls(rt: Runtime, actor: Actor, calls: Sequence[Call], source: str) -> Imported:
    """Store the calls not yet held. Staff need TELEPHONY_IMPORT; the CLI acts as the
    platform itself. Audited (no personal data: a call's id, times and handler)."""
    if actor != SYSTEM:
        actor.require(Permission.TELEPHONY_IMPORT)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        held = _held(session, [c.call_id for c in calls])
        errors = FieldErrors()
        new = []
        for number, call in enumerate(calls, start=1):
            known = held.get(call.call_id)
            if known is None:
                new.append(call)
            elif _call_of(known) != call:
                errors.errors.setdefault(
                    f"call {call.call_id}.call_id",
                    f"{call.call_id} is already held with different times (call {number} "
                    "in this file): nothing was imported")
        errors.raise_any()
        session.add_all(_row(call, now) for call in new)
        audit.record(session, actor, AuditAction.CREATE, SUBJECT, "", "telephony call events "
                     "imported", now, {"source": source, "added": len(new),
                                       "already_held": len(calls) - len(new)})
    return Imported(len(new), len(calls) - len(new))


def _held(session: Session, call_ids: list[str]) -> dict[str, TelephonyCallRow]:
    found: dict[str, TelephonyCallRow] = {}
    for start in range(0, len(call_ids), BATCH):
        batch = call_ids[start:start + BATCH]
        found.update((row.call_id, row) for row in session.scalars(
            select(TelephonyCallRow).where(TelephonyCallRow.call_id.in_(batch))))
    return found


def _row(call: Call, now: datetime) -> TelephonyCallRow:
    return TelephonyCallRow(call_id=call.call_id, line=call.line.value,
                            offered_at=call.offered_at, answered_at=call.answered_at,
                            abandoned_at=call.abandoned_at, handler=call.handler,
                            imported_at=now)


def _call_of(row: TelephonyCallRow) -> Call:
    return Call(row.call_id, Line(row.line), row.offered_at, row.answered_at, row.abandoned_at,
                row.handler)


def calls_offered(session: Session, start: datetime, end: datetime) -> list[Call]:
    """The calls offered from `start` up to (not including) `end`."""
    rows = session.scalars(select(TelephonyCallRow).where(
        TelephonyCallRow.offered_at >= start, TelephonyCallRow.offered_at < end)
        .order_by(TelephonyCallRow.offered_at, TelephonyCallRow.id))
    return [_call_of(row) for row in rows]
