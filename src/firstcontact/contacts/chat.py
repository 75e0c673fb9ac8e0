"""Live chat's use cases: open a chat, queue it, an agent takes it, messages in both directions.

A chat opens a Contact (channel "chat") at once, so a person who gives up waiting is still on
the desk's list. Every message is committed before its sender is told it was sent; the
browser's own message id makes a resend after a dropped connection a no-op. Each commit puts
"chat.message" or "chat.queue" on the bus, which reaches every worker's websockets.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from firstcontact.contacts import flood
from firstcontact.contacts import service as contacts
from firstcontact.contacts.chat_model import (
    ChatStatus,
    Sender,
    Waiting,
    client_message_id,
    message_text,
    queue_order,
    visitor_name,
)
from firstcontact.contacts.model import AreaType, CallerRelationship, Channel, ContactDraft
from firstcontact.contacts.social_model import grow_narrative, narrative_line
from firstcontact.contacts.tables import ChatMessageRow, ChatRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import stage_event
from firstcontact.platform.events import Event
from firstcontact.platform.model import Actor, Conflict, NotFound, Permission
from firstcontact.platform.runtime import Runtime

SUBJECT = "chat"


def start_wait(rt: Runtime, address: str) -> int:
    """Count a chat opened from `address`: 0 to go ahead, else seconds to wait (every worker
    counts into the same database row, so the limit holds however many workers there are)."""
    return flood.retry_after(rt, "chat-start", address, rt.settings.chat_starts_per_hour,
                             timedelta(hours=1))


def message_wait(rt: Runtime, address: str) -> int:
    """Count a chat message sent from `address`: 0 to go ahead, else seconds to wait."""
    return flood.retry_after(rt, "chat-message", address,
                             rt.settings.chat_messages_per_minute, timedelta(minutes=1))
VISITOR = Actor(user_id=None, username="public:chat", role=None,
                display_name="Member of the public (live chat)")


@dataclass(frozen=True)
class ChatView:
    id: int
    status: ChatStatus
    visitor_name: str
    contact_id: int
    agent_user_id: int | None


@dataclass(frozen=True)
class ChatMessage:
    id: int
    chat_id: int
    client_id: str
    sender: Sender
    text: str
    sent_at: datetime

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "chat_id": self.chat_id, "client_id": self.client_id,
                "sender": self.sender.value, "text": self.text,
                "sent_at": self.sent_at.isoformat()}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _chat_view(row: ChatRow) -> ChatView:
    return ChatView(row.id, ChatStatus(row.status), row.visitor_name, row.contact_id,
                    row.agent_user_id)


def _message(row: ChatMessageRow) -> ChatMessage:
    return ChatMessage(row.id, row.chat_id, row.client_message_id, Sender(row.sender), row.text,
                       row.sent_at)


def start_chat(rt: Runtime, name: object) -> tuple[ChatView, str]:
    """Open a chat and its Contact; the token is the visitor's key to it (shown once)."""
    who = visitor_name(name)
    token = secrets.token_urlsafe(32)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        draft = ContactDraft(
            channel=Channel.CHAT, caller_name=who, caller_phone="",
            caller_relationship=CallerRelationship.THIRD_PARTY,
            address="Not given (live chat)", area_type=AreaType.URBAN,
            narrative=narrative_line(who, "started a live chat", now),
            language="Not yet asked", accessibility_needs="")
        contact = contacts.add_contact(session, VISITOR, draft, now)
        row = ChatRow(token_hash=_digest(token), status=ChatStatus.WAITING.value,
                      visitor_name=who, contact_id=contact.id, requested_at=now)
        session.add(row)
        session.flush()
        audit.record(session, VISITOR, AuditAction.CREATE, SUBJECT, row.id,
                     "live chat requested by the public", now, {"contact_id": contact.id})
        stage_event(session, Event("chat.queue", {"chat_id": row.id}))
        chat = _chat_view(row)
    contacts.run_intake_steps(rt, chat.contact_id)
    return chat, token


def chat_for_token(rt: Runtime, token: str) -> ChatView | None:
    with rt.database.read() as session:
        row = session.scalars(select(ChatRow).where(ChatRow.token_hash == _digest(token))).first()
        return None if row is None else _chat_view(row)


def waiting_queue(rt: Runtime) -> list[Waiting]:
    """Chats no agent has taken yet, longest wait first (names only: no audit needed)."""
    with rt.database.read() as session:
        rows = session.execute(select(ChatRow.id, ChatRow.visitor_name, ChatRow.requested_at)
                               .where(ChatRow.status == ChatStatus.WAITING.value)).all()
    return queue_order([(r[0], r[1], r[2]) for r in rows], rt.clock.now())


def take_chat(rt: Runtime, actor: Actor, chat_id: int) -> ChatView:
    """The agent takes a waiting chat; if another agent took it first, Conflict."""
    actor.require(Permission.CHAT_ANSWER)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        taken = session.execute(update(ChatRow).where(
            ChatRow.id == chat_id, ChatRow.status == ChatStatus.WAITING.value).values(
            status=ChatStatus.ACTIVE.value, agent_user_id=actor.user_id, taken_at=now))
        row = _load(session, chat_id)
        if getattr(taken, "rowcount", 0) != 1 and row.agent_user_id != actor.user_id:
            raise Conflict("Another agent has already taken this chat.")
        audit.record(session, actor, AuditAction.READ, SUBJECT, chat_id,
                     "digital desk answering a live chat", now, {"contact_id": row.contact_id})
        stage_event(session, Event("chat.queue", {"chat_id": chat_id}))
        return _chat_view(row)


