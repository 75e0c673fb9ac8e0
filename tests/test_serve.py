"""`firstcontact serve` as an operator runs it: a real uvicorn process, stopped by SIGTERM."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.live_server import firstcontact, live_server, server_env


def test_serve_answers_health_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = server_env(f"sqlite:///{tmp_path / 'serve.db'}")
    firstcontact("db", "upgrade", env=env)
    with live_server(env, tmp_path / "serve.log", "--graceful-seconds", "5") as server:
        assert httpx.get(f"{server.url}/health", timeout=5).status_code == 200
        started = time.monotonic()
        exit_code = server.stop(timeout=10)
        assert exit_code == 0, server.log_tail()
        assert time.monotonic() - started < 8
