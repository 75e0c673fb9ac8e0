"""Where contacts are stored. One row per contact, whichever channel it came by."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from firstcontact.platform.db import Base, UTCDateTime


class ContactRow(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("idempotency_scope", "idempotency_key", name="uq_contacts_idempotency"),
        Index("ix_contacts_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    caller_name: Mapped[str] = mapped_column(String(200))
    caller_phone: Mapped[str] = mapped_column(String(32))
    caller_relationship: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(500))
    area_type: Mapped[str] = mapped_column(String(16))
    narrative: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(200))
    accessibility_needs: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    idempotency_scope: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    content_hash: Mapped[str] = mapped_column(String(64))


# --- Social-media direct messages (issue 4: the digital desk) ---------------------------------

class SocialConversationRow(Base):
    """One person on one platform, threaded into one Contact."""

    __tablename__ = "social_conversations"
    __table_args__ = (
        UniqueConstraint("platform", "sender_id", name="uq_social_conversations_sender"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    sender_id: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[str] = mapped_column(String(200))
    sender_name: Mapped[str] = mapped_column(String(200))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SocialMessageRow(Base):
    """Every message in and out, kept in full; a platform's id is stored once (they retry)."""

    __tablename__ = "social_messages"
    __table_args__ = (
        UniqueConstraint("platform", "platform_message_id", name="uq_social_messages_platform_id"),
        Index("ix_social_messages_conversation", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("social_conversations.id"))
    platform: Mapped[str] = mapped_column(String(16))
    platform_message_id: Mapped[str] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ChatRow(Base):
    """A live chat: waiting for an agent, then active; its transcript grows the Contact."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """The visitor's browser holds the token; only its hash is kept."""
    status: Mapped[str] = mapped_column(String(16), index=True)
    visitor_name: Mapped[str] = mapped_column(String(200))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    agent_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChatMessageRow(Base):
    """One message, stored before it is acknowledged; the browser's id makes a resend a no-op."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        UniqueConstraint("chat_id", "client_message_id", name="uq_chat_messages_client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id"))
    client_message_id: Mapped[str] = mapped_column(String(64))
    sender: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    agent_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
