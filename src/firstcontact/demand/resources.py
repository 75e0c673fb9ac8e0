"""Units: the dispatcher's resources. Assign one to an incident, move it on, release it.

A unit is committed by a conditional UPDATE on its row ("available" to "assigned", checked by
row count), so two dispatchers sending the same unit at once get one success and one clear
refusal. Every assignment, move and release goes on the incident's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firstcontact.demand import policy, service
from firstcontact.demand.model import (
    DEPLOYED,
    UNIT_WORDS,
    IncidentStatus,
    UnitStatus,
    check_unit_move,
)
from firstcontact.demand.tables import IncidentRow, UnitRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import stage_event
from firstcontact.platform.events import Event
from firstcontact.platform.model import (
    Actor,
    Conflict,
    NotFound,
    Permission,
    ValidationError,
    plain_text,
)
from firstcontact.platform.runtime import Runtime

SUBJECT = "unit"


@dataclass(frozen=True)
class UnitView:
    id: int
    call_sign: str
    unit_type: str
    skills: tuple[str, ...]
    sector: str
    shift: str
    status: UnitStatus
    incident_id: int | None
    incident_reference: str | None
    status_since: datetime


@dataclass(frozen=True)
class NewUnit:
    call_sign: str
    unit_type: str
    skills: tuple[str, ...]
    sector: str
    shift: str


def _view(row: UnitRow, reference: str | None = None) -> UnitView:
    return UnitView(row.id, row.call_sign, row.unit_type, tuple(row.skills), row.sector,
                    row.shift, UnitStatus(row.status), row.incident_id, reference,
                    row.status_since)


def parse_unit(fields: dict[str, str | list[str]]) -> NewUnit:
    """Check a new unit against the resources file (unit types, skills, sectors)."""
    known = policy.resources()
    call_sign = plain_text("call_sign", str(fields.get("call_sign", "")), max_chars=20,
                           required=True).upper()
    unit_type = str(fields.get("unit_type", ""))
    if unit_type not in known.unit_types:
        raise ValidationError("unit_type", "Select a unit type")
    skills = fields.get("skills", [])
    skills = [skills] if isinstance(skills, str) else skills
    if any(s not in known.skills for s in skills):
        raise ValidationError("skills", "Unknown skill")
    sector = str(fields.get("sector", ""))
    if sector not in {s.code for s in known.sectors}:
        raise ValidationError("sector", "Select a sector")
    shift = plain_text("shift", str(fields.get("shift", "")), max_chars=40)
    return NewUnit(call_sign, unit_type, tuple(skills), sector, shift)


def add_unit(rt: Runtime, actor: Actor, new: NewUnit) -> UnitView:
    """Put a unit on the board (the demo force and a resourcing lead use this)."""
    actor.require(Permission.INCIDENT_DISPATCH)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        if session.scalars(select(UnitRow).where(UnitRow.call_sign == new.call_sign)).first():
            raise ValidationError("call_sign", f"{new.call_sign} is already on the board")
        row = UnitRow(call_sign=new.call_sign, unit_type=new.unit_type, skills=list(new.skills),
                      sector=new.sector, shift=new.shift, status=UnitStatus.AVAILABLE.value,
                      status_since=now)
        session.add(row)
        session.flush()
        audit.record(session, actor, AuditAction.CREATE, SUBJECT, row.id, "unit added", now,
                     {"call_sign": new.call_sign})
        return _view(row)


def list_units(rt: Runtime, actor: Actor, sector: str | None = None) -> list[UnitView]:
    """Every unit, by call sign, with the incident it is committed to (two queries)."""
    actor.require(Permission.INCIDENT_READ)
    with rt.database.transaction() as session:
        query = select(UnitRow, IncidentRow.reference).outerjoin(
            IncidentRow, IncidentRow.id == UnitRow.incident_id)
        if sector:
            query = query.where(UnitRow.sector == sector)
        return [_view(unit, ref) for unit, ref in session.execute(query.order_by(
            UnitRow.call_sign))]


def units_for(session: Session, incident_id: int) -> list[UnitView]:
    rows = session.scalars(select(UnitRow).where(UnitRow.incident_id == incident_id)
                           .order_by(UnitRow.call_sign))
    return [_view(r) for r in rows]


def assign(rt: Runtime, actor: Actor, incident_id: int, unit_id: int) -> UnitView:
    """Send an available unit to an open incident; the incident becomes resourced."""
    actor.require(Permission.INCIDENT_DISPATCH)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        incident = service.load(session, incident_id)
        unit = _load(session, unit_id)
        taken = session.execute(
            update(UnitRow)
            .where(UnitRow.id == unit_id, UnitRow.status == UnitStatus.AVAILABLE.value)
            .values(status=UnitStatus.ASSIGNED.value, incident_id=incident_id, status_since=now)
            .execution_options(synchronize_session=False))
        if getattr(taken, "rowcount", 0) != 1:
            session.refresh(unit)
            raise Conflict(f"{unit.call_sign} is {UNIT_WORDS[UnitStatus(unit.status)]}: "
                           "it cannot be assigned")
        if incident.status == IncidentStatus.OPEN.value:
            service.move(session, actor, incident_id, incident.version,
                         IncidentStatus.RESOURCED, now)
        elif incident.status == IncidentStatus.FINALISED.value:
            raise Conflict("This incident is finalised: reopen it before sending a unit")
        session.refresh(unit)
        _log(session, actor, unit, incident_id, f"{unit.call_sign} assigned", now)
        return _view(unit, incident.reference)


def move_unit(rt: Runtime, actor: Actor, unit_id: int, to: UnitStatus) -> UnitView:
    """A unit's progress (en route, at scene) or availability; at scene marks the incident."""
    actor.require(Permission.INCIDENT_DISPATCH)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        unit = _load(session, unit_id)
        check_unit_move(unit.call_sign, UnitStatus(unit.status), to)
        unit.status, unit.status_since = to.value, now
        if unit.incident_id is not None:
            incident = service.load(session, unit.incident_id)
            if to is UnitStatus.AT_SCENE and incident.status != IncidentStatus.AT_SCENE.value:
                service.move(session, actor, incident.id, incident.version,
                             IncidentStatus.AT_SCENE, now)
            _log(session, actor, unit, incident.id,
                 f"{unit.call_sign} {UNIT_WORDS[to]}", now)
        return _view(unit)


