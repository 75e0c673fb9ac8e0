"""The service report on screen (charts drawn as SVG, every figure also in a table), and its
PDF and CSV downloads. Team leaders, QA reviewers and admins (SERVICE_REPORT)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from firstcontact.platform.clock import london
from firstcontact.platform.model import Actor, Permission, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.quality import report_service
from firstcontact.quality.report import ServiceReport, Window, report_csv
from firstcontact.quality.report_pdf import report_pdf
from firstcontact.victims.compliance import parse_period
from firstcontact.web.deps import get_runtime, require
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reader = Annotated[Actor, Depends(require(Permission.SERVICE_REPORT))]


def _window(request: Request, rt: Runtime) -> Window:
    """The period asked for (from, to); by default this month up to today (London)."""
    query = {k: request.query_params.get(k) for k in ("from", "to")}
    period = parse_period(query, london(rt.clock.now()).date())
    return Window(period.first, period.last)


@router.get("/reports/service", response_class=HTMLResponse)
def service_page(request: Request, rt: RuntimeDep, actor: Reader) -> HTMLResponse:
    query = {k: request.query_params.get(k) or "" for k in ("from", "to")}
    try:
        window = _window(request, rt)
    except ValidationError as error:
        return render(request, "report/service.html", {"report": None, "query": query,
                                                       "errors": error.errors},
                      status_code=422)
    report = report_service.service_report(rt, actor, window)
    return render(request, "report/service.html", {"report": report, "query": query})


def _download(report: ServiceReport, content: bytes, media_type: str, extension: str
              ) -> Response:
    name = f"service-report-{report.window.first}-to-{report.window.last}.{extension}"
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/reports/service.csv", response_model=None)
def service_csv(request: Request, rt: RuntimeDep, actor: Reader) -> Response:
    report = report_service.service_report(rt, actor, _window(request, rt))
    return _download(report, report_csv(report).encode(), "text/csv; charset=utf-8", "csv")


@router.get("/reports/service.pdf", response_model=None)
def service_pdf(request: Request, rt: RuntimeDep, actor: Reader) -> Response:
    report = report_service.service_report(rt, actor, _window(request, rt))
    return _download(report, report_pdf(report), "application/pdf", "pdf")
