"""The process running the timer loop is killed (kill -9) half way through firing due re-THRIVE
reviews, and started again: every review fires, none twice.

To kill it at a known point, the test holds a row lock on one incident, so the loop fires the
reviews due before it and then waits inside that incident's transaction. The kill drops that
transaction (rolled back: the deadline is still pending); the restarted loop fires it and the
rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, func, select, text

from firstcontact.platform.deadlines import Deadline, DeadlineState
from firstcontact.platform.runtime import Runtime
from tests.demand.test_two_workers import INCIDENTS, fired_once_each, past_demand  # noqa: F401
from tests.faults import STARTUP
from tests.live_server import live_server, server_env

pytestmark = pytest.mark.faults
HELD = 5
"""How many reviews fire before the one the test holds up."""


def reviews(rt: Runtime, state: DeadlineState) -> int:
    with rt.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(Deadline).where(
            Deadline.kind == "incident.review", Deadline.state == state)) or 0)


def held_incident(rt: Runtime) -> int:
    """The incident whose review is next after the first HELD, in the loop's firing order."""
    with rt.database.read() as session:
        subject = session.scalars(
            select(Deadline.subject_id).where(Deadline.kind == "incident.review")
            .order_by(Deadline.due_at, Deadline.id).offset(HELD).limit(1)).one()
    return int(subject)


def waiting_on_a_lock(connection: Connection) -> bool:
    return bool(connection.execute(text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'")).scalar())


def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_a_timer_killed_mid_pass_and_restarted_fires_every_review_once(
        past_demand: Runtime, tmp_path: Path) -> None:  # noqa: F811
    rt = past_demand
    env = server_env(rt.settings.database_url, FIRSTCONTACT_TIMER_INTERVAL_SECONDS="0.2",
                     FIRSTCONTACT_LOG_LEVEL="WARNING")
    locker = create_engine(rt.database.url)
    holder, watcher = locker.connect(), locker.connect().execution_options(
        isolation_level="AUTOCOMMIT")
    try:
        holding = holder.begin()
        holder.execute(text("SELECT id FROM incidents WHERE id = :id FOR UPDATE"),
                       {"id": held_incident(rt)})
        with live_server(env, tmp_path / "first.log", timeout=STARTUP) as first:
            until(lambda: reviews(rt, DeadlineState.FIRED) == HELD
                  and waiting_on_a_lock(watcher))
            first.process.kill()
            first.process.wait(10)
        holding.rollback()
        until(lambda: not waiting_on_a_lock(watcher))
        assert reviews(rt, DeadlineState.FIRED) == HELD
        assert reviews(rt, DeadlineState.PENDING) == INCIDENTS - HELD
        with live_server(env, tmp_path / "second.log", timeout=STARTUP):
            until(lambda: fired_once_each(rt))
    finally:
        holder.close()
        watcher.close()
        locker.dispose()
