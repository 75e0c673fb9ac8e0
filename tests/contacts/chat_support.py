"""Talking to the live-chat websockets from tests: frames gathered until the one wanted."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Protocol


class Socket(Protocol):
    def receive_json(self) -> Any: ...


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
