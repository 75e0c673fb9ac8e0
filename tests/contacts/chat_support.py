"""Talking to the live-chat websockets from tests: frames gathered until the one wanted."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Protocol

from fastapi.testclient import TestClient


class Socket(Protocol):
    def receive_json(self) -> Any: ...

    def send_json(self, data: Any) -> None: ...


Frame = dict[str, Any]


def until(socket: Socket, wanted: Callable[[Frame], bool], limit: int = 20) -> list[Frame]:
    """Frames received up to and including the first `wanted` one."""
    seen: list[Frame] = []
    for _ in range(limit):
        frame: Frame = socket.receive_json()
        seen.append(frame)
        if wanted(frame):
            return seen
    raise AssertionError(f"never received the frame wanted; got {seen}")


def is_message(text: str) -> Callable[[Frame], bool]:
    return lambda f: f.get("type") == "message" and f.get("text") == text


def is_type(kind: str) -> Callable[[Frame], bool]:
    return lambda f: f.get("type") == kind


def send_frame(text: str, chat_id: int | None = None, client_id: str | None = None) -> Frame:
    frame: Frame = {"type": "send", "client_id": client_id or uuid.uuid4().hex, "text": text}
    if chat_id is not None:
        frame["chat_id"] = chat_id
    return frame


def messages(frames: list[Frame]) -> list[Frame]:
    return [f for f in frames if f.get("type") == "message"]


def start_chat(client: TestClient, name: str = "Sam") -> dict[str, Any]:
    """Open a chat as the public do: its id and the visitor's token."""
    answer = client.post("/api/chat/start", json={"name": name})
    assert answer.status_code == 201, answer.text
    opened: dict[str, Any] = answer.json()
    return opened


def join(visitor: Socket, opened: dict[str, Any]) -> None:
    """The visitor's socket says hello with its token and waits for the chat's status."""
    visitor.send_json({"type": "hello", "token": opened["token"], "after": 0})
    until(visitor, is_type("status"))
