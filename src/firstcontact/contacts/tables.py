"""Where contacts are stored. One row per contact, whichever channel it came by."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
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


# --- The digital desk: online report drafts, public-form rate counts, the desk queue (issue 4a) ---


class OnlineReportRow(Base):
    """An online report as the public fills it in, page by page, and then as sent.

    `draft_key` is the SHA-256 of the random id in the person's cookie, so the database never
    holds a value that would let someone resume another person's report.
    """

    __tablename__ = "online_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_key: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))


class PublicPostCountRow(Base):
    """How many public form posts one address made in one window: the flood limit's counter,
    shared by every worker because it is in the database."""

    __tablename__ = "public_post_counts"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class DeskItemRow(Base):
    """A contact waiting for the digital desk, with its reply target and whether it is urgent."""

    __tablename__ = "desk_items"
    __table_args__ = (Index("ix_desk_items_open", "replied_at", "urgent", "reply_due_at"),)

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    urgent: Mapped[bool] = mapped_column(default=False)
    danger_phrase: Mapped[str] = mapped_column(String(200), default="")
    reply_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replied_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class EmailMessageRow(Base):
    """One email in or out of the digital desk, on the Contact its thread belongs to."""

    __tablename__ = "email_messages"
    __table_args__ = (Index("ix_email_messages_contact", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    direction: Mapped[str] = mapped_column(String(8))
    """"in" from the public, "out" from the desk."""
    sender: Mapped[str] = mapped_column(String(320))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class EmailAttachmentRow(Base):
    """A file that came with an inbound email, kept within the size and type limits."""

    __tablename__ = "email_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_id: Mapped[int] = mapped_column(ForeignKey("email_messages.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
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
