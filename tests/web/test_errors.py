"""Every error is answered in one place: JSON under /api, a page elsewhere, never a traceback."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from firstcontact.web.errors import field_name


def test_a_validation_error_names_the_field_and_message_for_the_api(
        web_client: TestClient) -> None:
    response = web_client.get("/api/trouble/validation")
    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": "caller.name",
                                           "message": "Enter the caller's name"}]}


def test_a_validation_error_on_a_page_is_a_page_in_the_layout(web_client: TestClient) -> None:
    response = web_client.get("/trouble/validation")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Enter the caller&#39;s name" in response.text
    assert "govuk-template" in response.text


@pytest.mark.parametrize(("path", "status", "message"), [
    ("/api/trouble/missing", 404, "No contact 7"),
    ("/api/trouble/forbidden", 403, "You may not see this"),
    ("/api/trouble/conflict", 409, "The unit is already assigned"),
])
def test_domain_errors_map_to_their_status(web_client: TestClient, path: str, status: int,
                                           message: str) -> None:
    response = web_client.get(path)
    assert response.status_code == status
    assert response.json() == {"detail": message}


def test_a_malformed_body_names_each_field_and_never_echoes_the_input(
        web_client: TestClient) -> None:
    response = web_client.post("/api/trouble/report",
                               json={"username": "<script>alert(1)</script>", "count": "many"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["detail"]}
    assert fields == {"username", "count"}
    assert "<script>" not in response.text
    assert "many" not in response.text


def test_a_missing_body_is_named_as_the_body(web_client: TestClient) -> None:
    response = web_client.post("/api/trouble/report")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["body"]


def test_field_names_drop_where_the_value_came_from() -> None:
    assert field_name(("body", "caller", "name")) == "caller.name"
    assert field_name(("query", "page")) == "page"
    assert field_name(("body", "items", 0, "text")) == "items.0.text"
    assert field_name(("body",)) == "body"


@pytest.mark.parametrize("path", ["/api/trouble/crash", "/trouble/crash"])
def test_an_unexpected_error_is_a_generic_500_logged_with_its_traceback(
        web_client: TestClient, path: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="firstcontact.errors"):
        response = web_client.get(path)
    assert response.status_code == 500
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert "Something went wrong on our side" in response.text
    logged = [r for r in caplog.records if r.name == "firstcontact.errors"]
    assert logged
    assert logged[0].exc_info is not None


def test_an_unknown_page_is_a_404_page_and_an_unknown_api_path_is_json(
        web_client: TestClient) -> None:
    page = web_client.get("/no/such/page")
    assert page.status_code == 404
    assert "Page not found" in page.text
    api = web_client.get("/api/no/such/thing")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not Found"}


def test_signed_out_api_calls_get_401_and_pages_a_redirect_with_next(
        web_client: TestClient) -> None:
    api = web_client.get("/api/session")
    assert api.status_code == 401
    assert api.json() == {"detail": "Sign in to continue"}
    page = web_client.get("/home?tab=mine", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/home%3Ftab%3Dmine"


def test_htmx_requests_are_told_to_load_the_sign_in_page(web_client: TestClient) -> None:
    response = web_client.get("/home", headers={"HX-Request": "true"},
                              follow_redirects=False)
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/login?next=/home"