def _load(session: Session, chat_id: int) -> ChatRow:
    row = session.get(ChatRow, chat_id)
    if row is None:
        raise NotFound(f"No chat {chat_id}")
    return row


def chat_for_agent(rt: Runtime, actor: Actor, chat_id: int) -> ChatView:
    """A chat this agent has taken (others are not theirs to write in). Reopening its
    transcript (after a reload) is a read of it, so it is audited."""
    actor.require(Permission.CHAT_ANSWER)
    with rt.database.transaction() as session:
        row = _load(session, chat_id)
        if row.agent_user_id != actor.user_id:
            raise Conflict("Take this chat before writing in it.")
        audit.record(session, actor, AuditAction.READ, SUBJECT, chat_id,
                     "digital desk resuming a live chat", rt.clock.now(),
                     {"contact_id": row.contact_id})
        return _chat_view(row)


def post_message(rt: Runtime, chat: ChatView, sender: Sender, client_id: object, text: object,
                 actor: Actor | None = None) -> tuple[ChatMessage, bool]:
    """Store a message once per browser id: (the message, whether this call stored it)."""
    cid, body = client_message_id(client_id), message_text(text)
    try:
        return _store(rt, chat, sender, cid, body, actor or VISITOR)
    except IntegrityError:  # the same resend raced itself on another worker
        earlier = _earlier(rt, chat.id, cid)
        if earlier is None:
            raise
        return earlier, False


def _earlier(rt: Runtime, chat_id: int, client_id: str) -> ChatMessage | None:
    with rt.database.read() as session:
        row = session.scalars(select(ChatMessageRow).where(
            ChatMessageRow.chat_id == chat_id,
            ChatMessageRow.client_message_id == client_id)).first()
        return None if row is None else _message(row)


def _store(rt: Runtime, chat: ChatView, sender: Sender, client_id: str, text: str,
           actor: Actor) -> tuple[ChatMessage, bool]:
    now = rt.clock.now()
    with rt.database.transaction() as session:
        earlier = session.scalars(select(ChatMessageRow).where(
            ChatMessageRow.chat_id == chat.id,
            ChatMessageRow.client_message_id == client_id)).first()
        if earlier is not None:
            return _message(earlier), False
        row = ChatMessageRow(chat_id=chat.id, client_message_id=client_id, sender=sender.value,
                             text=text, sent_at=now, agent_user_id=actor.user_id)
        session.add(row)
        contact = contacts.load(session, chat.contact_id)
        who = chat.visitor_name if sender is Sender.PUBLIC else (
            f"Agent {actor.display_name or actor.username}")
        contact.narrative = grow_narrative(contact.narrative, narrative_line(who, text, now),
                                           contacts.limits(rt).narrative_max_chars)
        session.flush()
        audit.record(session, actor, AuditAction.CREATE, SUBJECT, chat.id,
                     "live chat message", now, {"message_id": row.id})
        if sender is Sender.PUBLIC:
            contacts.grown_in(rt, session, chat.contact_id, _public_words(session, chat.id))
        stage_event(session, Event("chat.message", {"chat_id": chat.id, "message_id": row.id}))
        return _message(row), True


def _public_words(session: Session, chat_id: int) -> str:
    """Everything the visitor has typed in this chat, in order, one message a line."""
    return "\n".join(session.scalars(
        select(ChatMessageRow.text).where(ChatMessageRow.chat_id == chat_id,
                                          ChatMessageRow.sender == Sender.PUBLIC.value)
        .order_by(ChatMessageRow.id)))


def messages_after(rt: Runtime, chat_id: int, after_id: int) -> list[ChatMessage]:
    """The transcript from just after `after_id`: what a reconnecting browser has not seen."""
    with rt.database.read() as session:
        rows = session.scalars(select(ChatMessageRow).where(
            ChatMessageRow.chat_id == chat_id, ChatMessageRow.id > after_id)
            .order_by(ChatMessageRow.id)).all()
        return [_message(row) for row in rows]


def chats_of_agent(rt: Runtime, actor: Actor) -> list[ChatView]:
    """The chats this agent has taken and not closed: what their console resumes after a
    reload."""
    actor.require(Permission.CHAT_ANSWER)
    with rt.database.read() as session:
        rows = session.scalars(select(ChatRow).where(
            ChatRow.agent_user_id == actor.user_id,
            ChatRow.status == ChatStatus.ACTIVE.value).order_by(ChatRow.id)).all()
        return [_chat_view(row) for row in rows]


def current(rt: Runtime, chat_id: int) -> ChatView:
    """The chat as it stands now (its status changes when an agent takes it)."""
    with rt.database.read() as session:
        return _chat_view(_load(session, chat_id))
