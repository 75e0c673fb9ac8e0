"""Two real `firstcontact serve` workers on one PostgreSQL: every due review fires exactly
once across both, a review made through one shows in the other's live stream, and deadlines
that fell due while no server was running fire when one starts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from firstcontact.app import create_app, wired_runtime
from firstcontact.demand.tables import IncidentRow
from firstcontact.platform.audit import AuditAction, AuditEntry
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.db import migrate
from firstcontact.platform.deadlines import Deadline, DeadlineState
from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings
from tests.demand.test_service import open_incident
from tests.live_server import live_server, server_env
from tests.risk.flow import review_body
from tests.staff import PASSWORD, api_headers, create_staff

INCIDENTS = 12


@pytest.fixture
def past_demand(unmigrated_postgres: str) -> Iterator[Runtime]:
    """A migrated database holding incidents opened 3h40 ago, while no server ran: their
    3h30 reviews are already due (not yet escalated) when the workers start."""
    migrate(unmigrated_postgres)
    clock = FixedClock(datetime.now(UTC) - timedelta(hours=3, minutes=40))
    rt = wired_runtime(Settings(database_url=unmigrated_postgres, timer_enabled=False,
                                log_json=False, secret_key="two-workers"), clock)
    with TestClient(create_app(rt.settings, runtime=rt)) as client:
        headers = api_headers(client, rt, Role.CALL_HANDLER)
        for _ in range(INCIDENTS):
            open_incident(client, headers, "priority")
    yield rt
    rt.bus.close()
    rt.database.dispose()


def fired_once_each(rt: Runtime) -> bool:
    with rt.database.transaction() as session:
        pending = session.scalar(select(func.count()).select_from(Deadline).where(
            Deadline.kind == "incident.review", Deadline.state == DeadlineState.PENDING))
        fires = session.execute(select(AuditEntry.subject_id, func.count())
                                .where(AuditEntry.action == AuditAction.FIRE,
                                       AuditEntry.purpose == "incident.review deadline fell due")
                                .group_by(AuditEntry.subject_id)).all()
    assert all(count == 1 for _, count in fires), fires
    return pending == 0 and len(fires) == INCIDENTS


def listen(url: str, token: str, seen: list[str], ready: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.stream("GET", f"{url}/demand/stream", headers=headers, timeout=20) as stream:
        for line in stream.iter_lines():
            ready.set()
            seen.append(line)
            if line == "data: incident.reviewed":
                return


def test_two_workers_fire_each_due_review_once_and_share_live_changes(
        past_demand: Runtime, tmp_path: Path) -> None:
    rt = past_demand
    env = server_env(rt.settings.database_url, FIRSTCONTACT_TIMER_INTERVAL_SECONDS="0.2")
    dispatcher = create_staff(rt, Role.DISPATCHER)
    with live_server(env, tmp_path / "a.log") as first, \
            live_server(env, tmp_path / "b.log") as second:
        deadline = time.monotonic() + 20
        while not fired_once_each(rt):
            assert time.monotonic() < deadline, "reviews did not all fire"
            time.sleep(0.2)
        with rt.database.transaction() as session:
            workers = set(session.scalars(select(Deadline.fired_by)
                                          .where(Deadline.kind == "incident.review")))
            states = set(session.scalars(select(IncidentRow.review_state)))
        assert states == {"due"} and len(workers) in {1, 2}

        token = httpx.post(f"{first.url}/api/session", json={
            "username": dispatcher.username, "password": PASSWORD}).json()["token"]
        seen: list[str] = []
        ready = threading.Event()
        listener = threading.Thread(target=listen, args=(second.url, token, seen, ready))
        listener.start()
        assert ready.wait(10), "the stream did not open"
        done = httpx.post(f"{first.url}/api/incidents/1/reviews", json=review_body(1),
                          headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert done.status_code == 201, done.text
        listener.join(15)
        assert "data: incident.reviewed" in seen, seen
