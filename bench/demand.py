"""Live demand at scale: the timer tick with 100,000 open incidents, and the team leader's
screen with 10,000 open incidents among 100,000 past ones.

Loads rows in bulk (Core executemany; foreign keys off for the load only, since the contacts
behind the incidents play no part in either measurement), then times the real code paths:
`TimerLoop.run_once` (idle, and firing due reviews) and `overview.overview`. Runs on a SQLite
file, and on PostgreSQL too when BENCH_POSTGRES_URL is set. Figures are printed, not asserted.

    .venv/bin/python bench/demand.py          # BENCH_OPEN=100000 BENCH_PAST=100000
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, insert, text
from sqlalchemy.engine import make_url

import firstcontact.schema  # noqa: F401
from firstcontact.app import timer_handlers, wired_runtime
from firstcontact.demand import overview
from firstcontact.demand.tables import IncidentRow
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import Deadline, DeadlineState, TimerLoop
from firstcontact.platform.model import Actor, Role
from firstcontact.platform.runtime import Runtime
from firstcontact.settings import Settings

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
GOAL_TICK_MS = 50.0
GOAL_SCREEN_MS = 200.0
BATCH = 10_000


def _incident(i: int, open_: bool) -> dict[str, object]:
    opened = NOW - timedelta(minutes=(i % 600) + (0 if open_ else 24 * 60))
    return {
        "id": i, "reference": f"INC-B{i:07d}", "contact_id": i, "grade": ("emergency",
        "priority", "scheduled", "resolution_without_deployment")[i % 4],
        "status": "open" if open_ else "finalised", "nsir_category": "crime",
        "opening_code": "CR-THE", "qualifiers": [], "location": "1 High Street, Northgate",
        "area_type": "urban", "sector": "north", "summary": "Bench incident", "opened_at": opened,
        "last_assessed_at": opened, "review_due_at": NOW + timedelta(minutes=(i % 200) + 1),
        "review_state": "scheduled", "response_due_at": opened + timedelta(hours=1),
        "version": 1}


def _deadline(i: int, kind: str, due: datetime) -> dict[str, object]:
    return {"kind": kind, "subject_type": "incident", "subject_id": str(i), "due_at": due,
            "state": DeadlineState.PENDING, "attempts": 0, "created_at": NOW}


def load(rt: Runtime, open_count: int, past_count: int) -> None:
    """Open incidents each with a pending review and escalation deadline; past ones closed."""
    with rt.database.engine.connect() as connection:
        sqlite = rt.database.dialect == "sqlite"
        raw = connection.connection.dbapi_connection
        if sqlite and raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, as SQLite needs
        with connection.begin():
            if not sqlite:
                connection.execute(text("SET LOCAL session_replication_role = replica"))
            _insert(connection, open_count, past_count)
        if sqlite and raw is not None:
            raw.execute("PRAGMA foreign_keys=ON")
        # Fresh statistics, as autovacuum (or SQLite's ANALYZE) would give a running force.
        with connection.begin():
            connection.execute(text("ANALYZE"))


def _insert(connection: Connection, open_count: int, past_count: int) -> None:
    total = open_count + past_count
    for start in range(1, total + 1, BATCH):
        ids = range(start, min(start + BATCH, total + 1))
        connection.execute(insert(IncidentRow), [_incident(i, i <= open_count) for i in ids])
        opens = [i for i in ids if i <= open_count]
        if opens:
            rows = [_deadline(i, kind, NOW + timedelta(minutes=(i % 200) + 1 + extra))
                    for i in opens for kind, extra in (("incident.review", 0),
                                                       ("incident.review_escalation", 30))]
            connection.execute(insert(Deadline), rows)


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(url: str, open_count: int, past_count: int) -> dict[str, float]:
    clock = FixedClock(NOW)
    rt = wired_runtime(Settings(database_url=url, timer_enabled=False, log_json=False,
                                secret_key=uuid.uuid4().hex, log_level="WARNING"), clock)
    rt.database.create_all()
    started = time.perf_counter()
    load(rt, open_count, past_count)
    loaded_s = time.perf_counter() - started
    loop = TimerLoop(rt, timer_handlers())
    idle = timed(loop.run_once, 30)
    clock.advance(timedelta(minutes=1))  # 1/200 of the open incidents' reviews fall due
    started = time.perf_counter()
    fired = loop.run_once()
    firing_ms = (time.perf_counter() - started) * 1000
    leader = Actor(user_id=None, username="bench-leader", role=Role.TEAM_LEADER)
    screen = timed(lambda: overview.overview(rt, leader), 10)
    rt.bus.close()
    rt.database.dispose()
    return {"load_s": loaded_s, "idle_tick_p50_ms": statistics.median(idle),
            "idle_tick_max_ms": max(idle), "fired": fired,
            "per_fired_ms": firing_ms / max(fired, 1), "screen_p50_ms": statistics.median(screen),
            "screen_max_ms": max(screen)}


def postgres_url(admin: str) -> tuple[str, Callable[[], None]]:
    name = f"fc_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return make_url(admin).set(database=name).render_as_string(hide_password=False), drop


def run(open_count: int = 100_000, past_count: int = 100_000) -> dict[str, Any]:
    """Both measurements on a SQLite file, and on PostgreSQL too when BENCH_POSTGRES_URL is set;
    returns the figures bench/run.py records."""
    targets: list[tuple[str, str, Callable[[], None]]] = []
    folder = tempfile.mkdtemp(prefix="fc-bench-")
    targets.append(("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", lambda: None))
    admin = os.environ.get("BENCH_POSTGRES_URL")
    if admin:
        url, drop = postgres_url(admin.replace("postgresql://", "postgresql+psycopg://", 1))
        targets.append(("postgresql", url, drop))
    figures: dict[str, Any] = {"open": open_count, "past": past_count}
    for name, url, cleanup in targets:
        try:
            figures[name] = measure(url, open_count, past_count)
        finally:
            cleanup()
    shutil.rmtree(folder, ignore_errors=True)
    return figures


def summary(figures: dict[str, Any]) -> str:
    lines = [f"{figures['open']:,} open incidents (each with 2 pending deadlines), "
             f"{figures['past']:,} finalised"]
    for name in ("sqlite", "postgresql"):
        if name not in figures:
            continue
        one = figures[name]
        lines.append(
            f"{name}: loaded in {one['load_s']:.1f} s; idle timer tick p50 "
            f"{one['idle_tick_p50_ms']:.2f} ms (max {one['idle_tick_max_ms']:.2f}; "
            f"goal <= {GOAL_TICK_MS:g}); fired {one['fired']:.0f} due reviews at "
            f"{one['per_fired_ms']:.2f} ms each; team leader screen p50 "
            f"{one['screen_p50_ms']:.1f} ms (max {one['screen_max_ms']:.1f}; "
            f"goal <= {GOAL_SCREEN_MS:g})")
    return "\n".join(lines)


def main() -> None:
    print(summary(run(int(os.environ.get("BENCH_OPEN", "100000")),
                      int(os.environ.get("BENCH_PAST", "100000")))))


if __name__ == "__main__":
    main()
