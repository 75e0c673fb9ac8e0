"""The call handler's THRIVE pages: the contact's file, the assessment, the determination."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from firstcontact.demand.model import parse_version
from firstcontact.platform.model import Actor, Permission, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.risk import policy, service
from firstcontact.risk.model import (
    DETAIL_OPTIONS,
    ELEMENT_OPTIONS,
    ELEMENT_QUESTIONS,
    NDM_STAGES,
    Grade,
    option_label,
    parse_thrive,
    thrive_fields,
)
from firstcontact.web.deps import RowId, get_runtime, require
from firstcontact.web.forms import form_fields
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Assessor = Annotated[Actor, Depends(require(Permission.ASSESSMENT_CREATE))]
Reader = Annotated[Actor, Depends(require(Permission.CONTACT_READ))]
Reviewer = Annotated[Actor, Depends(require(Permission.INCIDENT_REVIEW))]
DETAILS = frozenset(DETAIL_OPTIONS)


def _options(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(value, option_label(value)) for value in values]


@router.get("/contacts/{contact_id:int}", response_class=HTMLResponse)
def contact_file(request: Request, contact_id: RowId, rt: RuntimeDep,
                 actor: Reader) -> HTMLResponse:
    found = service.contact_file(rt, actor, contact_id)
    return render(request, "risk/contact.html", {
        "file": found, "grades": policy.grading().grades, "nsir": policy.nsir(),
        "label": option_label, "ndm_stages": NDM_STAGES,
    })


def _assess_page(request: Request, rt: Runtime, actor: Actor, contact_id: int,
                 values: dict[str, Any], errors: dict[str, str],
                 status_code: int = 200) -> HTMLResponse:
    contact = service.contact_for(rt, actor, contact_id, "THRIVE assessment")
    return render(request, "risk/assess.html", {
        "contact": contact, "values": values, "errors": errors, **_thrive_form(),
    }, status_code=status_code)


def _thrive_form() -> dict[str, Any]:
    """What the THRIVE form partial (risk/_thrive_fields.html) needs."""
    return {
        "elements": [(name, ELEMENT_QUESTIONS[name], _options(options))
                     for name, options in ELEMENT_OPTIONS.items()],
        "details": {name: _options(options) for name, options in DETAIL_OPTIONS.items()},
        "ndm_stages": NDM_STAGES,
    }


@router.get("/contacts/{contact_id:int}/assess", response_class=HTMLResponse)
def assess_form(request: Request, contact_id: RowId, rt: RuntimeDep,
                actor: Assessor) -> HTMLResponse:
    return _assess_page(request, rt, actor, contact_id, {}, {})


@router.post("/contacts/{contact_id:int}/assess", response_model=None)
async def assess(request: Request, contact_id: RowId, rt: RuntimeDep, actor: Assessor) -> Response:
    fields = await form_fields(request, lists=DETAILS)
    try:
        thrive = parse_thrive(fields)
        await run_in_threadpool(service.assess, rt, actor, contact_id, thrive)
    except ValidationError as error:
        return await run_in_threadpool(_assess_page, request, rt, actor, contact_id, fields,
                                       error.errors, 422)
    return RedirectResponse(f"/contacts/{contact_id}/determination", status_code=303)


def _determination_page(request: Request, rt: Runtime, actor: Actor, contact_id: int,
                        values: dict[str, Any], errors: dict[str, str],
                        status_code: int = 200) -> HTMLResponse:
    assessment = service.suggestion_for(rt, actor, contact_id)
    contact = service.contact_for(rt, actor, contact_id, "determination")
    grading = policy.grading()
    chosen = dict(values)
    chosen.setdefault("grade", assessment.suggestion.grade.value)
    return render(request, "risk/determination.html", {
        "contact": contact, "assessment": assessment, "values": chosen, "errors": errors,
        "grades": [(g.value, grading.grades[g].label) for g in Grade],
        "grade_policies": grading.grades, "suggested_label":
            grading.grades[assessment.suggestion.grade].label,
        "nsir": policy.nsir(), "label": option_label,
        "categories": [("", "Select a category")] + [
            (code, category.label) for code, category in policy.nsir().categories.items()],
    }, status_code=status_code)


@router.get("/contacts/{contact_id:int}/determination", response_class=HTMLResponse)
def determination_form(request: Request, contact_id: RowId, rt: RuntimeDep,
                       actor: Assessor) -> HTMLResponse:
    return _determination_page(request, rt, actor, contact_id, {}, {})


@router.post("/contacts/{contact_id:int}/determination", response_model=None)
async def determine(request: Request, contact_id: RowId, rt: RuntimeDep,
                    actor: Assessor) -> Response:
    fields = await form_fields(request, lists=frozenset({"qualifiers"}))
    try:
        await run_in_threadpool(service.determine, rt, actor, contact_id, fields)
    except ValidationError as error:
        return await run_in_threadpool(_determination_page, request, rt, actor, contact_id,
                                       fields, error.errors, 422)
    return RedirectResponse(f"/contacts/{contact_id}", status_code=303)


def _review_page(request: Request, rt: Runtime, actor: Actor, incident_id: int,
                 values: dict[str, Any] | None, errors: dict[str, str],
                 status_code: int = 200) -> HTMLResponse:
    form = service.review_form(rt, actor, incident_id)
    grading = policy.grading()
    if values is None:
        values = {**thrive_fields(form.last.thrive), "grade": form.incident.grade}
    version = values.get("version") or form.incident.version
    return render(request, "risk/review.html", {
        "incident": form.incident, "values": values, "errors": errors, "version": version,
        "grades": [(g.value, grading.grades[g].label) for g in Grade
                   if grading.grades[g].opens_incident], **_thrive_form(),
    }, status_code=status_code)


@router.get("/incidents/{incident_id:int}/review", response_class=HTMLResponse)
def review_form(request: Request, incident_id: RowId, rt: RuntimeDep,
                actor: Reviewer) -> HTMLResponse:
    return _review_page(request, rt, actor, incident_id, None, {})


@router.post("/incidents/{incident_id:int}/review", response_model=None)
async def review(request: Request, incident_id: RowId, rt: RuntimeDep,
                 actor: Reviewer) -> Response:
    fields = await form_fields(request, lists=DETAILS)
    try:
        thrive = parse_thrive(fields)
        await run_in_threadpool(service.reassess, rt, actor, incident_id, thrive, fields,
                                parse_version(fields.get("version")))
    except ValidationError as error:
        return await run_in_threadpool(_review_page, request, rt, actor, incident_id, fields,
                                       error.errors, 422)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


Dispatcher = Annotated[Actor, Depends(require(Permission.INCIDENT_DISPATCH))]


def _closing_page(request: Request, rt: Runtime, actor: Actor, incident_id: int,
                  template: str, values: dict[str, Any], errors: dict[str, str],
                  status_code: int = 200) -> HTMLResponse:
    incident = service.incident_for(rt, actor, incident_id)
    nsir = policy.nsir()
    return render(request, template, {
        "incident": incident, "values": values, "errors": errors, "nsir": nsir,
        "version": values.get("version") or incident.version,
        "results": [("", "Select the result"), *nsir.results.items()],
    }, status_code=status_code)


@router.get("/incidents/{incident_id:int}/finalise", response_class=HTMLResponse)
def finalise_form(request: Request, incident_id: RowId, rt: RuntimeDep,
                  actor: Dispatcher) -> HTMLResponse:
    return _closing_page(request, rt, actor, incident_id, "risk/finalise.html", {}, {})


@router.get("/incidents/{incident_id:int}/reopen", response_class=HTMLResponse)
def reopen_form(request: Request, incident_id: RowId, rt: RuntimeDep,
                actor: Dispatcher) -> HTMLResponse:
    return _closing_page(request, rt, actor, incident_id, "risk/reopen.html", {}, {})


@router.post("/incidents/{incident_id:int}/finalise", response_model=None)
async def finalise(request: Request, incident_id: RowId, rt: RuntimeDep,
                   actor: Dispatcher) -> Response:
    return await _close_or_reopen(request, rt, actor, incident_id, "finalise")


@router.post("/incidents/{incident_id:int}/reopen", response_model=None)
async def reopen(request: Request, incident_id: RowId, rt: RuntimeDep,
                 actor: Dispatcher) -> Response:
    return await _close_or_reopen(request, rt, actor, incident_id, "reopen")


async def _close_or_reopen(request: Request, rt: Runtime, actor: Actor, incident_id: int,
                           action: str) -> Response:
    fields = await form_fields(request)
    use_case = service.finalise if action == "finalise" else service.reopen
    try:
        await run_in_threadpool(use_case, rt, actor, incident_id, fields,
                                parse_version(fields.get("version")))
    except ValidationError as error:
        return await run_in_threadpool(_closing_page, request, rt, actor, incident_id,
                                       f"risk/{action}.html", fields, error.errors, 422)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)
