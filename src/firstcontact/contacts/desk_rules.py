"""The digital desk's rules: when a reply is due, when it is late, and what reads as danger.

Pure functions over values (the policy, the text, `now`), so the rules are tested to the minute
without a database. The policy itself is data (contacts/policy/desk.toml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from firstcontact.contacts.model import Channel

DESK_CHANNELS = (Channel.ONLINE, Channel.CHAT, Channel.EMAIL, Channel.SOCIAL)
"""The channels the digital desk answers; 999, 101 and the front counter are answered live."""


@dataclass(frozen=True)
class DeskPolicy:
    reply_targets: dict[Channel, timedelta]
    danger_phrases: tuple[str, ...]
    source: str = ""


def reply_due_at(policy: DeskPolicy, channel: Channel, received_at: datetime) -> datetime:
    """The first reply is due this long after the message arrived, by channel."""
    return received_at + policy.reply_targets[channel]


def danger_phrase(policy: DeskPolicy, text: str) -> str | None:
    """The first danger phrase found in `text` as whole words, ignoring case; None if none.

    A match only moves the contact up the queue for a person to read now: it never grades it.
    """
    folded = " ".join(text.casefold().replace("\u2019", "'").split())
    for phrase in policy.danger_phrases:
        if re.search(rf"(?<!\w){re.escape(phrase.casefold())}(?!\w)", folded):
            return phrase
    return None


def is_breached(reply_due: datetime, replied_at: datetime | None, now: datetime) -> bool:
    """Late: no reply yet and the target time has come."""
    return replied_at is None and now >= reply_due


def queue_order(urgent: bool, reply_due: datetime, contact_id: int) -> tuple[int, datetime, int]:
    """Danger first, then the soonest reply target, then the oldest contact."""
    return (0 if urgent else 1, reply_due, contact_id)
