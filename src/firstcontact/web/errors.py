"""Every error the rooms raise, mapped to an HTTP answer here and nowhere else.

Under /api the answer is JSON (`{"detail": [{"field": ..., "message": ...}]}` for input errors,
`{"detail": "..."}` otherwise); elsewhere it is a page in the layout. Input is never echoed
back: a validation error says which field and what is wrong, not what was sent. Anything
unexpected is logged with its traceback and answered with a generic 500, so no stack trace or
internal detail reaches a browser. A database that cannot be reached (restarting, failing over,
out of connections) is not a bug in the request: it is answered 503 with Retry-After, so clients
and load balancers retry, and the pool reconnects by itself once the database is back.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import quote

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from firstcontact.platform.auth import SignInFailed, TooManyAttempts
from firstcontact.platform.model import Conflict, NotFound, PermissionDenied, ValidationError
from firstcontact.web.deps import SignInRequired
from firstcontact.web.templating import render

log = logging.getLogger("firstcontact.errors")

HEADINGS = {
    400: "Bad request", 401: "Sign in to continue", 403: "You cannot do this",
    404: "Page not found", 405: "Method not allowed", 409: "This has changed",
    413: "Too much was sent", 422: "There is a problem", 429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}
UNEXPECTED = "Something went wrong on our side. It has been logged; please try again."
UNAVAILABLE = "The service cannot reach its database just now. Please try again in a few seconds."
RETRY_AFTER_SECONDS = 5
SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form"})


def is_api(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith("/api/")


def problem(request: Request, status: int, message: str,
            headers: dict[str, str] | None = None) -> Response:
    """One message: JSON `{"detail": message}` for the API, the error page otherwise."""
    if is_api(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    return render(request, "web/error.html",
                  {"heading": HEADINGS.get(status, "There is a problem"), "messages": [message]},
                  status_code=status, headers=headers)


def field_problems(request: Request, status: int, errors: dict[str, str],
                   headers: dict[str, str] | None = None) -> Response:
    """Several fields at fault: a list of {field, message} for the API, the error page otherwise."""
    if is_api(request):
        detail = [{"field": f, "message": m} for f, m in errors.items()]
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    return render(request, "web/error.html",
                  {"heading": HEADINGS[422], "messages": list(errors.values())},
                  status_code=status, headers=headers)


def field_name(loc: Sequence[Any]) -> str:
    """("body", "caller", "name") -> "caller.name": the name a client sent, without the source."""
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in SOURCES:
        parts = parts[1:]
    return ".".join(parts)


async def on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ValidationError)
    return field_problems(request, 422, exc.errors)


async def on_sign_in_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInFailed)
    return field_problems(request, 401, exc.errors, {"WWW-Authenticate": "Bearer"})


async def on_request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors: dict[str, str] = {}
    for error in exc.errors():
        errors.setdefault(field_name(error.get("loc", ())), str(error.get("msg", "Invalid")))
    return field_problems(request, 422, errors)


async def on_sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    if is_api(request):
        return JSONResponse({"detail": str(exc)}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})
    target = "/login?next=" + quote(exc.next_path, safe="/")
    if request.headers.get("HX-Request"):
        # htmx would follow a redirect into the fragment; tell it to load the page instead.
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def on_too_many(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TooManyAttempts)
    return problem(request, 429, exc.message, {"Retry-After": str(exc.retry_after_seconds)})


def _simple(status: int, default: str) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        return problem(request, status, str(exc) or default)
    return handle


async def on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc.detail, str) else HEADINGS.get(exc.status_code, "")
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == 404 and not is_api(request):
        message = "If you typed the web address, check it is correct."
    return problem(request, exc.status_code, message, headers)


def unexpected(request: Request, exc: BaseException) -> Response:
    """The generic 500, after logging the traceback. Called by web.middleware's guard."""
    log.error("unhandled error on %s %s", request.method, request.url.path,
              exc_info=(type(exc), exc, exc.__traceback__))
    try:
        return problem(request, 500, UNEXPECTED)
    except Exception:  # the error page itself failed (a broken template, no runtime)
        log.exception("error page failed")
        return Response(UNEXPECTED, status_code=500, media_type="text/plain")


async def on_unexpected(request: Request, exc: Exception) -> Response:
    return unexpected(request, exc)


def database_unreachable(exc: Exception) -> bool:
    """A lost or refused connection, a server shutting down, or no connection free in the pool:
    faults of the moment, not of the request. SQLite's errors (a missing table, a locked file
    past its busy timeout) are not among them, except "database is locked"."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if isinstance(exc.orig, sqlite3.OperationalError):
        return "database is locked" in str(exc.orig)
    return isinstance(exc.orig, psycopg.OperationalError | psycopg.InterfaceError)


def number_out_of_range(exc: BaseException) -> bool:
    """A number too large for its column reached the database (an id from a form or a URL no
    row can have): SQLite refuses to bind it (OverflowError), PostgreSQL answers 22003."""
    if isinstance(exc, OverflowError):
        return True
    return (isinstance(exc, DBAPIError)
            and isinstance(exc.orig, psycopg.errors.NumericValueOutOfRange))


async def on_number_out_of_range(request: Request, exc: Exception) -> Response:
    """No row can have such a number, so what it names is not found (a 404, not a 500)."""
    log.warning("number out of range on %s %s", request.method, request.url.path)
    return problem(request, 404, "Not found")


async def on_database_error(request: Request, exc: Exception) -> Response:
    if number_out_of_range(exc):
        return await on_number_out_of_range(request, exc)
    if not database_unreachable(exc):
        return unexpected(request, exc)
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path,
                type(exc).__name__)
    return problem(request, 503, UNAVAILABLE, {"Retry-After": str(RETRY_AFTER_SECONDS)})


def install(app: FastAPI) -> None:
    """Register every mapping. Subclasses (SignInFailed, CsrfRejected) resolve before parents."""
    handlers: dict[type[Exception], Callable[[Request, Exception], Awaitable[Response]]] = {
        SignInFailed: on_sign_in_failed,
        ValidationError: on_validation,
        RequestValidationError: on_request_validation,
        NotFound: _simple(404, "Not found"),
        PermissionDenied: _simple(403, "You do not have permission to do this."),
        Conflict: _simple(409, "This clashes with a change someone else has made."),
        TooManyAttempts: on_too_many,
        SignInRequired: on_sign_in_required,
        HTTPException: on_http,
        DBAPIError: on_database_error,
        PoolTimeout: on_database_error,
        OverflowError: on_number_out_of_range,
        Exception: on_unexpected,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)
