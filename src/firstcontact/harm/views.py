"""Hidden-harm prompts on the contact and the THRIVE form: see the evidence and the suggested
action, then confirm or dismiss (with a reason) each prompt.

The contact page and the THRIVE form (risk room) load the prompts into a slot with htmx
(`harm/_slot.html`); without JavaScript the slot is a link to the full page here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from firstcontact.harm import service
from firstcontact.platform.model import Actor, Permission, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import RowId, get_runtime, require
from firstcontact.web.forms import form_fields
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reader = Annotated[Actor, Depends(require(Permission.CONTACT_READ))]
Decider = Annotated[Actor, Depends(require(Permission.HARM_DECIDE))]


def _page(request: Request, rt: Runtime, actor: Actor, contact_id: int, *,
          errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
          status_code: int = 200) -> HTMLResponse:
    findings = service.findings_for(rt, actor, contact_id)
    fragment = request.headers.get("HX-Request") == "true"
    back = _next_path(contact_id, request.query_params.get("next"))
    summary = fragment and request.query_params.get("summary") == "1"
    return render(request, "harm/_prompts.html" if fragment else "harm/findings.html", {
        "contact_id": contact_id, "findings": findings, "errors": errors or {},
        "values": values or {}, "next": back, "summary": summary,
    }, status_code=status_code)


def _next_path(contact_id: int, wanted: object) -> str:
    """Where to go after a decision: back to a page of this contact only (no open redirect)."""
    home = f"/contacts/{contact_id}"
    if isinstance(wanted, str) and (wanted == home or wanted.startswith(home + "/")):
        return wanted
    return home


@router.get("/contacts/{contact_id:int}/harms", response_class=HTMLResponse)
def prompts(request: Request, contact_id: RowId, rt: RuntimeDep, actor: Reader) -> HTMLResponse:
    return _page(request, rt, actor, contact_id)


@router.post("/contacts/{contact_id:int}/harms/{finding_id:int}", response_model=None)
async def decide(request: Request, contact_id: RowId, finding_id: RowId, rt: RuntimeDep,
                 actor: Decider) -> Response:
    fields = await form_fields(request)
    decision = str(fields.get("decision", ""))
    reason = str(fields.get(f"reason-{finding_id}", ""))
    try:
        found = await run_in_threadpool(service.decide, rt, actor, finding_id, decision, reason,
                                        contact_id)
    except ValidationError as error:
        errors = {f"{key}-{finding_id}": message for key, message in error.errors.items()}
        return await run_in_threadpool(lambda: _page(
            request, rt, actor, contact_id, errors=errors,
            values={f"reason-{finding_id}": reason}, status_code=422))
    back = _next_path(contact_id, fields.get("next"))
    return RedirectResponse(f"{back}#harm-{found.id}", status_code=303)
