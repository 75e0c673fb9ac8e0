"""A real `firstcontact serve` on a SQLite file, stopped while an incident's re-THRIVE falls
due and started again: the timer loop flags the review within seconds of the restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from firstcontact.app import create_app, wired_runtime
from firstcontact.demand.tables import IncidentEventRow, IncidentRow
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.db import migrate
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.risk.model import Grade, review_due_at
from firstcontact.risk.policy import grading
from firstcontact.settings import Settings
from tests.demand.test_service import open_incident
from tests.live_server import live_server, server_env
from tests.staff import api_headers

LEAD = timedelta(seconds=45)
"""How long after the seeding the review falls due: time for the first server to start."""


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Runtime, int]]:
    """A migrated SQLite file holding one priority incident whose re-THRIVE falls due LEAD
    from now (no settings fix a server's clock, so the incident is opened in the past)."""
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    migrate(url)
    interval = review_due_at(datetime.now(UTC), Grade.PRIORITY, grading()) - datetime.now(UTC)
    clock = FixedClock(datetime.now(UTC) - interval + LEAD)
    rt = wired_runtime(Settings(database_url=url, timer_enabled=False, log_json=False,
                                secret_key="restart-test"), clock)
    with TestClient(create_app(rt.settings, runtime=rt)) as client:
        incident_id = open_incident(client, api_headers(client, rt, Role.CALL_HANDLER),
                                    "priority")
    yield rt, incident_id
    rt.bus.close()
    rt.database.dispose()


def state(rt: Runtime, incident_id: int) -> tuple[str, datetime, list[str]]:
    with rt.database.transaction() as session:
        row = session.get(IncidentRow, incident_id)
        assert row is not None
        kinds = list(session.scalars(select(IncidentEventRow.kind)
                                     .where(IncidentEventRow.incident_id == incident_id)
                                     .order_by(IncidentEventRow.id)))
        return row.review_state, row.review_due_at, kinds


def test_a_review_due_while_the_server_was_stopped_is_flagged_after_restart(
        seeded: tuple[Runtime, int], tmp_path: Path) -> None:
    rt, incident_id = seeded
    env = server_env(rt.settings.database_url, FIRSTCONTACT_TIMER_INTERVAL_SECONDS="0.2")
    with live_server(env, tmp_path / "first.log"):
        review_state, due, _ = state(rt, incident_id)
        assert datetime.now(UTC) < due, "the first server started too slowly for this test"
        assert review_state == "scheduled"
    while datetime.now(UTC) <= due + timedelta(seconds=1):  # the server is stopped
        time.sleep(0.2)
    assert state(rt, incident_id)[0] == "scheduled"
    with live_server(env, tmp_path / "second.log"):
        started = time.monotonic()
        while state(rt, incident_id)[0] != "due" and time.monotonic() - started < 20:
            time.sleep(0.1)
    review_state, _, kinds = state(rt, incident_id)
    assert review_state == "due" and kinds[-1] == "review_due", kinds
