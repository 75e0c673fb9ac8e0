"""The digital desk's page: one queue across the digital channels, danger first, breaches shown."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from firstcontact.contacts import desk
from firstcontact.platform.model import Actor, Permission
from firstcontact.web.deps import RuntimeDep, require
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)
DeskWorker = Annotated[Actor, Depends(require(Permission.DESK_WORK))]


@router.get("/desk", response_class=HTMLResponse)
def desk_queue(request: Request, rt: RuntimeDep, actor: DeskWorker) -> HTMLResponse:
    entries = desk.queue(rt, actor)
    targets = sorted(desk.policy().reply_targets.items(), key=lambda item: item[1])
    return render(request, "contacts/desk.html", {
        "entries": entries, "now": rt.clock.now(), "targets": targets})


@router.post("/desk/{contact_id:int}/replied", response_model=None)
async def mark_replied(contact_id: int, rt: RuntimeDep, actor: DeskWorker) -> Response:
    await run_in_threadpool(desk.mark_replied, rt, actor, contact_id)
    return RedirectResponse("/desk", status_code=303)
