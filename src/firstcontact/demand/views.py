"""Incident pages: the list of open incidents with their review deadlines, and one incident."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse

from firstcontact.demand import overview, policy, queues, resources, service
from firstcontact.demand.model import parse_status, parse_unit_status, parse_version
from firstcontact.platform.model import Actor, Permission, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.risk.model import Grade
from firstcontact.web.deps import RowId, get_runtime, require
from firstcontact.web.forms import form_fields
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reader = Annotated[Actor, Depends(require(Permission.INCIDENT_READ))]
Dispatcher = Annotated[Actor, Depends(require(Permission.INCIDENT_DISPATCH))]
Leader = Annotated[Actor, Depends(require(Permission.DEMAND_OVERSEE))]


@router.get("/incidents", response_class=HTMLResponse)
def list_incidents(request: Request, rt: RuntimeDep, actor: Reader) -> HTMLResponse:
    incidents = service.list_incidents(rt, actor)
    return render(request, "demand/incidents.html", {"incidents": incidents,
                                                     "now": rt.clock.now()})


@router.get("/incidents/reviews", response_class=HTMLResponse)
def reviews_due(request: Request, rt: RuntimeDep, actor: Reader) -> HTMLResponse:
    incidents = service.reviews_due(rt, actor)
    return render(request, "demand/reviews.html", {"incidents": incidents,
                                                   "now": rt.clock.now()})


@router.get("/incidents/{incident_id:int}", response_class=HTMLResponse)
def show_incident(request: Request, incident_id: RowId, rt: RuntimeDep,
                  actor: Reader) -> HTMLResponse:
    board = resources.incident_board(rt, actor, incident_id)
    others = ([i for i in service.list_incidents(rt, actor) if i.id != incident_id]
              if actor.may(Permission.DEMAND_OVERSEE) and board.assigned else [])
    return render(request, "demand/incident.html", {
        "incident": board.file.incident, "timeline": board.file.timeline,
        "assigned": board.assigned, "available": board.available, "others": others,
        "grades": [g.value for g in Grade]})


@router.post("/incidents/{incident_id:int}/status")
async def set_status(request: Request, incident_id: RowId, rt: RuntimeDep,
                     actor: Dispatcher) -> RedirectResponse:
    fields = await form_fields(request)
    status = parse_status(str(fields.get("status", "")))
    await run_in_threadpool(service.set_status, rt, actor, incident_id, status,
                            parse_version(fields.get("version")))
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.get("/units", response_class=HTMLResponse)
def units(request: Request, rt: RuntimeDep, actor: Reader) -> HTMLResponse:
    return render(request, "demand/units.html", {"units": resources.list_units(rt, actor)})


@router.post("/incidents/{incident_id:int}/units")
async def assign(request: Request, incident_id: RowId, rt: RuntimeDep,
                 actor: Dispatcher) -> RedirectResponse:
    fields = await form_fields(request)
    raw = str(fields.get("unit_id", ""))
    if not raw.isdigit():
        raise ValidationError("unit_id", "Select a unit to send")
    await run_in_threadpool(resources.assign, rt, actor, incident_id, int(raw))
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/units/{unit_id:int}/status")
async def move_unit(request: Request, unit_id: RowId, rt: RuntimeDep,
                    actor: Dispatcher) -> RedirectResponse:
    fields = await form_fields(request)
    unit = await run_in_threadpool(resources.move_unit, rt, actor, unit_id,
                                   parse_unit_status(str(fields.get("status", ""))))
    return RedirectResponse(_back(unit), status_code=303)


@router.post("/units/{unit_id:int}/release")
async def release(request: Request, unit_id: RowId, rt: RuntimeDep,
                  actor: Dispatcher) -> RedirectResponse:
    fields = await form_fields(request)
    await run_in_threadpool(resources.release, rt, actor, unit_id)
    came_from = str(fields.get("incident_id", ""))
    return RedirectResponse(f"/incidents/{came_from}" if came_from.isdigit() else "/units",
                            status_code=303)


def _back(unit: resources.UnitView) -> str:
    return f"/incidents/{unit.incident_id}" if unit.incident_id else "/units"


def _queue(request: Request, rt: Runtime, actor: Actor, template: str) -> HTMLResponse:
    chosen = queues.parse_filter(dict(request.query_params))
    return render(request, template, {
        "incidents": queues.dispatcher_queue(rt, actor, chosen), "chosen": chosen,
        "sectors": [("", "All sectors")] + [(s.code, s.label)
                                            for s in policy.resources().sectors],
        "grades": [("", "All grades")] + [(g.value, g.value.replace("_", " ").capitalize())
                                          for g in Grade],
    })


@router.get("/demand/queue", response_class=HTMLResponse)
def dispatcher_queue(request: Request, rt: RuntimeDep, actor: Reader) -> HTMLResponse:
    return _queue(request, rt, actor, "demand/queue.html")


@router.get("/demand/queue/fragment", response_class=HTMLResponse)
def dispatcher_queue_fragment(request: Request, rt: RuntimeDep, actor: Reader) -> HTMLResponse:
    """The queue table alone: what demand-queue.js fetches when the stream says "change"."""
    return _queue(request, rt, actor, "demand/_queue.html")


@router.get("/demand/stream")
async def stream(request: Request, rt: RuntimeDep, actor: Reader) -> StreamingResponse:
    """Server-sent events for every incident and unit change, from any worker."""
    return StreamingResponse(queues.changes(rt, request.is_disconnected),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/demand/overview", response_class=HTMLResponse)
def team_leader(request: Request, rt: RuntimeDep, actor: Leader) -> HTMLResponse:
    return render(request, "demand/overview.html", {"board": overview.overview(rt, actor)})


@router.post("/incidents/{incident_id:int}/leader")
async def leader_action(request: Request, incident_id: RowId, rt: RuntimeDep,
                        actor: Leader) -> RedirectResponse:
    fields = await form_fields(request)
    await run_in_threadpool(overview.act_on, rt, actor, incident_id,
                            str(fields.get("action", "")), str(fields.get("text", "")))
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/incidents/{incident_id:int}/grade")
async def reprioritise(request: Request, incident_id: RowId, rt: RuntimeDep,
                       actor: Leader) -> RedirectResponse:
    fields = await form_fields(request)
    await run_in_threadpool(overview.reprioritise, rt, actor, incident_id,
                            str(fields.get("grade", "")), str(fields.get("rationale", "")),
                            parse_version(fields.get("version")))
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/incidents/{incident_id:int}/units/{unit_id:int}/reassign")
async def reassign(request: Request, incident_id: RowId, unit_id: RowId, rt: RuntimeDep,
                   actor: Leader) -> RedirectResponse:
    fields = await form_fields(request)
    target = str(fields.get("to_incident_id", ""))
    if not target.isdigit():
        raise ValidationError("to_incident_id", "Choose the incident to send the unit to")
    await run_in_threadpool(resources.reassign, rt, actor, unit_id, incident_id, int(target),
                            str(fields.get("reason", "")))
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)
