"""Incident pages: the list of open incidents with their review deadlines, and one incident."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from firstcontact.demand import service
from firstcontact.demand.model import parse_status, parse_version
from firstcontact.platform.model import Actor, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import get_runtime, require
from firstcontact.web.forms import form_fields
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reader = Annotated[Actor, Depends(require(Permission.INCIDENT_READ))]
Dispatcher = Annotated[Actor, Depends(require(Permission.INCIDENT_DISPATCH))]


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
def show_incident(request: Request, incident_id: int, rt: RuntimeDep,
                  actor: Reader) -> HTMLResponse:
    found = service.incident_file(rt, actor, incident_id)
    return render(request, "demand/incident.html", {"incident": found.incident,
                                                    "timeline": found.timeline})


@router.post("/incidents/{incident_id:int}/status")
async def set_status(request: Request, incident_id: int, rt: RuntimeDep,
                     actor: Dispatcher) -> RedirectResponse:
    fields = await form_fields(request)
    status = parse_status(str(fields.get("status", "")))
    await run_in_threadpool(service.set_status, rt, actor, incident_id, status,
                            parse_version(fields.get("version")))
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)
