"""PostgreSQL restarted under a load run: while it is down clients are told 503 with a reason
(never a 500), the service reconnects by itself, and nothing acknowledged is lost.

Runs on a private PostgreSQL (tests/faults/cluster.py), never the shared one.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from firstcontact.web.errors import UNAVAILABLE
from tests.faults import STARTUP
from tests.faults.cluster import private_cluster
from tests.faults.submitters import (
    LoadRun,
    assert_each_acknowledged_contact_stored_once,
    create_handler,
    sign_in,
)
from tests.live_server import firstcontact, live_server, server_env

pytestmark = pytest.mark.faults
DOWN_SECONDS = 2.0


def test_a_postgres_restart_answers_503_then_recovers_losing_nothing(tmp_path: Path) -> None:
    with private_cluster() as cluster:
        env = server_env(cluster.url, FIRSTCONTACT_TIMER_INTERVAL_SECONDS="0.5",
                         FIRSTCONTACT_LOG_LEVEL="WARNING")
        firstcontact("db", "upgrade", env=env)
        create_handler(env)
        with live_server(env, tmp_path / "serve.log", timeout=STARTUP) as server:
            with LoadRun(server.url, sign_in(server.url)) as run:
                run.wait_for_acknowledged(20)
                cluster.stop("fast")
                time.sleep(DOWN_SECONDS)
                health = httpx.get(f"{server.url}/health", timeout=10)
                cluster.start()
                before = run.acknowledged()
                run.wait_for_acknowledged(before + 40, timeout=30)
            assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        tries = run.tries()
        assert 503 in tries, "no client was told the service was unavailable"
        assert not [t for t in tries if isinstance(t, int) and t >= 500 and t != 503], tries
        told = {s.unavailable_detail for s in run.submissions if s.unavailable_detail}
        assert told == {UNAVAILABLE}
        assert_each_acknowledged_contact_stored_once(run, cluster.url)
