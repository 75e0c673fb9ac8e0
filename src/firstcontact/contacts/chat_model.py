"""Live chat's pure rules: who waits how long and what a message may be.

No clock, no database: every rule takes `now`, so the waiting queue is tested to the second.
The flood limits are counted in the database (contacts.flood), shared by every worker.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from firstcontact.platform.model import ValidationError, plain_text

MESSAGE_MAX_CHARS = 2_000
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class ChatStatus(enum.StrEnum):
    WAITING = "waiting"
    ACTIVE = "active"
    CLOSED = "closed"


class Sender(enum.StrEnum):
    PUBLIC = "public"
    AGENT = "agent"


@dataclass(frozen=True)
class Waiting:
    """One chat in the queue, as the desk sees it."""

    chat_id: int
    visitor_name: str
    requested_at: datetime
    wait_seconds: int


def queue_order(chats: list[tuple[int, str, datetime]], now: datetime) -> list[Waiting]:
    """Longest wait first, with each chat's wait so far (never negative)."""
    ordered = sorted(chats, key=lambda chat: (chat[2], chat[0]))
    return [Waiting(chat_id, name, at, max(0, int((now - at).total_seconds())))
            for chat_id, name, at in ordered]


def position_in_queue(queue: list[Waiting], chat_id: int) -> int | None:
    """1 for the next chat an agent will take; None once it is no longer waiting."""
    for index, waiting in enumerate(queue, start=1):
        if waiting.chat_id == chat_id:
            return index
    return None


def message_text(value: object) -> str:
    """A chat message as typed: plain text, 1 to 2,000 characters, no markup."""
    if not isinstance(value, str):
        raise ValidationError("text", "Enter a message")
    return plain_text("text", value, max_chars=MESSAGE_MAX_CHARS, required=True)


def client_message_id(value: object) -> str:
    """The id the sender's browser gave a message, so a resend is recognised, not repeated."""
    if not isinstance(value, str) or not CLIENT_ID.match(value):
        raise ValidationError("client_id", "Must be 8 to 64 letters, digits, - or _")
    return value


def visitor_name(value: object) -> str:
    name = plain_text("name", value if isinstance(value, str) else "", max_chars=100)
    return name or "Member of the public"
