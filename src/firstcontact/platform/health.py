"""GET /health: what the load balancer and the monitoring ask before sending a worker calls.

A worker that cannot reach its database cannot take a contact, so it answers 503 and is taken
out of rotation. The reason given is short and never includes the connection string.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from firstcontact import __version__

if TYPE_CHECKING:
    from firstcontact.platform.runtime import Runtime

router = APIRouter(tags=["platform"])


def database_fault(runtime: Runtime) -> str | None:
    """None when `SELECT 1` works, otherwise a short reason.

    It goes through the raw DBAPI connection on purpose: a SQLAlchemy transaction on SQLite
    begins IMMEDIATE and would queue the health check behind the writers it is checking on.
    """
    try:
        connection = runtime.database.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            cursor.close()
        finally:
            connection.close()
    except Exception as error:
        return type(error).__name__
    return None


@router.get("/health", include_in_schema=False)
def health(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    fault = database_fault(runtime)
    if fault is not None:
        return JSONResponse({"status": "unavailable", "database": fault}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "version": __version__})
