"""Partner-agency referral pages: make a referral from a person's page (checking the minimised
extract before it is sent), and the referrals list with status changes. A partner-agency user
sees the same list holding only their own agency's referrals (people.referrals filters it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from firstcontact.people import policy, referrals
from firstcontact.people.partners import ReferralStatus, parse_referral
from firstcontact.platform.model import Actor, FieldErrors, Permission, Role, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import RowId, get_runtime, require
from firstcontact.web.forms import form_fields
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Referrer = Annotated[Actor, Depends(require(Permission.REFERRAL_CREATE))]
ReferralReader = Annotated[Actor, Depends(require(Permission.REFERRAL_READ))]
Fields = dict[str, str | list[str]]


def _text(fields: Fields, name: str) -> str:
    value = fields.get(name)
    return value if isinstance(value, str) else ""


def _new_page(request: Request, rt: Runtime, actor: Actor, person_id: int, values: Fields,
              errors: dict[str, str], status_code: int = 200) -> HTMLResponse:
    agencies = policy.agencies()
    return render(request, "people/referral_new.html", {
        "person_id": person_id, "values": values, "errors": errors,
        "agencies": [("", "Choose an agency")] + [
            (str(i), f"{name} ({agencies.types[kind].label})")
            for i, name, kind in referrals.agencies_for(rt, actor, person_id)],
        "bases": list(agencies.lawful_bases.items())}, status_code=status_code)


@router.get("/people/{person_id:int}/referrals/new", response_class=HTMLResponse)
def new_referral(request: Request, person_id: RowId, rt: RuntimeDep,
                 actor: Referrer) -> HTMLResponse:
    return _new_page(request, rt, actor, person_id, {}, {})


def _checked(rt: Runtime, actor: Actor, person_id: int,
             fields: Fields) -> tuple[str, dict[str, str]]:
    """Every field's error at once; then the agency and exactly the extract it would get."""
    errors = FieldErrors()
    agency = _text(fields, "agency_id").strip()
    if not agency.isdigit():
        errors.errors["agency_id"] = "Select a partner agency from the directory"
    errors.check(lambda: parse_referral({k: _text(fields, k) for k in (
        "reason", "lawful_basis")}, policy.agencies()))
    errors.raise_any()
    return referrals.preview(rt, actor, person_id, int(agency))


@router.post("/people/{person_id:int}/referrals/check", response_model=None)
async def check_referral(request: Request, person_id: RowId, rt: RuntimeDep,
                         actor: Referrer) -> Response:
    """Show what would leave the force before anything does."""
    fields = await form_fields(request)
    try:
        name, extract = await run_in_threadpool(_checked, rt, actor, person_id, fields)
    except ValidationError as error:
        return await run_in_threadpool(_new_page, request, rt, actor, person_id, fields,
                                       error.errors, 422)
    return render(request, "people/referral_check.html", {
        "person_id": person_id, "values": fields, "agency_name": name, "extract": extract,
        "basis": policy.agencies().lawful_bases.get(_text(fields, "lawful_basis"), "")})


@router.post("/people/{person_id:int}/referrals", response_model=None)
async def send_referral(request: Request, person_id: RowId, rt: RuntimeDep,
                        actor: Referrer) -> Response:
    fields = await form_fields(request)
    try:
        await run_in_threadpool(_checked, rt, actor, person_id, fields)
        sent = await run_in_threadpool(referrals.refer, rt, actor, person_id, int(_text(
            fields, "agency_id")), {k: _text(fields, k) for k in ("reason", "lawful_basis")})
    except ValidationError as error:
        return await run_in_threadpool(_new_page, request, rt, actor, person_id, fields,
                                       error.errors, 422)
    return RedirectResponse(f"/referrals?sent={sent.id}#referral-{sent.id}", status_code=303)


def _list_page(request: Request, rt: Runtime, actor: Actor, errors: dict[str, str],
               status_code: int = 200) -> HTMLResponse:
    return render(request, "people/referrals.html", {
        "referrals": referrals.list_referrals(rt, actor), "errors": errors,
        "partner": actor.role is Role.PARTNER_AGENCY,
        "statuses": [(s.value, s.value.capitalize()) for s in ReferralStatus],
        "bases": policy.agencies().lawful_bases}, status_code=status_code)


@router.get("/referrals", response_class=HTMLResponse)
def referral_list(request: Request, rt: RuntimeDep, actor: ReferralReader) -> HTMLResponse:
    """Force staff: every referral. A partner-agency user: only their agency's."""
    return _list_page(request, rt, actor, {})


@router.post("/referrals/{referral_id:int}/status", response_model=None)
async def referral_status(request: Request, referral_id: RowId, rt: RuntimeDep,
                          actor: ReferralReader) -> Response:
    fields = await form_fields(request)
    try:
        await run_in_threadpool(referrals.set_status, rt, actor, referral_id,
                                _text(fields, "status"))
    except ValidationError as error:
        return await run_in_threadpool(_list_page, request, rt, actor, {
            f"status-{referral_id}": error.message}, 422)
    return RedirectResponse(f"/referrals#referral-{referral_id}", status_code=303)
