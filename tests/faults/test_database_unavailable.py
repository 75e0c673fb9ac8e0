"""A database that cannot be reached is a 503 with a reason and Retry-After, for the API and the
pages alike; a fault in the request or the schema is still a 500."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from firstcontact.app import create_app
from firstcontact.platform.events import InProcessBus
from firstcontact.platform.runtime import build_runtime
from firstcontact.settings import Settings
from firstcontact.web.errors import UNAVAILABLE
from tests.live_server import free_port


def client_for(database_url: str) -> TestClient:
    settings = Settings(database_url=database_url, timer_enabled=False, log_json=False,
                        secret_key="unavailable-test")
    return TestClient(create_app(settings, runtime=build_runtime(settings, bus=InProcessBus())),
                      raise_server_exceptions=False)


def test_a_postgresql_nobody_answers_gives_503_with_a_reason_not_500() -> None:
    nobody = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres?connect_timeout=2"
    with client_for(nobody) as client:
        api = client.post("/api/session", json={"username": "someone", "password": "x" * 12})
        page = client.get("/api/contacts", headers={"Authorization": "Bearer not-checked-yet"})
        health = client.get("/health")
    assert api.status_code == 503, api.text
    assert api.json() == {"detail": UNAVAILABLE}
    assert api.headers["retry-after"] == "5"
    assert page.status_code == 503
    assert health.status_code == 503


def test_an_unmigrated_sqlite_file_is_still_a_500_not_a_503(tmp_path: Path) -> None:
    """"no such table" is a fault to fix, not one to wait out: clients must not retry it."""
    with client_for(f"sqlite:///{tmp_path / 'empty.db'}") as client:
        answer = client.post("/api/session", json={"username": "someone", "password": "x" * 12})
    assert answer.status_code == 500
