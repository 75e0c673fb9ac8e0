"""The service report on screen (charts drawn as SVG, every figure also in a table), and its
PDF and CSV downloads. Team leaders, QA reviewers and admins (SERVICE_REPORT).

From it, team leaders and admins (TELEPHONY_IMPORT) upload a file of call events from the
telephony platform: the same checks and import as `firstcontact report telephony import` and
POST /api/telephony/calls, so a bad file is refused whole with every row at fault listed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from firstcontact.platform.clock import london
from firstcontact.platform.model import Actor, Permission, ValidationError
from firstcontact.platform.runtime import Runtime
from firstcontact.quality import report_service, telephony_service
from firstcontact.quality.report import ServiceReport, Window, report_csv
from firstcontact.quality.report_pdf import report_pdf
from firstcontact.quality.telephony import MAX_FILE_BYTES, parse_file
from firstcontact.victims.compliance import parse_period
from firstcontact.web.deps import get_runtime, require
from firstcontact.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Reader = Annotated[Actor, Depends(require(Permission.SERVICE_REPORT))]
Importer = Annotated[Actor, Depends(require(Permission.TELEPHONY_IMPORT))]
UPLOAD_PATH = "/reports/service/telephony"
MAX_MB = MAX_FILE_BYTES // (1024 * 1024)
TOO_LARGE = f"The selected file must be smaller than {MAX_MB} MB"


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
    return render(request, "report/service.html", {
        "report": report, "query": query,
        "may_import": actor.may(Permission.TELEPHONY_IMPORT)})


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


@router.get(UPLOAD_PATH, response_class=HTMLResponse)
def telephony_page(request: Request, actor: Importer) -> HTMLResponse:
    return render(request, "report/telephony.html", {"max_mb": MAX_MB})


@router.post(UPLOAD_PATH, response_class=HTMLResponse)
async def telephony_upload(request: Request, rt: RuntimeDep, actor: Importer) -> HTMLResponse:
    """Import the chosen file; the page again, with what was imported or every fault found."""
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _refused(request, {"file": "Select a .csv or .json file of call events"})
    content = await upload.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        return _refused(request, {"file": TOO_LARGE}, status_code=413)
    try:
        calls = parse_file(upload.filename, content)
        done = await run_in_threadpool(telephony_service.import_calls, rt, actor, calls,
                                       f"page upload {upload.filename[:100]}")
    except ValidationError as error:
        return _refused(request, error.errors)
    return render(request, "report/telephony.html", {
        "max_mb": MAX_MB, "imported": done,
        "filename": upload.filename})


def _refused(request: Request, faults: dict[str, str], status_code: int = 422) -> HTMLResponse:
    """The form with every fault in the error summary, each linking to the file input, and
    named as the CLI and API name it ("row 3.line: ...") so a row can be found in the file."""
    errors = {field: message if field == "file" else f"{field}: {message}"
              for field, message in faults.items()}
    return render(request, "report/telephony.html", {
        "max_mb": MAX_MB, "errors": errors, "error_target": "file",
        "file_error": errors.get("file") or _problems(len(errors))}, status_code=status_code)


def _problems(count: int) -> str:
    return f"The file has {count} {'problem' if count == 1 else 'problems'}, listed above: " \
           "nothing was imported"
