"""JSON route for subject access: an administrator (the records manager) exports everything
held on a person as JSON or PDF. Audited as a disclosure by records.access."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from firstcontact.platform.model import Actor, Permission
from firstcontact.platform.runtime import Runtime
from firstcontact.records import access
from firstcontact.records.pdf import subject_access_pdf
from firstcontact.web.deps import RowId, get_runtime, require

router = APIRouter(prefix="/api/records", tags=["records"])

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
RecordsManager = Annotated[Actor, Depends(require(Permission.RECORDS_MANAGE))]


@router.get("/people/{person_id}/export",
            summary="Subject access: everything held on a person (JSON or PDF); audited",
            responses={200: {"content": {"application/json": {}, "application/pdf": {}}}})
def export_person(person_id: RowId, rt: RuntimeDep, actor: RecordsManager,
                  reason: Annotated[str, Query(min_length=3, max_length=200)],
                  format: access.ExportFormat = access.ExportFormat.JSON) -> Response:
    found = access.export(rt, actor, person_id, format, reason)
    if format is access.ExportFormat.PDF:
        return Response(subject_access_pdf(found, rt.settings.force_name),
                        media_type="application/pdf", headers={
                            "content-disposition":
                                f'attachment; filename="subject-access-{person_id}.pdf"'})
    return JSONResponse(found.as_json())