def release(rt: Runtime, actor: Actor, unit_id: int) -> UnitView:
    """Free a unit from its incident. The incident keeps its status; the timeline says when."""
    actor.require(Permission.INCIDENT_DISPATCH)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        unit = _load(session, unit_id)
        if unit.incident_id is None:
            raise Conflict(f"{unit.call_sign} is not assigned to an incident")
        incident_id = unit.incident_id
        unit.status, unit.incident_id, unit.status_since = (UnitStatus.AVAILABLE.value, None,
                                                            now)
        _log(session, actor, unit, incident_id, f"{unit.call_sign} released", now)
        return _view(unit)


def reassign(rt: Runtime, actor: Actor, unit_id: int, from_incident_id: int,
             to_incident_id: int, reason: str = "") -> UnitView:
    """A team leader moves a unit from one incident to another in one transaction.

    The unit is taken by a conditional UPDATE on "still on the incident it is being moved
    from", so two people moving it at once cannot both succeed and it is never on two
    incidents. Both incidents' timelines say so; the receiving one becomes resourced.
    """
    actor.require(Permission.DEMAND_OVERSEE)
    words = plain_text("reason", reason, max_chars=2_000)
    if to_incident_id == from_incident_id:
        raise ValidationError("to_incident_id", "Choose a different incident")
    now = rt.clock.now()
    with rt.database.transaction() as session:
        unit, source = _load(session, unit_id), service.load(session, from_incident_id)
        target = service.load(session, to_incident_id)
        if target.status == IncidentStatus.FINALISED.value:
            raise Conflict(f"{target.reference} is finalised: reopen it before sending a unit")
        moved = session.execute(
            update(UnitRow)
            .where(UnitRow.id == unit_id, UnitRow.incident_id == from_incident_id,
                   UnitRow.status.in_([s.value for s in DEPLOYED]))
            .values(status=UnitStatus.ASSIGNED.value, incident_id=to_incident_id,
                    status_since=now).execution_options(synchronize_session=False))
        if getattr(moved, "rowcount", 0) != 1:
            raise ValidationError("unit_id", f"{unit.call_sign} is not assigned to "
                                             f"{source.reference}")
        if target.status == IncidentStatus.OPEN.value:
            service.move(session, actor, target.id, target.version,
                         IncidentStatus.RESOURCED, now)
        session.refresh(unit)
        detail = {"reason": words, "from_incident_id": source.id, "to_incident_id": target.id}
        _log(session, actor, unit, source.id,
             f"{unit.call_sign} reassigned to {target.reference}", now, detail)
        _log(session, actor, unit, target.id,
             f"{unit.call_sign} reassigned from {source.reference}", now, detail)
        return _view(unit, target.reference)


def _load(session: Session, unit_id: int) -> UnitRow:
    unit = session.get(UnitRow, unit_id)
    if unit is None:
        raise NotFound(f"No unit {unit_id}")
    return unit


def _log(session: Session, actor: Actor, unit: UnitRow, incident_id: int, words: str,
         now: datetime, extra: dict[str, object] | None = None) -> None:
    detail = {"unit_id": unit.id, "call_sign": unit.call_sign, "status": unit.status,
              **(extra or {})}
    audit.record(session, actor, AuditAction.UPDATE, SUBJECT, unit.id, words, now,
                 {**detail, "incident_id": incident_id})
    service.add_to_timeline(session, actor, incident_id, "unit", words, now, detail)
    stage_event(session, Event("unit.status", {**detail, "incident_id": incident_id}))


@dataclass(frozen=True)
class IncidentBoard:
    """The incident page: the incident, its timeline, its units and those free to send."""

    file: service.IncidentFile
    assigned: list[UnitView]
    available: list[UnitView]


def incident_board(rt: Runtime, actor: Actor, incident_id: int) -> IncidentBoard:
    found = service.incident_file(rt, actor, incident_id)
    with rt.database.transaction() as session:
        free = session.scalars(select(UnitRow)
                               .where(UnitRow.status == UnitStatus.AVAILABLE.value)
                               .order_by(UnitRow.call_sign))
        # Units in the incident's own sector first: the nearest help is usually local.
        available = sorted((_view(u) for u in free),
                           key=lambda u: (u.sector != found.incident.sector, u.call_sign))
        return IncidentBoard(found, units_for(session, incident_id), available)
