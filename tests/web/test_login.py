"""Signing in and out through the staff form and the API session."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.web.login import LOGIN_COOKIE, login_token_valid, new_login_token, safe_next
from tests.staff import PASSWORD, create_staff, login_token, sign_in
from tests.web.conftest import web_app


def post_login(client: TestClient, username: str, password: str = PASSWORD,
               next_path: str = "/home", token: str | None = None) -> httpx.Response:
    response: httpx.Response = client.post("/login", data={
        "username": username, "password": password, "next": next_path,
        "login_token": token if token is not None else login_token(client)},
        follow_redirects=False)
    return response


def test_staff_sign_in_sets_an_http_only_lax_cookie_and_lands_on_home(
        client: TestClient, runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    response = client.post("/login", data={"username": actor.username, "password": PASSWORD,
                                           "login_token": login_token(client)},
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/home"
    cookie = next(c for c in response.headers.get_list("set-cookie")
                  if c.startswith("fc_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie
    home = client.get("/home")
    assert home.status_code == 200
    assert actor.display_name in home.text


def test_a_wrong_password_shows_the_error_summary_and_opens_no_session(
        client: TestClient, runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    token = login_token(client)
    response = client.post("/login", data={"username": actor.username, "password": "nope",
                                           "login_token": token})
    assert response.status_code == 401
    assert "govuk-error-summary" in response.text
    assert "Enter a correct username and password" in response.text
    assert "fc_session" not in client.cookies


def test_empty_fields_are_named_without_counting_as_an_attempt(client: TestClient) -> None:
    response = client.post("/login", data={"login_token": login_token(client)})
    assert response.status_code == 422
    assert 'href="#username"' in response.text
    assert 'href="#password"' in response.text


def test_the_form_refuses_a_post_without_its_login_token(
        client: TestClient, runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    login_token(client)
    response = client.post("/login", data={"username": actor.username, "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 403
    assert "fc_session" not in client.cookies


def test_the_form_refuses_a_login_token_that_is_not_this_browsers(
        client: TestClient, runtime: Runtime) -> None:
    """Login CSRF: a hostile page cannot sign staff in with a token it fetched itself."""
    actor = create_staff(runtime, Role.CALL_HANDLER)
    attackers = login_token(client)
    client.cookies.delete(LOGIN_COOKIE, path="/login")
    client.cookies.set(LOGIN_COOKIE, new_login_token("test-secret"), path="/login")
    response = post_login(client, actor.username, token=attackers)
    assert response.status_code == 403
    assert "fc_session" not in client.cookies


def test_a_login_token_is_good_for_an_hour_and_only_with_our_secret() -> None:
    token = new_login_token("test-secret", now=1_000_000)
    assert login_token_valid("test-secret", token, token, now=1_000_000 + 3600)
    assert not login_token_valid("test-secret", token, token, now=1_000_000 + 3601)
    assert not login_token_valid("another-secret", token, token, now=1_000_000)
    forged = token.rsplit(".", 1)[0] + "." + "0" * 64
    assert not login_token_valid("test-secret", forged, forged, now=1_000_000)


@pytest.mark.parametrize("target", [
    "//evil.example/phish", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
    "evil.example", "/\t/evil.example", "",
])
def test_next_never_leaves_the_site(target: str) -> None:
    assert safe_next(target) == "/home"


def test_next_takes_staff_back_to_the_page_they_asked_for(
        client: TestClient, runtime: Runtime) -> None:
    first = client.get("/home", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=/home"
    actor = create_staff(runtime, Role.CALL_HANDLER)
    response = post_login(client, actor.username, next_path="/contacts?page=2")
    assert response.headers["location"] == "/contacts?page=2"


def test_an_open_redirect_in_next_is_refused_at_sign_in(
        client: TestClient, runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    response = post_login(client, actor.username, next_path="//evil.example/")
    assert response.headers["location"] == "/home"


def test_a_locked_out_username_is_told_to_wait_even_with_the_right_password(
        client: TestClient, runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    for _ in range(runtime.settings.login_attempts_allowed):
        post_login(client, actor.username, password="wrong password here")
    response = post_login(client, actor.username)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text


def session_cookie(response: httpx.Response) -> str:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith("fc_session=")]
    assert found, "no session cookie set"
    return found[0].split(";")[0].removeprefix("fc_session=")


def test_every_sign_in_gives_the_browser_a_new_session_cookie(
        client: TestClient, runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    client.cookies.set("fc_session", "planted-by-an-attacker", domain="testserver.local")
    first = session_cookie(post_login(client, actor.username))
    second = session_cookie(post_login(client, actor.username))
    assert "planted-by-an-attacker" not in (first, second)
    assert first != second


def test_signing_out_ends_the_session_and_clears_the_cookie(
        client: TestClient, runtime: Runtime) -> None:
    csrf = sign_in(client, runtime, Role.DISPATCHER)
    old_cookie = client.cookies.get("fc_session") or ""
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert "fc_session" not in client.cookies
    client.cookies.set("fc_session", old_cookie, domain="testserver.local")
    assert client.get("/home", follow_redirects=False).status_code == 303


def test_the_session_cookie_stops_working_when_the_session_ends(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    sign_in(client, runtime, Role.CALL_HANDLER)
    for _ in range(runtime.settings.session_hours * 2 - 1):  # busy all shift: never idle
        clock.advance(timedelta(minutes=30))
        assert client.get("/home", follow_redirects=False).status_code == 200
    clock.advance(timedelta(minutes=29))
    assert client.get("/home", follow_redirects=False).status_code == 200
    clock.advance(timedelta(minutes=1))
    assert client.get("/home", follow_redirects=False).status_code == 303


@pytest.fixture
def secure_client(runtime: Runtime) -> Iterator[TestClient]:
    secure = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"cookie_secure": True}))
    with TestClient(web_app(secure), base_url="https://testserver") as test_client:
        yield test_client


def test_cookies_are_secure_when_the_force_serves_https(
        secure_client: TestClient, runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    form = secure_client.get("/login")
    assert "Secure" in form.headers["set-cookie"]
    response = post_login(secure_client, actor.username)
    cookies = response.headers.get_list("set-cookie")
    assert any(c.startswith("fc_session=") and "Secure" in c for c in cookies)


def test_the_api_opens_a_session_says_who_is_signed_in_and_closes_it(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    actor = create_staff(runtime, Role.TEAM_LEADER)
    opened = client.post("/api/session", json={"username": actor.username,
                                               "password": PASSWORD})
    assert opened.status_code == 201
    body = opened.json()
    assert set(body) == {"token", "csrf_token", "expires_at", "user"}
    assert body["user"] == {"username": actor.username, "role": "team_leader",
                            "display_name": actor.display_name}
    headers = {"Authorization": f"Bearer {body['token']}"}
    who = client.get("/api/session", headers=headers)
    assert who.status_code == 200
    assert who.json()["user"]["username"] == actor.username
    assert client.delete("/api/session", headers=headers).status_code == 204
    gone = client.get("/api/session", headers=headers)
    assert gone.status_code == 401
    assert gone.headers["www-authenticate"] == "Bearer"


def test_the_api_refuses_a_wrong_password_with_401_and_a_named_field(
        client: TestClient, runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    response = client.post("/api/session", json={"username": actor.username,
                                                 "password": "wrong password"})
    assert response.status_code == 401
    assert response.json() == {"detail": [{"field": "username",
                                           "message": "Enter a correct username and password"}]}


def test_the_api_locks_out_with_429_and_retry_after(
        client: TestClient, runtime: Runtime) -> None:
    actor = create_staff(runtime, Role.CALL_HANDLER)
    for _ in range(runtime.settings.login_attempts_allowed):
        client.post("/api/session", json={"username": actor.username, "password": "x"})
    response = client.post("/api/session", json={"username": actor.username,
                                                 "password": PASSWORD})
    assert response.status_code == 429
    assert response.headers["retry-after"] == str(runtime.settings.login_lockout_minutes * 60)
