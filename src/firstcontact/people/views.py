"""The people room's page fragments: the caller's history shown above the THRIVE form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from firstcontact.people import caller_history, policy
from firstcontact.platform.model import Actor, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import get_runtime, require
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reader = Annotated[Actor, Depends(require(Permission.PERSON_READ))]


@router.get("/people/contacts/{contact_id:int}/history", response_class=HTMLResponse)
def history(request: Request, contact_id: int, rt: RuntimeDep, actor: Reader) -> HTMLResponse:
    """Loaded into the THRIVE page (htmx), or opened on its own without JavaScript."""
    found = caller_history.for_contact(rt, actor, contact_id)
    return render(request, "people/_history.html", {
        "history": found, "contact_id": contact_id, "rules": policy.repeat(),
        "fragment": request.headers.get("HX-Request") == "true"})
