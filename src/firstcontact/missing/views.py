"""Missing-person pages: the supervisor's list (reviews due, return interviews owed), taking a
report from a person or contact, and one report with its risk decisions, review, found and
return home interview forms. Each calls the same service as the JSON API, audited there."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from firstcontact.missing import service
from firstcontact.missing.model import Outcome, RiskLevel
from firstcontact.missing.policy import missing_policy
from firstcontact.platform.clock import LONDON
from firstcontact.platform.model import Actor, Permission, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.web.deps import RowId, get_runtime, require
from firstcontact.web.forms import form_fields
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reporter = Annotated[Actor, Depends(require(Permission.MISSING_REPORT))]
Reviewer = Annotated[Actor, Depends(require(Permission.MISSING_REVIEW))]
Fields = dict[str, str | list[str]]

LEVELS = {RiskLevel.HIGH: "High", RiskLevel.MEDIUM: "Medium", RiskLevel.LOW: "Low",
          RiskLevel.NO_APPARENT_RISK: "No apparent risk"}
NUMBERS = ("person_id", "contact_id", "age", "local_authority_agency_id")
TIMES = ("last_seen_at", "found_at", "held_at")


def local_moment(value: str) -> str:
    """A time typed on a page (datetime-local: no zone) read as UK time, for the service's
    ISO 8601 check; anything unreadable is passed on for the service to name the field."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=LONDON)).isoformat()


def service_fields(form: Fields) -> dict[str, Any]:
    """The form as the service reads the JSON body: numbers as ints, ticks as booleans."""
    fields: dict[str, Any] = dict(form)
    for name in NUMBERS:
        raw = str(form.get(name, "")).strip()
        fields[name] = int(raw) if raw.isdigit() else (raw or None)
    for name in TIMES:
        if isinstance(form.get(name), str):
            fields[name] = local_moment(str(form[name]))
    fields["dementia"] = form.get("dementia") == "yes"
    fields["child_in_care"] = form.get("child_in_care") == "yes"
    return fields


def labels() -> dict[str, Any]:
    """The choices every missing-person page offers, in the control room's words."""
    policy = missing_policy()
    return {
        "levels": [(level.value, text) for level, text in LEVELS.items()],
        "level_names": {level.value: text for level, text in LEVELS.items()},
        "factors": [(name, name.replace("_", " ").capitalize()) for name in policy.factors],
        "factor_levels": {name: LEVELS[level] for name, level in policy.factors.items()},
        "outcomes": [(o.value, o.value.replace("_", " ").capitalize()) for o in Outcome],
    }


@router.get("/missing", response_class=HTMLResponse)
def missing_list(request: Request, rt: RuntimeDep, actor: Reporter) -> HTMLResponse:
    return render(request, "missing/list.html", {
        "reports": service.open_reports(rt, actor), "now": rt.clock.now(), **labels()})


def _new_page(request: Request, rt: Runtime, actor: Actor, values: Fields,
              errors: dict[str, str], status_code: int = 200) -> HTMLResponse:
    return render(request, "missing/new.html", {
        "values": values, "errors": errors, **labels(),
        "authorities": [("", "Choose the local authority")] + [
            (str(i), name) for i, name in service.local_authorities(rt, actor)]},
        status_code=status_code)


@router.get("/missing/new", response_class=HTMLResponse)
def new_report(request: Request, rt: RuntimeDep, actor: Reporter) -> HTMLResponse:
    """Opened from a person's page or a contact (?person_id=&contact_id=)."""
    values: Fields = {k: v for k, v in request.query_params.items()
                      if k in ("person_id", "contact_id")}
    return _new_page(request, rt, actor, values, {})


@router.post("/missing", response_model=None)
async def take_report(request: Request, rt: RuntimeDep, actor: Reporter) -> Response:
    form = await form_fields(request, lists=frozenset({"risk_factors"}))
    try:
        made = await run_in_threadpool(service.report, rt, actor, service_fields(form))
    except ValidationError as error:
        return await run_in_threadpool(_new_page, request, rt, actor, form, error.errors, 422)
    return RedirectResponse(f"/missing/{made.row.id}", status_code=303)


def _report_page(request: Request, rt: Runtime, actor: Actor, report_id: int,
                 values: Fields, errors: dict[str, str],
                 status_code: int = 200) -> HTMLResponse:
    return render(request, "missing/report.html", {
        "report": service.get_report(rt, actor, report_id), "values": values,
        "errors": errors, **labels()}, status_code=status_code)


@router.get("/missing/{report_id:int}", response_class=HTMLResponse)
def show_report(request: Request, report_id: RowId, rt: RuntimeDep,
                actor: Reporter) -> HTMLResponse:
    return _report_page(request, rt, actor, report_id, {}, {})


async def _change(request: Request, rt: Runtime, actor: Actor, report_id: int,
                  change: Callable[[Runtime, Actor, int, Mapping[str, Any]],
                                   service.ReportView]) -> Response:
    """Post one of the report page's forms to its service use case; errors come back on the
    report page, named by field."""
    form = await form_fields(request)
    try:
        await run_in_threadpool(change, rt, actor, report_id, service_fields(form))
    except ValidationError as error:
        return await run_in_threadpool(_report_page, request, rt, actor, report_id, form,
                                       error.errors, 422)
    return RedirectResponse(f"/missing/{report_id}", status_code=303)


@router.post("/missing/{report_id:int}/reviews", response_model=None)
async def review(request: Request, report_id: RowId, rt: RuntimeDep,
                 actor: Reviewer) -> Response:
    return await _change(request, rt, actor, report_id, service.review)


@router.post("/missing/{report_id:int}/found", response_model=None)
async def found(request: Request, report_id: RowId, rt: RuntimeDep,
                actor: Reporter) -> Response:
    return await _change(request, rt, actor, report_id, service.found)


@router.post("/missing/{report_id:int}/return-interview", response_model=None)
async def return_interview(request: Request, report_id: RowId, rt: RuntimeDep,
                           actor: Reporter) -> Response:
    return await _change(request, rt, actor, report_id, service.return_interview_held)
