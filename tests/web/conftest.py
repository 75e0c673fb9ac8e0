"""A small app built from the web layer alone (sign-in, pages, errors, middleware) plus routes
that raise each error on purpose, so error mapping is tested without any room's code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, Form
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from firstcontact.platform.model import (
    Actor,
    Conflict,
    NotFound,
    Permission,
    PermissionDenied,
    ValidationError,
)
from firstcontact.platform.runtime import Runtime
from firstcontact.web import errors, login, middleware, pages
from firstcontact.web.deps import require

trouble = APIRouter()


class Report(BaseModel):
    username: str = Field(max_length=10)
    count: int


@trouble.get("/api/trouble/validation")
@trouble.get("/trouble/validation")
def invalid() -> None:
    raise ValidationError("caller.name", "Enter the caller's name")


@trouble.get("/api/trouble/missing")
def missing() -> None:
    raise NotFound("No contact 7")


@trouble.get("/api/trouble/forbidden")
def forbidden() -> None:
    raise PermissionDenied("You may not see this")


@trouble.get("/api/trouble/conflict")
def conflict() -> None:
    raise Conflict("The unit is already assigned")


@trouble.get("/api/trouble/crash")
@trouble.get("/trouble/crash")
def crash() -> None:
    raise RuntimeError("secret internals: password=hunter2")


@trouble.post("/api/trouble/report")
def report(body: Report) -> dict[str, int]:
    return {"count": body.count}


@trouble.post("/trouble/contact")
def record_contact(actor: Annotated[Actor, Depends(require(Permission.CONTACT_CREATE))],
                   narrative: Annotated[str, Form()] = "") -> dict[str, str]:
    return {"recorded_by": actor.username, "narrative": narrative}


def web_app(runtime: Runtime) -> FastAPI:
    app = FastAPI()
    app.state.runtime = runtime
    middleware.install(app, runtime.settings)
    errors.install(app)
    for router in (login.router, login.api_router, pages.router, trouble):
        app.include_router(router)
    return app


@pytest.fixture
def web_client(runtime: Runtime) -> Iterator[TestClient]:
    """The web layer on its own, answering 500s as a browser would see them (not raising)."""
    with TestClient(web_app(runtime), raise_server_exceptions=False) as test_client:
        yield test_client
