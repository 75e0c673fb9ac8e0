"""Walks over every route of the real app, signed in with a browser's cookie as an admin (who
may reach everything): every change refuses a missing or wrong CSRF token and changes nothing;
every form on every page carries its token; every answer carries the security headers.

The routes come from the app itself, so a new route is walked without anyone listing it here.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from firstcontact.platform.audit import AuditEntry
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.staff import PASSWORD, login_token
from tests.web.test_role_matrix import PUBLIC, STREAMS
from tests.web.world import World, build_world

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
REFUSED = "security token was missing or did not match"
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
PUBLIC_FORMS = {"/login": "login_token", "/report": "csrf_token"}


def routes(client: TestClient, methods: set[str]) -> list[tuple[str, str]]:
    found = []
    for route in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        for method in (route.methods or set()) & methods:
            found.append((method, str(route.path)))
    return sorted(found)


def audit_rows(runtime: Runtime) -> int:
    with runtime.database.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


@pytest.fixture
def world(client: TestClient, runtime: Runtime) -> World:
    return build_world(client, runtime)


@pytest.fixture
def admin_browser(client: TestClient, world: World) -> TestClient:
    """The client, signed in by the form as the world's admin: a cookie, not a bearer token."""
    response = client.post("/login", data={
        "username": world.staff[Role.ADMIN].username, "password": PASSWORD,
        "login_token": login_token(client), "next": "/home"}, follow_redirects=False)
    assert response.status_code == 303
    return client


@pytest.mark.parametrize("sent", [None, "guessed-token"], ids=["missing", "wrong"])
def test_every_change_by_cookie_without_the_right_csrf_token_is_refused_and_changes_nothing(
        admin_browser: TestClient, runtime: Runtime, world: World, sent: str | None) -> None:
    client = admin_browser
    before = audit_rows(runtime)
    walked = []
    for method, path in routes(client, UNSAFE):
        if (method, path) in PUBLIC:
            continue
        data = {"csrf_token": sent} if sent else {}
        response = client.request(method, world.path(method, path), data=data,
                                  follow_redirects=False)
        assert response.status_code == 403, (method, path, response.status_code)
        assert REFUSED in response.text, (method, path)
        walked.append(path)
    assert len(walked) > 50
    assert audit_rows(runtime) == before, "a refused request still changed something"
    assert client.get("/home", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("path", ["/login", "/report/start", "/report/what", "/report/check"])
def test_public_forms_refuse_a_post_without_their_form_token(
        client: TestClient, path: str) -> None:
    client.get("/report")
    response = client.post(path, data={"username": "x", "password": "y", "kind": "crime"},
                           follow_redirects=False)
    assert response.status_code == 403, response.text[:300]


def pages(client: TestClient, world: World) -> list[str]:
    """Every HTML page an admin can open (GET routes outside /api, streams left out)."""
    return [world.path("GET", path) for method, path in routes(client, {"GET"})
            if not path.startswith(("/api", "/openapi", "/docs", "/health"))
            and ("GET", path) not in STREAMS and not path.endswith((".csv", ".pdf"))]


def test_every_form_on_every_page_carries_its_token(
        admin_browser: TestClient, world: World) -> None:
    client = admin_browser
    seen = 0
    for path in pages(client, world):
        page = client.get(path)
        assert page.status_code < 500, (path, page.status_code)
        for form in FORM.findall(page.text):
            if 'method="get"' in form.lower() or 'method="post"' not in form.lower():
                continue
            seen += 1
            token = next((name for prefix, name in PUBLIC_FORMS.items()
                          if path.startswith(prefix)), "csrf_token")
            assert f'name="{token}"' in form, (path, form[:200])
    assert seen > 15


def test_every_answer_carries_the_security_headers(
        admin_browser: TestClient, world: World) -> None:
    client = admin_browser
    for path in [*pages(client, world), "/api/contacts", "/openapi.json", "/no/such/page"]:
        headers = client.get(path, follow_redirects=False).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "unsafe-inline" not in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path
        assert headers["x-frame-options"] == "DENY", path
        assert "strict-transport-security" not in headers, path
