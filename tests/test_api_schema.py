"""Every JSON route, fuzzed from its own OpenAPI schema: never a 500, answers match the schema.

Schemathesis generates valid and invalid bodies, headers and paths for each operation and
sends them to the real app (on a SQLite file) as a signed-in call handler.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from firstcontact.app import create_app, wired_runtime
from firstcontact.platform.model import Role
from firstcontact.settings import Settings
from tests.staff import api_headers

# Schemathesis reads the schema when the module is collected, so the app is built here.
FOLDER = Path(tempfile.mkdtemp(prefix="fc-fuzz-"))
SETTINGS = Settings(database_url=f"sqlite:///{FOLDER / 'fuzz.db'}", timer_enabled=False,
                    log_json=False, log_level="ERROR")
RUNTIME = wired_runtime(SETTINGS)
RUNTIME.database.create_all()
APP = create_app(SETTINGS, runtime=RUNTIME)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def handler_headers() -> dict[str, str]:
    with TestClient(APP) as client:
        return api_headers(client, RUNTIME, Role.CALL_HANDLER)


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_no_route_answers_500_and_answers_match_the_schema(
        case: schemathesis.Case[Any], handler_headers: dict[str, str]) -> None:
    response = case.call(headers=handler_headers)
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
    if response.status_code in {200, 201}:
        case.validate_response(response, checks=[response_schema_conformance])
