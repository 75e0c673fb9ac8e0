"""Cookie-authenticated changes need the session's CSRF token; bearer requests do not."""

from __future__ import annotations

from fastapi.testclient import TestClient

from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.staff import api_headers, sign_in

REFUSED = "security token was missing or did not match"


def test_a_form_post_without_the_csrf_token_is_refused_and_changes_nothing(
        web_client: TestClient, runtime: Runtime) -> None:
    sign_in(web_client, runtime, Role.CALL_HANDLER)
    response = web_client.post("/logout", follow_redirects=False)
    assert response.status_code == 403
    assert REFUSED in response.text
    assert web_client.get("/home", follow_redirects=False).status_code == 200


def test_a_form_post_with_a_wrong_csrf_token_is_refused(
        web_client: TestClient, runtime: Runtime) -> None:
    sign_in(web_client, runtime, Role.CALL_HANDLER)
    response = web_client.post("/trouble/contact", data={"csrf_token": "guessed",
                                                         "narrative": "hello"})
    assert response.status_code == 403
    assert REFUSED in response.text


def test_a_form_post_with_the_csrf_token_is_accepted(
        web_client: TestClient, runtime: Runtime) -> None:
    csrf = sign_in(web_client, runtime, Role.CALL_HANDLER)
    response = web_client.post("/trouble/contact", data={"csrf_token": csrf,
                                                         "narrative": "hello"})
    assert response.status_code == 200
    assert response.json()["narrative"] == "hello"


def test_htmx_and_scripts_may_send_the_token_as_a_header(
        web_client: TestClient, runtime: Runtime) -> None:
    csrf = sign_in(web_client, runtime, Role.CALL_HANDLER)
    response = web_client.post("/trouble/contact", data={"narrative": "hello"},
                               headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200


def test_another_sessions_csrf_token_does_not_count(
        web_client: TestClient, runtime: Runtime) -> None:
    old = sign_in(web_client, runtime, Role.CALL_HANDLER)
    sign_in(web_client, runtime, Role.CALL_HANDLER)
    response = web_client.post("/trouble/contact", data={"csrf_token": old})
    assert response.status_code == 403


def test_a_cookie_authenticated_api_delete_needs_the_token_too(
        web_client: TestClient, runtime: Runtime) -> None:
    csrf = sign_in(web_client, runtime, Role.CALL_HANDLER)
    assert web_client.delete("/api/session").status_code == 403
    assert web_client.delete("/api/session", headers={"X-CSRF-Token": csrf}).status_code == 204


def test_bearer_requests_need_no_csrf_token(web_client: TestClient, runtime: Runtime) -> None:
    headers = api_headers(web_client, runtime, Role.CALL_HANDLER)
    response = web_client.post("/trouble/contact", data={"narrative": "by API"},
                               headers=headers)
    assert response.status_code == 200
    assert web_client.delete("/api/session", headers=headers).status_code == 204


def test_a_role_without_the_permission_is_refused_before_anything_happens(
        web_client: TestClient, runtime: Runtime) -> None:
    headers = api_headers(web_client, runtime, Role.QA_REVIEWER)
    response = web_client.post("/trouble/contact", data={"narrative": "x"}, headers=headers)
    assert response.status_code == 403


def test_nobody_signed_in_is_sent_to_sign_in_not_refused(web_client: TestClient) -> None:
    response = web_client.post("/trouble/contact", data={"narrative": "x"},
                               follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
