"""/health: 200 when the database answers, 503 with a short reason when it does not."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from firstcontact import __version__
from firstcontact.platform import health
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.db import Database
from firstcontact.platform.events import InProcessBus
from firstcontact.platform.runtime import Runtime, build_runtime
from firstcontact.settings import Settings


def app_for(runtime: Runtime) -> FastAPI:
    app = FastAPI()
    app.state.runtime = runtime
    app.include_router(health.router)
    return app


def test_a_worker_with_its_database_reports_ok(runtime: Runtime) -> None:
    response = TestClient(app_for(runtime)).get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "version": __version__}


def test_a_worker_without_its_database_reports_unavailable(tmp_path: Path,
                                                           clock: FixedClock) -> None:
    missing = tmp_path / "no-such-folder" / "firstcontact.db"
    runtime = build_runtime(Settings(database_url=f"sqlite:///{missing}"), clock)
    try:
        response = TestClient(app_for(runtime)).get("/health")
    finally:
        runtime.database.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "OperationalError"}
    assert str(missing) not in response.text


def test_an_unreachable_postgres_is_unavailable_too(clock: FixedClock) -> None:
    url = "postgresql://postgres@127.0.0.1:9/firstcontact"
    runtime = Runtime(settings=Settings(database_url=url), database=Database(url), clock=clock,
                      bus=InProcessBus())
    try:
        response = TestClient(app_for(runtime)).get("/health")
    finally:
        runtime.database.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "OperationalError"}


def test_the_app_as_built_for_production_serves_health(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
