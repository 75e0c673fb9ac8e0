"""kill -9 one of two `firstcontact serve` workers in the middle of a load run on PostgreSQL:
every contact the service acknowledged is stored, and none is stored twice."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.conftest import throwaway_postgres
from tests.faults import STARTUP
from tests.faults.submitters import (
    LoadRun,
    assert_each_acknowledged_contact_stored_once,
    create_handler,
    sign_in,
)
from tests.live_server import firstcontact, live_server, server_env, serving_workers

pytestmark = pytest.mark.faults


def test_killing_one_of_two_workers_loses_and_doubles_nothing_acknowledged(
        tmp_path: Path) -> None:
    with throwaway_postgres("fc_faults") as url:
        env = server_env(url, FIRSTCONTACT_TIMER_ENABLED="false",
                         FIRSTCONTACT_LOG_LEVEL="WARNING")
        firstcontact("db", "upgrade", env=env)
        create_handler(env)
        with live_server(env, tmp_path / "serve.log", "--workers", "2",
                         timeout=STARTUP) as server:
            with LoadRun(server.url, sign_in(server.url), clients=8) as run:
                workers = serving_workers(server, 2, STARTUP)
                run.wait_for_acknowledged(20)
                workers[0].send_signal(signal.SIGKILL)
                before = run.acknowledged()
                run.wait_for_acknowledged(before + 40, timeout=60)
            assert server.process.poll() is None, "the server went down with its worker"
            # uvicorn's supervisor may be waiting on the replacement worker's start-up.
            assert server.stop(timeout=STARTUP) == 0
        assert_each_acknowledged_contact_stored_once(run, url)
