"""Security headers on every response, the body-size limit, and the access log."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from firstcontact.platform.runtime import Runtime
from firstcontact.web.middleware import MAX_BODY_BYTES
from tests.web.conftest import web_app

EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


@pytest.mark.parametrize("path", ["/", "/login", "/api/session", "/no/such/page",
                                  "/api/trouble/crash"])
def test_every_response_carries_the_security_headers(web_client: TestClient, path: str) -> None:
    response = web_client.get(path, follow_redirects=False)
    for name, value in EXPECTED.items():
        assert response.headers[name] == value
    policy = response.headers["content-security-policy"]
    for directive in ("default-src 'self'", "style-src 'self'", "img-src 'self' data:",
                      "frame-ancestors 'none'", "form-action 'self'", "base-uri 'self'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert "strict-transport-security" not in response.headers
    assert response.headers["cache-control"] == "no-store"


def test_the_pages_only_inline_scripts_are_the_ones_the_policy_allows(
        web_client: TestClient) -> None:
    response = web_client.get("/")
    policy = response.headers["content-security-policy"]
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", response.text, re.S)
    assert len(inline) == 2
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert 'style="' not in response.text
    assert '"includeIndicatorStyles": false' in response.text


@pytest.fixture
def https_client(runtime: Runtime) -> Iterator[TestClient]:
    secure = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"cookie_secure": True}))
    with TestClient(web_app(secure), base_url="https://testserver") as test_client:
        yield test_client


def test_strict_transport_security_is_sent_when_the_force_serves_https(
        https_client: TestClient) -> None:
    assert "max-age=" in https_client.get("/").headers["strict-transport-security"]


def test_hsts_is_sent_on_a_request_that_came_over_tls(web_client: TestClient,
                                                      runtime: Runtime) -> None:
    """uvicorn's own TLS, or a trusted local proxy's X-Forwarded-Proto: the scheme is https."""
    with TestClient(web_app(runtime), base_url="https://testserver") as over_tls:
        assert "max-age=" in over_tls.get("/").headers["strict-transport-security"]
    assert "strict-transport-security" not in web_client.get("/").headers


def test_a_forwarded_proto_header_alone_is_not_trusted(web_client: TestClient) -> None:
    """Only uvicorn, for a proxy it trusts, turns X-Forwarded-Proto into the scheme."""
    response = web_client.get("/", headers={"x-forwarded-proto": "https"})
    assert "strict-transport-security" not in response.headers


def test_a_body_over_the_limit_is_refused_with_413(web_client: TestClient) -> None:
    response = web_client.post("/api/session", content=b"x" * (MAX_BODY_BYTES + 1),
                               headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.headers["x-frame-options"] == "DENY"


def test_a_body_over_the_limit_without_a_length_is_refused_too(web_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b"x" * (MAX_BODY_BYTES // 4)

    response = web_client.post("/api/session", content=chunks(),
                               headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_each_request_writes_one_access_log_line_without_the_query(
        web_client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="firstcontact.access"):
        web_client.get("/login?next=/contacts%3Fphone%3D07700900123")
    lines = [r for r in caplog.records if r.name == "firstcontact.access"]
    assert len(lines) == 1
    fields = vars(lines[0])
    assert (fields["method"], fields["path"], fields["status"]) == ("GET", "/login", 200)
    assert isinstance(fields["duration_ms"], float)
    assert "07700900123" not in lines[0].getMessage()
