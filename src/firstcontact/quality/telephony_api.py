"""The telephony platform's upload route: a day's call events as JSON or CSV."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from firstcontact.platform.model import Actor, Permission, ValidationError
from firstcontact.quality import telephony_service
from firstcontact.quality.telephony import MAX_FILE_BYTES, parse_calls, parse_csv
from firstcontact.web.deps import get_runtime, require

router = APIRouter(prefix="/api/telephony", tags=["Service report"])
Importer = Annotated[Actor, Depends(require(Permission.TELEPHONY_IMPORT))]
PATH = "/api/telephony/calls"
"""Allowed a body of MAX_FILE_BYTES (and a little over) by the size guard (app.py)."""


class ImportedOut(BaseModel):
    added: int
    already_held: int


@router.post("/calls", status_code=201, response_model=ImportedOut,
             summary="Import call events (JSON {\"calls\": [...]} or text/csv)",
             responses={422: {"description": "A bad row: every row and field at fault is "
                                             "named, and nothing from the file is stored"}})
async def import_calls(request: Request, actor: Importer) -> ImportedOut:
    """Send `Content-Type: application/json` with {"calls": [...]}, or `text/csv` with a
    header row. Calls already held are counted, not added again (docs/service-report.md)."""
    body = await request.body()
    if len(body) > MAX_FILE_BYTES:
        raise ValidationError("file", "At most 20 MB in one upload")
    if request.headers.get("content-type", "").startswith("text/csv"):
        calls = parse_csv(body)
    else:
        try:
            calls = parse_calls(json.loads(body or b"null"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ValidationError("file", "Send JSON (or text/csv)") from None
    done = await run_in_threadpool(telephony_service.import_calls, get_runtime(request), actor,
                                   calls, "api upload")
    return ImportedOut(added=done.added, already_held=done.already_held)
