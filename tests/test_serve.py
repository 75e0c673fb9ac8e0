"""`firstcontact serve` as an operator runs it: a real uvicorn process, stopped by SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import time
from pathlib import Path

import httpx

from tests.live_server import firstcontact, live_server, server_env
from tests.risk.flow import CONTACT

PASSWORD = "in-flight-passphrase-for-tests"


def test_serve_answers_health_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = server_env(f"sqlite:///{tmp_path / 'serve.db'}")
    firstcontact("db", "upgrade", env=env)
    with live_server(env, tmp_path / "serve.log", "--graceful-seconds", "5") as server:
        assert httpx.get(f"{server.url}/health", timeout=5).status_code == 200
        started = time.monotonic()
        exit_code = server.stop(timeout=10)
        assert exit_code == 0, server.log_tail()
        assert time.monotonic() - started < 8


def test_a_contact_in_flight_at_sigterm_is_finished_and_stored(tmp_path: Path) -> None:
    """Graceful shutdown: a request half-sent when the stop signal arrives still completes."""
    env = server_env(f"sqlite:///{tmp_path / 'serve.db'}")
    firstcontact("db", "upgrade", env=env)
    firstcontact("users", "create", "--username", "inflight", "--display-name", "In Flight",
                 "--role", "call_handler", "--password", PASSWORD, env=env)
    with live_server(env, tmp_path / "serve.log", "--graceful-seconds", "10") as server:
        token = httpx.post(f"{server.url}/api/session", timeout=10, json={
            "username": "inflight", "password": PASSWORD}).json()["token"]
        body = json.dumps(CONTACT).encode()
        port = int(server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(
                f"POST /api/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body[:20])
            time.sleep(0.5)
            server.process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            connection.sendall(body[20:])
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 201"), answer[:300]
        assert server.process.wait(timeout=15) == 0, server.log_tail()
    stored = sqlite3.connect(tmp_path / "serve.db").execute(
        "SELECT count(*) FROM contacts").fetchone()
    assert stored == (1,)
