"""Sessions: fixation, idle and absolute expiry to the minute, and signing out everywhere
(the page a person uses, and the API), all through the real sign-in form and routes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.platform import audit, auth
from firstcontact.platform.audit import AuditAction, AuditEntry
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import Actor, Role
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings
from firstcontact.web.deps import SESSION_COOKIE
from tests.staff import PASSWORD, create_staff, csrf_token_on, login_token

PLANTED = "planted-by-an-attacker-before-sign-in"


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The real idle limit (the shared fixture turns it off for tests that jump hours)."""
    return Settings(database_url=database_url, timer_enabled=False, log_json=False,
                    secret_key="test-secret")


def sign_in_as(client: TestClient, actor: Actor) -> str:
    """Sign `actor` in through the form; returns the session's CSRF token."""
    response = client.post("/login", data={"username": actor.username, "password": PASSWORD,
                                           "login_token": login_token(client), "next": "/home"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_token_on(client.get("/home").text)


def test_a_session_token_planted_before_sign_in_is_never_the_one_used_after(
        client: TestClient, runtime: Runtime) -> None:
    """Session fixation: an attacker who sets the victim's cookie must not share the session."""
    actor = create_staff(runtime, Role.CALL_HANDLER)
    client.cookies.set(SESSION_COOKIE, PLANTED, domain="testserver.local")
    sign_in_as(client, actor)
    issued = client.cookies.get(SESSION_COOKIE)
    assert issued and issued != PLANTED
    assert auth.actor_for_token(runtime, PLANTED) is None
    assert auth.actor_for_token(runtime, issued) is not None


def test_signing_in_again_ends_the_session_the_browser_held(
        client: TestClient, runtime: Runtime) -> None:
    """A shared desk at shift change: the outgoing person's token stops working everywhere."""
    outgoing, incoming = (create_staff(runtime, Role.CALL_HANDLER) for _ in range(2))
    sign_in_as(client, outgoing)
    old_token = client.cookies.get(SESSION_COOKIE) or ""
    sign_in_as(client, incoming)
    assert auth.actor_for_token(runtime, old_token) is None
    found = auth.actor_for_token(runtime, client.cookies.get(SESSION_COOKIE) or "")
    assert found is not None and found.actor == incoming


def test_a_session_left_unused_ends_after_the_idle_limit_to_the_minute(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    sign_in_as(client, create_staff(runtime, Role.DISPATCHER))
    idle = runtime.settings.session_idle_minutes
    assert idle == 60
    clock.advance(timedelta(minutes=idle - 1))
    assert client.get("/home", follow_redirects=False).status_code == 200
    clock.advance(timedelta(minutes=idle - 1))  # used a minute ago: the idle clock restarted
    assert client.get("/home", follow_redirects=False).status_code == 200
    clock.advance(timedelta(minutes=idle))
    response = client.get("/home", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_a_busy_session_still_ends_at_its_absolute_limit(
        runtime: Runtime, clock: FixedClock) -> None:
    create_staff(runtime, Role.TEAM_LEADER, username="late.shift")
    signed_in = auth.sign_in(runtime, "late.shift", PASSWORD, "192.0.2.7")
    end = clock.now() + timedelta(hours=runtime.settings.session_hours)
    while clock.now() + timedelta(minutes=45) < end:
        clock.advance(timedelta(minutes=45))
        assert auth.actor_for_token(runtime, signed_in.token) is not None
    clock.set(end - timedelta(minutes=1))
    assert auth.actor_for_token(runtime, signed_in.token) is not None
    clock.set(end)
    assert auth.actor_for_token(runtime, signed_in.token) is None


def test_the_sessions_page_lists_every_open_session_and_marks_this_one(
        client: TestClient, runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.DIGITAL_DESK)
    auth.sign_in(runtime, actor.username, PASSWORD, "192.0.2.8")  # a phone, say
    sign_in_as(client, actor)
    page = client.get("/account/sessions")
    assert page.status_code == 200
    assert "2 open sessions" in page.text
    assert page.text.count("This browser") == 1
    assert 'action="/account/sessions/end-all"' in page.text


def test_sign_out_everywhere_ends_every_session_of_that_person_only(
        client: TestClient, runtime: Runtime) -> None:
    actor, colleague = (create_staff(runtime, Role.CALL_HANDLER) for _ in range(2))
    elsewhere = auth.sign_in(runtime, actor.username, PASSWORD, "192.0.2.9")
    theirs = auth.sign_in(runtime, colleague.username, PASSWORD, "192.0.2.10")
    csrf = sign_in_as(client, actor)
    response = client.post("/account/sessions/end-all", data={"csrf_token": csrf},
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?ended=all"
    assert auth.actor_for_token(runtime, elsewhere.token) is None
    assert client.get("/home", follow_redirects=False).status_code == 303
    assert auth.actor_for_token(runtime, theirs.token) is not None
    assert "signed out everywhere" in client.get("/login?ended=all").text
    with runtime.database.read() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.LOGOUT).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.detail == {"sessions_ended": 2}
    assert audit.verify(runtime.database).ok


def test_sign_out_everywhere_without_the_csrf_token_is_refused(
        client: TestClient, runtime: Runtime) -> None:
    sign_in_as(client, create_staff(runtime, Role.CALL_HANDLER))
    response = client.post("/account/sessions/end-all", follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/home", follow_redirects=False).status_code == 200


def test_an_api_client_can_sign_out_everywhere(client: TestClient, runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.DISPATCHER)
    browser = auth.sign_in(runtime, actor.username, PASSWORD, "192.0.2.11")
    token = client.post("/api/session", json={"username": actor.username,
                                              "password": PASSWORD}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    response = client.delete("/api/session/all", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"sessions_ended": 2}
    assert auth.actor_for_token(runtime, browser.token) is None
    assert client.get("/api/session", headers=headers).status_code == 401
