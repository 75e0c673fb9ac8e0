"""The people room's pages: the caller's history shown above the THRIVE form, the likely
matches offered to staff, and a person's page with merge and unmerge.

Each page calls the same service functions as the JSON API, with the same permissions, so
every read and decision is audited once, there.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from firstcontact.people import caller_history, policy, service
from firstcontact.platform.model import Actor, Conflict, NotFound, Permission, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import RowId, get_runtime, require
from firstcontact.web.forms import form_fields
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reader = Annotated[Actor, Depends(require(Permission.PERSON_READ))]
Merger = Annotated[Actor, Depends(require(Permission.PERSON_MERGE))]
PERSON_PURPOSE = "viewing a person's linked records"


@router.get("/people/contacts/{contact_id:int}/history", response_class=HTMLResponse)
def history(request: Request, contact_id: RowId, rt: RuntimeDep, actor: Reader) -> HTMLResponse:
    """Loaded into the THRIVE page (htmx), or opened on its own without JavaScript."""
    found = caller_history.for_contact(rt, actor, contact_id)
    return render(request, "people/_history.html", {
        "history": found, "contact_id": contact_id, "rules": policy.repeat(),
        "fragment": request.headers.get("HX-Request") == "true"})


@router.get("/people/offers", response_class=HTMLResponse)
def offers(request: Request, rt: RuntimeDep, actor: Reader) -> HTMLResponse:
    """Likely matches in the offered band, each with its score and what agreed."""
    return render(request, "people/offers.html", {"offers": service.open_offers(rt, actor)})


@router.post("/people/offers/{offer_id:int}/{decision}", response_model=None)
async def decide(request: Request, offer_id: RowId, decision: str, rt: RuntimeDep,
                 actor: Merger) -> Response:
    if decision not in ("confirm", "reject"):
        raise NotFound(f"decision {decision}")
    await run_in_threadpool(service.decide_offer, rt, actor, offer_id, decision == "confirm")
    return RedirectResponse(f"/people/offers?decided={offer_id}", status_code=303)


def _person_page(request: Request, rt: Runtime, actor: Actor, person_id: int,
                 errors: dict[str, str], values: dict[str, str | list[str]],
                 status_code: int = 200) -> HTMLResponse:
    person = service.get_person(rt, actor, person_id, PERSON_PURPOSE)
    return render(request, "people/person.html", {
        "person": person, "errors": errors, "values": values}, status_code=status_code)


@router.get("/people/{person_id:int}", response_class=HTMLResponse)
def person(request: Request, person_id: RowId, rt: RuntimeDep, actor: Reader) -> HTMLResponse:
    return _person_page(request, rt, actor, person_id, {}, {})


def other_person(raw: str | list[str] | None) -> int:
    """The person number typed into the merge form."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text.isdigit():
        raise ValidationError("merge_person_id", "Enter the other person's number, like 12")
    return int(text)


def _merge(rt: Runtime, actor: Actor, person_id: int,
           fields: dict[str, str | list[str]]) -> None:
    reason = fields.get("reason")
    try:
        service.merge(rt, actor, person_id, other_person(fields.get("merge_person_id")),
                      reason if isinstance(reason, str) else "")
    except NotFound:
        raise ValidationError("merge_person_id", "There is no person with this number") from None
    except Conflict as clash:
        raise ValidationError("merge_person_id", str(clash).capitalize()) from None


@router.post("/people/{person_id:int}/merges", response_model=None)
async def merge(request: Request, person_id: RowId, rt: RuntimeDep, actor: Merger) -> Response:
    """Merge another person into this one (this one is kept)."""
    fields = await form_fields(request)
    try:
        await run_in_threadpool(_merge, rt, actor, person_id, fields)
    except ValidationError as error:
        return await run_in_threadpool(_person_page, request, rt, actor, person_id,
                                       error.errors, fields, 422)
    return RedirectResponse(f"/people/{person_id}", status_code=303)


@router.post("/people/{person_id:int}/unmerge", response_model=None)
async def unmerge(request: Request, person_id: RowId, rt: RuntimeDep, actor: Merger) -> Response:
    """Undo the merge that folded this person into another: their records come back."""
    fields = await form_fields(request)
    reason = fields.get("unmerge_reason")
    try:
        await run_in_threadpool(service.unmerge, rt, actor, person_id,
                                reason if isinstance(reason, str) else "")
    except ValidationError as error:
        # One form on the page answers for both of the service's fields.
        errors = {"unmerge_reason": error.message}
        return await run_in_threadpool(_person_page, request, rt, actor, person_id, errors,
                                       fields, 422)
    return RedirectResponse(f"/people/{person_id}", status_code=303)
