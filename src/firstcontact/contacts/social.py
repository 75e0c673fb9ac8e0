"""Social-media direct messages in and out: the use cases behind the webhooks and the desk.

Each inbound message is its own transaction: stored once by its platform id (the platforms
retry, and two workers may get the same retry), threaded into its sender's conversation and so
into one Contact (channel "social"), whose narrative grows by a line. A reply goes out through
the platform's adapter first and is recorded once the platform has taken it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from firstcontact.contacts import desk, social_send
from firstcontact.contacts import service as contacts
from firstcontact.contacts.model import AreaType, CallerRelationship, Channel, ContactDraft
from firstcontact.contacts.social_model import (
    InboundMessage,
    Platform,
    grow_narrative,
    narrative_line,
)
from firstcontact.contacts.tables import SocialConversationRow, SocialMessageRow
from firstcontact.platform import audit
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import stage_event
from firstcontact.platform.events import Event
from firstcontact.platform.model import Actor, NotFound, Permission, plain_text
from firstcontact.platform.runtime import Runtime

SUBJECT = "social_conversation"
REPLY_MAX_CHARS = 2_000
"""Messenger's limit, the lowest of the four platforms."""


def webhook_actor(platform: Platform) -> Actor:
    """Who the audit log says stored a message: the platform's webhook, not a person."""
    return Actor(user_id=None, username=f"webhook:{platform.value}", role=None,
                 display_name=f"{platform.label} webhook")


@dataclass(frozen=True)
class MessageView:
    id: int
    direction: str
    """"in" from the public, "out" from the desk."""
    text: str
    sent_at: datetime
    sent_by_user_id: int | None


@dataclass(frozen=True)
class ConversationView:
    id: int
    platform: Platform
    sender_id: str
    sender_name: str
    contact_id: int
    messages: list[MessageView]


@dataclass(frozen=True)
class Ingested:
    stored: int
    repeated: int
    """Messages already stored by an earlier delivery of the same webhook."""
    contact_ids: list[int]


def ingest(rt: Runtime, messages: list[InboundMessage]) -> Ingested:
    """Store every message not stored before; then run intake for the contacts it opened."""
    stored, contact_ids, opened = 0, [], []
    for message in messages:
        outcome = _store_once(rt, message)
        if outcome is None:
            continue
        contact_id, is_new = outcome
        stored += 1
        contact_ids.append(contact_id)
        if is_new:
            opened.append(contact_id)
    for contact_id in opened:
        contacts.run_intake_steps(rt, contact_id)
    return Ingested(stored, len(messages) - stored, contact_ids)


def _store_once(rt: Runtime, message: InboundMessage) -> tuple[int, bool] | None:
    """(contact id, whether the contact is new), or None if it was stored before."""
    try:
        return _store(rt, message)
    except IntegrityError:
        # Another worker stored this message (or opened this conversation) at the same
        # moment: the second attempt sees its row and threads or skips accordingly.
        return _store(rt, message)


def _store(rt: Runtime, message: InboundMessage) -> tuple[int, bool] | None:
    now = rt.clock.now()
    actor = webhook_actor(message.platform)
    with rt.database.transaction() as session:
        if session.scalars(select(SocialMessageRow.id).where(
                SocialMessageRow.platform == message.platform.value,
                SocialMessageRow.platform_message_id == message.message_id)).first():
            return None
        conversation = _conversation_of(session, message.platform, message.sender_id)
        is_new = conversation is None
        if conversation is None:
            conversation = _open_conversation(session, rt, actor, message, now)
        else:
            _add_to_narrative(session, rt, conversation, _who(message), message.text,
                              message.sent_at)
        conversation.last_message_at = now
        row = SocialMessageRow(
            conversation_id=conversation.id, platform=message.platform.value,
            platform_message_id=message.message_id, direction="in", text=message.text,
            sent_at=message.sent_at, recorded_at=now, sent_by_user_id=None)
        session.add(row)
        session.flush()
        audit.record(session, actor, AuditAction.CREATE, SUBJECT, conversation.id,
                     "direct message received from the public", now,
                     {"message_id": row.id, "contact_id": conversation.contact_id})
        if not is_new:  # a new conversation's contact is scanned by its intake, just after
            contacts.grown_in(rt, session, conversation.contact_id,
                              _public_words(session, conversation.id))
        stage_event(session, Event("social.message", {
            "conversation_id": conversation.id, "contact_id": conversation.contact_id,
            "message_id": row.id, "direction": "in", "platform": message.platform.value}))
        return conversation.contact_id, is_new


def _public_words(session: Session, conversation_id: int) -> str:
    """Every message this person has sent in the conversation, in order, one a line."""
    return "\n".join(session.scalars(
        select(SocialMessageRow.text).where(SocialMessageRow.conversation_id == conversation_id,
                                            SocialMessageRow.direction == "in")
        .order_by(SocialMessageRow.id)))


def _conversation_of(session: Session, platform: Platform,
                     sender_id: str) -> SocialConversationRow | None:
    return session.scalars(select(SocialConversationRow).where(
        SocialConversationRow.platform == platform.value,
        SocialConversationRow.sender_id == sender_id)).first()


