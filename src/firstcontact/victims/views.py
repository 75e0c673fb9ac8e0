"""Victim-care pages: the queue, one victim's record and entitlements, and the compliance page
with its drill-down and CSV export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from firstcontact.platform.model import Actor, Permission, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.victims import performance, service
from firstcontact.victims.compliance import (
    MOJ_MEASURES,
    SPLITS,
    parse_measure,
    parse_period,
    parse_split,
)
from firstcontact.victims.details import parse_details, parse_new_victim
from firstcontact.victims.model import ContactPreference, Method, parse_outcome
from firstcontact.victims.policy import victims_policy
from firstcontact.victims.trend import trend
from firstcontact.web.deps import RowId, get_runtime, require
from firstcontact.web.forms import form_fields
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reader = Annotated[Actor, Depends(require(Permission.VICTIM_READ))]
Updater = Annotated[Actor, Depends(require(Permission.VICTIM_UPDATE))]
Analyst = Annotated[Actor, Depends(require(Permission.VICTIM_COMPLIANCE))]


@router.get("/victims", response_class=HTMLResponse)
def victim_queue(request: Request, rt: RuntimeDep, actor: Reader) -> HTMLResponse:
    return render(request, "victims/queue.html", {"items": service.queue(rt, actor)})


def _choices() -> dict[str, Any]:
    """The radio options the victim forms share."""
    return {"preferences": [(p.value, p.value.capitalize()) for p in ContactPreference],
            "consents": [("", "Not asked yet"), ("yes", "Yes"), ("no", "No")]}


def _victim_page(request: Request, rt: Runtime, actor: Actor, victim_id: int,
                 values: dict[str, Any], errors: dict[str, str],
                 status_code: int = 200) -> HTMLResponse:
    victim = service.get_victim(rt, actor, victim_id)
    policy = victims_policy()
    return render(request, "victims/victim.html", {
        "victim": victim, "values": values or victim.__dict__, "errors": errors,
        "reasons": policy.reasons, **_choices(), "parties": policy.parties,
        "methods": [(m.value, m.value.replace("_", " ").capitalize()) for m in Method],
    }, status_code=status_code)


@router.get("/victims/{victim_id:int}", response_class=HTMLResponse)
def show_victim(request: Request, victim_id: RowId, rt: RuntimeDep,
                actor: Reader) -> HTMLResponse:
    return _victim_page(request, rt, actor, victim_id, {}, {})


@router.post("/victims/{victim_id:int}/details", response_model=None)
async def update_details(request: Request, victim_id: RowId, rt: RuntimeDep,
                         actor: Updater) -> Response:
    fields = await form_fields(request)
    try:
        details = parse_details({k: str(v) for k, v in fields.items()})
        await run_in_threadpool(service.update_details, rt, actor, victim_id, details)
    except ValidationError as error:
        return await run_in_threadpool(_victim_page, request, rt, actor, victim_id, fields,
                                       error.errors, 422)
    return RedirectResponse(f"/victims/{victim_id}", status_code=303)


@router.post("/victims/{victim_id:int}/entitlements/{entitlement_id:int}", response_model=None)
async def record_outcome(request: Request, victim_id: RowId, entitlement_id: RowId,
                         rt: RuntimeDep, actor: Updater) -> Response:
    fields = await form_fields(request)
    try:
        outcome = parse_outcome({k: str(v) for k, v in fields.items()})
        await run_in_threadpool(service.record_outcome, rt, actor, victim_id, entitlement_id,
                                outcome)
    except ValidationError as error:
        return await run_in_threadpool(_victim_page, request, rt, actor, victim_id, {},
                                       error.errors, 422)
    return RedirectResponse(f"/victims/{victim_id}", status_code=303)


@router.get("/victims/crimes", response_model=None)
def find_crime(request: Request, rt: RuntimeDep, actor: Reader) -> Response:
    """Find a recorded crime by its reference, to see or add its victims."""
    reference = request.query_params.get("reference", "")[:32]
    contact_id = service.crime_for_reference(rt, actor, reference) if reference else None
    if contact_id is None:
        return render(request, "victims/queue.html", {
            "items": service.queue(rt, actor), "reference": reference,
            "errors": {"reference": "No crime has been recorded with that reference"}},
            status_code=404)
    return RedirectResponse(f"/victims/crimes/{contact_id}", status_code=303)


def _crime_page(request: Request, rt: Runtime, actor: Actor, contact_id: int,
                values: dict[str, Any], errors: dict[str, str],
                status_code: int = 200) -> HTMLResponse:
    return render(request, "victims/crime.html", {
        "crime": service.crime_victims(rt, actor, contact_id), "values": values,
        "errors": errors, **_choices(), "parties": victims_policy().parties,
        "party_options": [(p.code, p.label) for p in victims_policy().parties.values()]},
        status_code=status_code)


@router.get("/victims/crimes/{contact_id:int}", response_class=HTMLResponse)
def show_crime(request: Request, contact_id: RowId, rt: RuntimeDep,
               actor: Reader) -> HTMLResponse:
    return _crime_page(request, rt, actor, contact_id, {}, {})


@router.post("/victims/crimes/{contact_id:int}", response_model=None)
async def add_victim(request: Request, contact_id: RowId, rt: RuntimeDep,
                     actor: Updater) -> Response:
    fields = await form_fields(request)
    try:
        victim = parse_new_victim({k: str(v) for k, v in fields.items()}, victims_policy())
        added = await run_in_threadpool(service.add_victim, rt, actor, contact_id, victim)
    except ValidationError as error:
        return await run_in_threadpool(_crime_page, request, rt, actor, contact_id, fields,
                                       error.errors, 422)
    return RedirectResponse(f"/victims/{added.id}", status_code=303)


def _query(request: Request) -> dict[str, str | None]:
    return {k: request.query_params.get(k) for k in ("from", "to", "split", "entitlement",
                                                     "value", "measure")}


@router.get("/victims/compliance", response_class=HTMLResponse)
def compliance(request: Request, rt: RuntimeDep, actor: Analyst) -> HTMLResponse:
    query = _query(request)
    today = rt.clock.now().astimezone(victims_policy().timezone).date()
    try:
        period, split = parse_period(query, today), parse_split(query["split"])
    except ValidationError as error:
        return render(request, "victims/compliance.html", {
            "figures": [], "errors": error.errors, "query": query, "splits": SPLITS},
            status_code=422)
    figures = performance.performance(rt, actor, period, split)
    titles = {e.code: e.title for e in victims_policy().entitlements}
    return render(request, "victims/compliance.html", {
        "figures": figures, "period": period, "split": split, "splits": SPLITS,
        "titles": titles, "moj": MOJ_MEASURES, "query": query,
        "moj_figures": [f for f in performance.performance(rt, actor, period, "all")
                        if f.code in MOJ_MEASURES],
        "trend": trend(performance.performance(rt, actor, period, "month"))})


@router.get("/victims/compliance.csv", response_model=None)
def compliance_csv(request: Request, rt: RuntimeDep, actor: Analyst) -> Response:
    query = _query(request)
    today = rt.clock.now().astimezone(victims_policy().timezone).date()
    period, split = parse_period(query, today), parse_split(query["split"])
    return Response(performance.performance_csv(rt, actor, period, split),
                    media_type="text/csv; charset=utf-8", headers={
                        "Content-Disposition":
                            f'attachment; filename="victims-code-{period.first}.csv"'})


@router.get("/victims/compliance/behind", response_class=HTMLResponse)
def behind(request: Request, rt: RuntimeDep, actor: Reader) -> HTMLResponse:
    query = _query(request)
    today = rt.clock.now().astimezone(victims_policy().timezone).date()
    period, split = parse_period(query, today), parse_split(query["split"])
    measure = parse_measure(query["measure"])
    victims = performance.drill_down(rt, actor, period, query["entitlement"] or "", split,
                                     query["value"] or "all", measure)
    return render(request, "victims/behind.html", {"victims": victims, "query": query,
                                                   "period": period})


@router.get("/victims/{victim_id:int}/letter", response_class=HTMLResponse)
def letter(request: Request, victim_id: RowId, rt: RuntimeDep, actor: Reader) -> HTMLResponse:
    """The written acknowledgement as a page to print and post."""
    return render(request, "victims/letter.html",
                  {"letter": service.acknowledgement_letter(rt, actor, victim_id)})


@router.get("/victims/{victim_id:int}/letter.pdf", response_model=None)
def letter_pdf(victim_id: RowId, rt: RuntimeDep, actor: Reader) -> Response:
    """The written acknowledgement as a PDF letter, to print and post."""
    pdf = service.acknowledgement_letter_pdf(rt, actor, victim_id)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="acknowledgement-{victim_id}.pdf"'})


@router.post("/victims/{victim_id:int}/letter", response_model=None)
def letter_posted(request: Request, victim_id: RowId, rt: RuntimeDep, actor: Updater) -> Response:
    service.record_letter_posted(rt, actor, victim_id)
    return RedirectResponse(f"/victims/{victim_id}", status_code=303)
