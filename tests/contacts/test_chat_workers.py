"""Two real `firstcontact serve` workers on one PostgreSQL: the visitor on one, the agent on the
other, and messages still flow both ways (through the PostgreSQL LISTEN/NOTIFY bus)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from tests.conftest import empty_postgres
from tests.live_server import firstcontact, live_server, server_env

PASSWORD = "correct horse battery staple"


def until(socket: ClientConnection, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    for _ in range(30):
        frame: dict[str, Any] = json.loads(socket.recv(timeout=15))
        if wanted(frame):
            return frame
    raise AssertionError("the frame wanted never came")


def message(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f.get("type") == "message" and f.get("text") == text


def test_visitor_and_agent_on_different_workers_still_talk(postgres_database: str,
                                                           tmp_path: Path) -> None:
    empty_postgres(postgres_database)
    env = server_env(postgres_database, FIRSTCONTACT_TIMER_ENABLED="false")
    firstcontact("users", "create", "--username", "desk.one", "--display-name", "Desk One",
                 "--role", "digital_desk", "--password", PASSWORD, env=env)
    with live_server(env, tmp_path / "a.log") as public, \
            live_server(env, tmp_path / "b.log") as desk:
        opened = httpx.post(f"{public.url}/api/chat/start", json={"name": "Sam"}).json()
        token = httpx.post(f"{desk.url}/api/session",
                           json={"username": "desk.one", "password": PASSWORD}).json()["token"]
        ws = "ws://" + public.url.removeprefix("http://")
        ws_desk = "ws://" + desk.url.removeprefix("http://")
        with connect(f"{ws}/chat/socket") as visitor, connect(
                f"{ws_desk}/desk/chat/socket",
                additional_headers={"Authorization": f"Bearer {token}"}) as agent:
            visitor.send(json.dumps({"type": "hello", "token": opened["token"], "after": 0}))
            until(visitor, lambda f: f.get("status") == "waiting")
            until(agent, lambda f: f.get("type") == "mine")
            agent.send(json.dumps({"type": "take", "chat_id": opened["chat_id"]}))
            until(agent, lambda f: f.get("type") == "taken")
            until(visitor, lambda f: f.get("status") == "active")
            visitor.send(json.dumps({"type": "send", "client_id": "visitor-0001",
                                     "text": "Hello from worker A"}))
            until(agent, message("Hello from worker A"))
            agent.send(json.dumps({"type": "send", "chat_id": opened["chat_id"],
                                   "client_id": "agent-0001", "text": "Hello from worker B"}))
            until(visitor, message("Hello from worker B"))
