"""JSON routes for incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from firstcontact.demand import overview, resources, service
from firstcontact.demand.model import parse_status, parse_unit_status
from firstcontact.platform.model import Actor, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import RowId, get_runtime, require

router = APIRouter(prefix="/api/incidents", tags=["incidents"])

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reader = Annotated[Actor, Depends(require(Permission.INCIDENT_READ))]
Dispatcher = Annotated[Actor, Depends(require(Permission.INCIDENT_DISPATCH))]
Leader = Annotated[Actor, Depends(require(Permission.DEMAND_OVERSEE))]


class IncidentOut(BaseModel):
    id: int
    reference: str
    contact_id: int
    grade: str
    status: str
    nsir_category: str
    opening_code: str
    qualifiers: list[str]
    location: str
    opened_at: datetime
    last_assessed_at: datetime
    review_due_at: datetime
    review_state: str
    review_overdue: bool
    response_due_at: datetime | None
    response_breached: bool
    version: int
    closing_code: str | None
    result: str | None

    @classmethod
    def of(cls, view: service.IncidentView) -> IncidentOut:
        return cls(id=view.id, reference=view.reference, contact_id=view.contact_id,
                   grade=view.grade, status=view.status.value,
                   nsir_category=view.nsir_category, opening_code=view.opening_code,
                   qualifiers=list(view.qualifiers), location=view.location,
                   opened_at=view.opened_at, last_assessed_at=view.last_assessed_at,
                   review_due_at=view.review_due_at, review_state=view.review_state.value,
                   review_overdue=view.standing.review_overdue,
                   response_due_at=view.response_due_at,
                   response_breached=view.standing.response_breached,
                   version=view.version, closing_code=view.closing_code,
                   result=view.result)


@router.get("", response_model=list[IncidentOut],
            summary="Open incidents, most urgent grade first, then the soonest review")
def list_incidents(rt: RuntimeDep, actor: Reader, include_finalised: bool = False
                   ) -> list[IncidentOut]:
    incidents = service.list_incidents(rt, actor, open_only=not include_finalised)
    return [IncidentOut.of(i) for i in incidents]


@router.get("/reviews-due", response_model=list[IncidentOut],
            summary="The review-due queue: open incidents whose re-THRIVE time has come")
def reviews_due(rt: RuntimeDep, actor: Reader) -> list[IncidentOut]:
    return [IncidentOut.of(i) for i in service.reviews_due(rt, actor)]


class TimelineEntryOut(BaseModel):
    at: datetime
    kind: str
    summary: str
    actor: str
    detail: dict[str, Any]


@router.get("/{incident_id}/timeline", response_model=list[TimelineEntryOut],
            summary="Everything that happened to an incident, oldest first (audited)")
def incident_timeline(incident_id: RowId, rt: RuntimeDep, actor: Reader) -> list[TimelineEntryOut]:
    found = service.incident_file(rt, actor, incident_id)
    return [TimelineEntryOut(at=e.at, kind=e.kind, summary=e.summary, actor=e.actor_username,
                             detail=e.detail) for e in found.timeline]


@router.get("/{incident_id}", response_model=IncidentOut, summary="One incident")
def get_incident(incident_id: RowId, rt: RuntimeDep, actor: Reader) -> IncidentOut:
    return IncidentOut.of(service.get_incident(rt, actor, incident_id))


class StatusIn(BaseModel):
    status: str = Field(max_length=20, description="open, resourced or at_scene (finalise and "
                                                   "reopen have their own routes)")
    version: int = Field(description="The incident version seen; a stale one is refused (409)")


@router.post("/{incident_id}/status", response_model=IncidentOut,
             summary="Mark an incident resourced, at scene or back to open")
def set_status(incident_id: RowId, body: StatusIn, rt: RuntimeDep,
               actor: Dispatcher) -> IncidentOut:
    return IncidentOut.of(service.set_status(rt, actor, incident_id, parse_status(body.status),
                                             body.version))


class RegradeIn(BaseModel):
    grade: str = Field(max_length=20, description="The grade from now on")
    rationale: str = Field(max_length=2_000, description="Why (always required)")
    version: int = Field(description="The incident version seen; a stale one is refused (409)")


@router.post("/{incident_id}/grade", response_model=IncidentOut,
             summary="A team leader re-prioritises an open incident (new response target)")
def reprioritise(incident_id: RowId, body: RegradeIn, rt: RuntimeDep, actor: Leader
                 ) -> IncidentOut:
    return IncidentOut.of(overview.reprioritise(rt, actor, incident_id, body.grade,
                                                body.rationale, body.version))


units_router = APIRouter(prefix="/api/units", tags=["units"])


class UnitOut(BaseModel):
    id: int
    call_sign: str
    unit_type: str
    skills: list[str]
    sector: str
    shift: str
    status: str
    incident_id: int | None
    incident_reference: str | None
    status_since: datetime

    @classmethod
    def of(cls, unit: resources.UnitView) -> UnitOut:
        return cls(id=unit.id, call_sign=unit.call_sign, unit_type=unit.unit_type,
                   skills=list(unit.skills), sector=unit.sector, shift=unit.shift,
                   status=unit.status.value, incident_id=unit.incident_id,
                   incident_reference=unit.incident_reference, status_since=unit.status_since)


class AssignIn(BaseModel):
    unit_id: int


class UnitStatusIn(BaseModel):
    status: str = Field(max_length=20, description="assigned, en_route, at_scene (a deployed "
                                                   "unit) or available, unavailable")


@units_router.get("", response_model=list[UnitOut], summary="Every unit, by call sign")
def list_units(rt: RuntimeDep, actor: Reader, sector: str | None = None) -> list[UnitOut]:
    return [UnitOut.of(u) for u in resources.list_units(rt, actor, sector)]


@router.post("/{incident_id}/units", response_model=UnitOut, status_code=201,
             summary="Send an available unit; a unit already committed is refused (409)")
def assign(incident_id: RowId, body: AssignIn, rt: RuntimeDep, actor: Dispatcher) -> UnitOut:
    return UnitOut.of(resources.assign(rt, actor, incident_id, body.unit_id))


@units_router.post("/{unit_id}/status", response_model=UnitOut, summary="Move a unit on")
def move_unit(unit_id: RowId, body: UnitStatusIn, rt: RuntimeDep, actor: Dispatcher) -> UnitOut:
    return UnitOut.of(resources.move_unit(rt, actor, unit_id, parse_unit_status(body.status)))


@units_router.post("/{unit_id}/release", response_model=UnitOut,
                   summary="Release a unit from its incident")
def release(unit_id: RowId, rt: RuntimeDep, actor: Dispatcher) -> UnitOut:
    return UnitOut.of(resources.release(rt, actor, unit_id))


class ReassignIn(BaseModel):
    from_incident_id: int
    to_incident_id: int
    reason: str = Field(default="", max_length=2_000)


@units_router.post("/{unit_id}/reassign", response_model=UnitOut,
                   summary="A team leader moves a unit from one incident to another")
def reassign(unit_id: RowId, body: ReassignIn, rt: RuntimeDep, actor: Leader) -> UnitOut:
    return UnitOut.of(resources.reassign(rt, actor, unit_id, body.from_incident_id,
                                         body.to_incident_id, body.reason))
