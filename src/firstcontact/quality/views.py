"""QA pages: the reviewers' page (take samples, the list waiting, the trend chart and table),
one sample with the whole contact read-only and the review form, and the handler's own
feedback with its acknowledgement."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from firstcontact.platform.clock import london
from firstcontact.platform.model import Actor, Permission, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.quality import sampling, service
from firstcontact.quality.model import NOT_APPLICABLE, parse_days
from firstcontact.quality.policy import criteria
from firstcontact.quality.trend import chart
from firstcontact.risk import policy as risk_policy
from firstcontact.risk.model import NDM_STAGES, option_label
from firstcontact.web.deps import ActorDep, RowId, get_runtime, require
from firstcontact.web.forms import form_fields
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reviewer = Annotated[Actor, Depends(require(Permission.QA_REVIEW))]
Handler = Annotated[Actor, Depends(require(Permission.QA_FEEDBACK))]


def _quality_page(request: Request, rt: Runtime, actor: Actor, query: dict[str, Any],
                  errors: dict[str, str], status_code: int = 200) -> HTMLResponse:
    today = london(rt.clock.now()).date()
    try:
        first, last = parse_days(query.get("from"), query.get("to"), today)
    except ValidationError as error:
        errors = {**error.errors, **errors}
        first, last = parse_days(None, None, today)
        status_code = 422
    team = query.get("team") or None
    found = service.trends(rt, actor, first, last, team)
    codes = [c.code for c in criteria()]
    return render(request, "quality/index.html", {
        "samples": service.samples(rt, actor), "trends": found, "first": first,
        "last": last, "team": team, "query": query, "criteria": criteria(),
        "chart": chart({m: s.criteria for m, s in found.by_month.items()}, codes),
        "errors": errors, "sampled": request.query_params.get("sampled")},
        status_code=status_code)


@router.get("/quality", response_class=HTMLResponse)
def quality(request: Request, rt: RuntimeDep, actor: Reviewer) -> HTMLResponse:
    return _quality_page(request, rt, actor, dict(request.query_params), {})


@router.post("/quality/samples", response_model=None)
async def take_samples(request: Request, rt: RuntimeDep, actor: Reviewer) -> Response:
    fields = await form_fields(request)
    today = london(rt.clock.now()).date()
    try:
        first, last = parse_days(fields.get("sample_from"), fields.get("sample_to"), today, 0)
        run = await run_in_threadpool(sampling.take_samples, rt, actor, first, last,
                                      sampling.draw_rng())
    except ValidationError as error:
        named = {f"sample_{k}" if k in ("from", "to") else k: v
                 for k, v in error.errors.items()}
        return await run_in_threadpool(_quality_page, request, rt, actor, {}, named, 422)
    return RedirectResponse(f"/quality?sampled={len(run.taken)}", status_code=303)


def _sample_page(request: Request, rt: Runtime, actor: Actor, sample_id: int,
                 values: dict[str, Any], errors: dict[str, str],
                 status_code: int = 200) -> HTMLResponse:
    sample, found = service.sample_for_review(rt, actor, sample_id)
    return render(request, "quality/sample.html", {
        "sample": sample, "file": found, "contact": found.contact, "criteria": criteria(),
        "values": values, "errors": errors, "not_applicable": NOT_APPLICABLE,
        "grades": risk_policy.grading().grades, "nsir": risk_policy.nsir(),
        "label": option_label, "ndm_stages": NDM_STAGES}, status_code=status_code)


@router.get("/quality/samples/{sample_id:int}", response_class=HTMLResponse)
def show_sample(request: Request, sample_id: RowId, rt: RuntimeDep,
                actor: Reviewer) -> HTMLResponse:
    return _sample_page(request, rt, actor, sample_id, {}, {})


@router.post("/quality/samples/{sample_id:int}/review", response_model=None)
async def submit_review(request: Request, sample_id: RowId, rt: RuntimeDep,
                        actor: Reviewer) -> Response:
    fields = {k: str(v) for k, v in (await form_fields(request)).items()}
    scores = {k.removeprefix("scores."): v for k, v in fields.items() if k.startswith("scores.")}
    notes = {k.removeprefix("notes."): v for k, v in fields.items() if k.startswith("notes.")}
    try:
        done = await run_in_threadpool(service.submit_review, rt, actor, sample_id, scores,
                                       notes, fields.get("summary"))
    except ValidationError as error:
        return await run_in_threadpool(_sample_page, request, rt, actor, sample_id, fields,
                                       error.errors, 422)
    return RedirectResponse(f"/quality/reviews/{done.id}", status_code=303)


@router.get("/quality/reviews", response_class=HTMLResponse)
def my_reviews(request: Request, rt: RuntimeDep, actor: Handler) -> HTMLResponse:
    return render(request, "quality/mine.html",
                  {"reviews": service.reviews(rt, actor, mine=True), "criteria": criteria()})


def _review_page(request: Request, rt: Runtime, actor: Actor, review_id: int,
                 errors: dict[str, str], status_code: int = 200) -> HTMLResponse:
    return render(request, "quality/review.html", {
        "review": service.get_review(rt, actor, review_id), "criteria": criteria(),
        "errors": errors}, status_code=status_code)


@router.get("/quality/reviews/{review_id:int}", response_class=HTMLResponse)
def show_review(request: Request, review_id: RowId, rt: RuntimeDep,
                actor: ActorDep) -> HTMLResponse:
    return _review_page(request, rt, actor, review_id, {})


@router.post("/quality/reviews/{review_id:int}/acknowledge", response_model=None)
async def acknowledge(request: Request, review_id: RowId, rt: RuntimeDep,
                      actor: Handler) -> Response:
    fields = await form_fields(request)
    try:
        await run_in_threadpool(service.acknowledge, rt, actor, review_id, fields.get("comment"))
    except ValidationError as error:
        return await run_in_threadpool(_review_page, request, rt, actor, review_id,
                                       error.errors, 422)
    return RedirectResponse(f"/quality/reviews/{review_id}", status_code=303)