def _who(message: InboundMessage) -> str:
    return message.sender_name or f"{message.platform.label} user {message.sender_id}"


def _open_conversation(session: Session, rt: Runtime, actor: Actor, message: InboundMessage,
                       now: datetime) -> SocialConversationRow:
    """The first message from this person on this platform opens a Contact for the desk."""
    limit = contacts.limits(rt).narrative_max_chars
    draft = ContactDraft(
        channel=Channel.SOCIAL, caller_name=message.sender_name[:200],
        caller_phone=_phone(message), caller_relationship=CallerRelationship.THIRD_PARTY,
        address=f"Not given ({message.platform.label} message)", area_type=AreaType.URBAN,
        narrative=grow_narrative("", narrative_line(_who(message), message.text,
                                                     message.sent_at), limit),
        language="Not yet asked", accessibility_needs="")
    contact = contacts.add_contact(session, actor, draft, now)
    conversation = SocialConversationRow(
        platform=message.platform.value, sender_id=message.sender_id,
        account_id=message.account_id, sender_name=message.sender_name[:200],
        contact_id=contact.id, started_at=now, last_message_at=now)
    session.add(conversation)
    session.flush()
    return conversation


def _phone(message: InboundMessage) -> str:
    """A WhatsApp sender id is their number in international form without the +."""
    if message.platform is Platform.WHATSAPP and message.sender_id.isdigit():
        return "+" + message.sender_id[:15]
    return ""


def _add_to_narrative(session: Session, rt: Runtime, conversation: SocialConversationRow,
                      who: str, text: str, at: datetime) -> None:
    contact = contacts.load(session, conversation.contact_id)
    contact.narrative = grow_narrative(contact.narrative, narrative_line(who, text, at),
                                       contacts.limits(rt).narrative_max_chars)


def _view(session: Session, row: SocialConversationRow) -> ConversationView:
    messages = session.scalars(select(SocialMessageRow).where(
        SocialMessageRow.conversation_id == row.id).order_by(SocialMessageRow.id)).all()
    return ConversationView(
        id=row.id, platform=Platform(row.platform), sender_id=row.sender_id,
        sender_name=row.sender_name, contact_id=row.contact_id,
        messages=[MessageView(m.id, m.direction, m.text, m.sent_at, m.sent_by_user_id)
                  for m in messages])


def _load(session: Session, conversation_id: int) -> SocialConversationRow:
    row = session.get(SocialConversationRow, conversation_id)
    if row is None:
        raise NotFound(f"No conversation {conversation_id}")
    return row


def read_conversation(rt: Runtime, actor: Actor, conversation_id: int,
                      purpose: str = "digital desk reading a conversation") -> ConversationView:
    actor.require(Permission.CONTACT_READ)
    with rt.database.transaction() as session:
        row = _load(session, conversation_id)
        audit.record(session, actor, AuditAction.READ, SUBJECT, row.id, purpose,
                     rt.clock.now())
        return _view(session, row)


def conversations_for(rt: Runtime, actor: Actor, contact_id: int) -> list[ConversationView]:
    """The conversations threaded into one Contact (normally one)."""
    actor.require(Permission.CONTACT_READ)
    with rt.database.transaction() as session:
        rows = session.scalars(select(SocialConversationRow).where(
            SocialConversationRow.contact_id == contact_id).order_by(
            SocialConversationRow.id)).all()
        for row in rows:
            audit.record(session, actor, AuditAction.READ, SUBJECT, row.id,
                         "digital desk reading a contact's conversations", rt.clock.now())
        return [_view(session, row) for row in rows]


def reply(rt: Runtime, actor: Actor, conversation_id: int, text: str | None) -> MessageView:
    """Send the desk's reply in the channel the person used, then record it with the Contact.

    Raises social_send.DeliveryFailed (nothing recorded) if the platform does not take it.
    """
    actor.require(Permission.SOCIAL_REPLY)
    body = plain_text("text", text, max_chars=REPLY_MAX_CHARS, required=True)
    with rt.database.read() as session:
        row = _load(session, conversation_id)
        platform, account, recipient = Platform(row.platform), row.account_id, row.sender_id
    request = social_send.outbound(rt.settings, platform, account, recipient, body)
    sent_id = social_send.send(rt.settings, request)
    now = rt.clock.now()
    with rt.database.transaction() as session:
        row = _load(session, conversation_id)
        message = SocialMessageRow(
            conversation_id=row.id, platform=row.platform, platform_message_id=sent_id,
            direction="out", text=body, sent_at=now, recorded_at=now,
            sent_by_user_id=actor.user_id)
        session.add(message)
        row.last_message_at = now
        _add_to_narrative(session, rt, row, f"Reply from {actor.display_name or 'the desk'}",
                          body, now)
        desk.close_if_open(session, actor, row.contact_id, now)
        session.flush()
        audit.record(session, actor, AuditAction.DISCLOSE, SUBJECT, row.id,
                     "digital desk replying to the public", now, {"message_id": message.id})
        stage_event(session, Event("social.message", {
            "conversation_id": row.id, "contact_id": row.contact_id,
            "message_id": message.id, "direction": "out", "platform": row.platform}))
        return MessageView(message.id, "out", body, now, actor.user_id)
