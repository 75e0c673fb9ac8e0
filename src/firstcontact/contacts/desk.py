"""The digital desk's queue: every contact by a digital channel, with its reply target.

A contact joins the queue in the intake pipeline (after it is safely stored); its reply target
is a deadline the timer loop keeps, and when it passes unanswered the item is marked breached.
Text that reads as danger puts the contact first, for a person to read now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from firstcontact.contacts import service
from firstcontact.contacts.desk_rules import (
    DESK_CHANNELS,
    DeskPolicy,
    danger_phrase,
    queue_order,
    reply_due_at,
)
from firstcontact.contacts.model import Channel
from firstcontact.contacts.tables import ContactRow, DeskItemRow
from firstcontact.platform import audit, deadlines
from firstcontact.platform.audit import AuditAction
from firstcontact.platform.db import stage_event
from firstcontact.platform.deadlines import Deadline, DeadlineHandler
from firstcontact.platform.events import Event
from firstcontact.platform.model import SYSTEM, Actor, Conflict, NotFound, Permission
from firstcontact.platform.policyfile import fail, line_of, read_toml
from firstcontact.platform.runtime import Runtime

POLICY_FILE = Path(__file__).resolve().parent / "policy" / "desk.toml"
REPLY_DEADLINE = "desk_reply_due"
SUBJECT = "desk_item"


def load_policy(path: Path = POLICY_FILE) -> DeskPolicy:
    """Read and check desk.toml; a mistake names the file, the line and the field."""
    data, text = read_toml(path)
    targets = data.get("reply_targets")
    if not isinstance(targets, dict):
        raise fail(path, 0, "reply_targets", "a [reply_targets] table is required")
    reply_targets: dict[Channel, timedelta] = {}
    for channel in DESK_CHANNELS:
        minutes = targets.get(channel.value)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
            raise fail(path, line_of(text, channel.value), f"reply_targets.{channel.value}",
                        "must be a whole number of minutes above 0")
        reply_targets[channel] = timedelta(minutes=minutes)
    for name in targets:
        if name not in {c.value for c in DESK_CHANNELS}:
            raise fail(path, line_of(text, name), f"reply_targets.{name}",
                        f"not a digital channel; use one of {[c.value for c in DESK_CHANNELS]}")
    phrases = data.get("danger_phrases")
    if not isinstance(phrases, list) or not phrases or not all(
            isinstance(p, str) and p.strip() for p in phrases):
        raise fail(path, line_of(text, "danger_phrases"), "danger_phrases",
                    "must be a list of one or more non-empty phrases")
    return DeskPolicy(reply_targets, tuple(p.strip() for p in phrases), str(path))


@cache
def policy() -> DeskPolicy:
    """The policy, read once: the server checks it at start-up (app.py) and stops on a fault."""
    return load_policy()



def place_on_desk(rt: Runtime, session: Session, contact_id: int) -> None:
    """Intake step: a digital contact joins the desk queue with its reply deadline."""
    now = rt.clock.now()
    rules = policy()
    contact = service.load(session, contact_id)
    channel = Channel(contact.channel)
    if channel not in DESK_CHANNELS or session.get(DeskItemRow, contact_id) is not None:
        return
    phrase = danger_phrase(rules, contact.narrative) or ""
    due = reply_due_at(rules, channel, contact.received_at)
    session.add(DeskItemRow(contact_id=contact_id, channel=channel.value, urgent=bool(phrase),
                            danger_phrase=phrase, reply_due_at=due))
    deadlines.schedule(session, REPLY_DEADLINE, SUBJECT, contact_id, due, now)
    audit.record(session, SYSTEM, AuditAction.CREATE, SUBJECT, contact_id,
                 "placed on the digital desk queue", now,
                 {"channel": channel.value, "urgent": bool(phrase)})
    stage_event(session, Event("desk.item_added", {
        "contact_id": contact_id, "channel": channel.value, "urgent": bool(phrase)}))


def reply_target_passed(rt: Runtime, session: Session, deadline: Deadline) -> None:
    """Timer handler: the reply target passed with no reply, so the item shows as breached."""
    item = session.get(DeskItemRow, int(deadline.subject_id))
    if item is None or item.replied_at is not None:
        return
    item.breached_at = deadline.due_at
    stage_event(session, Event("desk.reply_target_breached", {
        "contact_id": item.contact_id, "channel": item.channel}))


DEADLINE_HANDLERS: dict[str, DeadlineHandler] = {REPLY_DEADLINE: reply_target_passed}


@dataclass(frozen=True)
class DeskEntry:
    """One line of the desk queue."""

    contact_id: int
    reference: str
    channel: Channel
    received_at: datetime
    caller_name: str
    narrative: str
    urgent: bool
    danger_phrase: str
    reply_due_at: datetime
    breached: bool


def queue(rt: Runtime, actor: Actor, limit: int = 200) -> list[DeskEntry]:
    """The open desk items, danger first then soonest due. Names are shown, so it is audited."""
    actor.require(Permission.DESK_WORK)
    with rt.database.transaction() as session:
        rows = session.execute(
            select(DeskItemRow, ContactRow)
            .join(ContactRow, ContactRow.id == DeskItemRow.contact_id)
            .where(DeskItemRow.replied_at.is_(None))
            .order_by(DeskItemRow.urgent.desc(), DeskItemRow.reply_due_at, ContactRow.id)
            .limit(limit)).all()
        entries = sorted((_entry(item, contact) for item, contact in rows),
                         key=lambda e: queue_order(e.urgent, e.reply_due_at, e.contact_id))
        if entries:
            audit.record(session, actor, AuditAction.READ, "desk_queue", "",
                         "digital desk queue viewed", rt.clock.now(),
                         {"contact_ids": [e.contact_id for e in entries]})
        return entries


def _entry(item: DeskItemRow, contact: ContactRow) -> DeskEntry:
    return DeskEntry(
        contact_id=contact.id, reference=contact.reference or "",
        channel=Channel(item.channel), received_at=contact.received_at,
        caller_name=contact.caller_name, narrative=contact.narrative, urgent=item.urgent,
        danger_phrase=item.danger_phrase, reply_due_at=item.reply_due_at,
        breached=item.breached_at is not None)


def mark_replied(rt: Runtime, actor: Actor, contact_id: int) -> None:
    """The desk has replied: the item leaves the queue and its reply deadline is cancelled."""
    actor.require(Permission.DESK_WORK)
    with rt.database.transaction() as session:
        item = session.get(DeskItemRow, contact_id)
        if item is None:
            raise NotFound(f"No desk item for contact {contact_id}")
        if item.replied_at is not None:
            raise Conflict("This contact has already been replied to")
        _close(session, actor, item, rt.clock.now())


def close_if_open(session: Session, actor: Actor, contact_id: int, now: datetime) -> bool:
    """Inside a reply's own transaction: a reply sent in the channel answers the desk item,
    so the item leaves the queue with the reply (or not at all if the reply is not stored)."""
    item = session.get(DeskItemRow, contact_id)
    if item is None or item.replied_at is not None:
        return False
    _close(session, actor, item, now)
    return True


def _close(session: Session, actor: Actor, item: DeskItemRow, now: datetime) -> None:
    item.replied_at, item.replied_by_user_id = now, actor.user_id
    deadlines.cancel(session, REPLY_DEADLINE, SUBJECT, item.contact_id, now)
    audit.record(session, actor, AuditAction.UPDATE, SUBJECT, item.contact_id,
                 "desk reply recorded", now, {"late": item.breached_at is not None})
