"""Staff for tests: accounts made through the real service, signed in through the real routes.

Other rooms' tests import these; keep the names and signatures stable.
"""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient

from firstcontact.platform import auth
from firstcontact.platform.model import SYSTEM, Actor, Role
from firstcontact.platform.runtime import Runtime

PASSWORD = "correct horse battery staple"
LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')
CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def create_staff(rt: Runtime, role: Role, username: str | None = None,
                 password: str = PASSWORD) -> Actor:
    """A new active account with `role`, created by the platform (as the CLI would)."""
    name = username or f"{role.value.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    display_name = f"Test {role.value.replace('_', ' ').title()}"
    return auth.create_user(rt, SYSTEM, name, display_name, role, password)


def api_headers(client: TestClient, rt: Runtime, role: Role) -> dict[str, str]:
    """A new user signed in through POST /api/session: the Authorization header to send."""
    actor = create_staff(rt, role)
    response = client.post("/api/session", json={"username": actor.username,
                                                  "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def login_token(client: TestClient, path: str = "/login") -> str:
    """GET the sign-in form (which also sets its cookie) and read its hidden login token."""
    page = client.get(path)
    found = LOGIN_TOKEN.search(page.text)
    assert found, f"no login token on {path}: {page.status_code}"
    return found.group(1)


def csrf_token_on(html: str) -> str:
    """The session's CSRF token as the layout's sign-out form carries it."""
    found = CSRF_TOKEN.search(html)
    assert found, "no csrf_token on the page (is anyone signed in?)"
    return found.group(1)


def sign_in(client: TestClient, rt: Runtime, role: Role) -> str:
    """A new user signed in through the /login form; the cookie stays on `client`.

    Returns the session's CSRF token for later form posts (field `csrf_token`).
    """
    actor = create_staff(rt, role)
    token = login_token(client)
    response = client.post("/login", data={"username": actor.username, "password": PASSWORD,
                                           "login_token": token, "next": "/home"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    home = client.get(response.headers["location"])
    assert home.status_code == 200, home.text
    return csrf_token_on(home.text)
