"""Repeat callers, frequent callers and repeat victims: counting a Person's contacts in rolling
windows and raising the flags the force's policy (policy/repeat.toml) defines. Pure rules.

There is no single national definition (see docs/people.md): the defaults follow common
practice (repeat caller: 3 or more contacts in 28 days; frequent caller, as the NHS frequent
caller network uses it: 5 or more in a month or 12 or more in 3 months; repeat victim: a victim
again within 12 months), and a force sets its own.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


class Flag(enum.StrEnum):
    REPEAT_CALLER = "repeat_caller"
    FREQUENT_CALLER = "frequent_caller"
    REPEAT_VICTIM = "repeat_victim"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Threshold:
    contacts: int
    days: int

    def describe(self) -> str:
        return f"{self.contacts} or more contacts in {self.days} days"


@dataclass(frozen=True)
class RepeatPolicy:
    windows_days: tuple[int, ...]
    repeat_caller: Threshold
    frequent_caller: tuple[Threshold, ...]
    repeat_victim_days: int


@dataclass(frozen=True)
class PastContact:
    """One contact by this Person (on any channel), and whether they were the victim."""

    received_at: datetime
    as_victim: bool


@dataclass(frozen=True)
class Raised:
    flag: Flag
    why: str


def count_within(contacts: Sequence[PastContact], now: datetime, days: int) -> int:
    """Contacts in the `days` up to and including `now` (a rolling window, not a calendar)."""
    since = now - timedelta(days=days)
    return sum(1 for c in contacts if since < c.received_at <= now)


def window_counts(contacts: Sequence[PastContact], now: datetime,
                  policy: RepeatPolicy) -> dict[int, int]:
    return {days: count_within(contacts, now, days) for days in policy.windows_days}


def flags(contacts: Sequence[PastContact], now: datetime, policy: RepeatPolicy) -> list[Raised]:
    """The flags this Person's contacts raise now, each with the rule that raised it."""
    raised: list[Raised] = []
    rule = policy.repeat_caller
    if count_within(contacts, now, rule.days) >= rule.contacts:
        raised.append(Raised(Flag.REPEAT_CALLER, rule.describe()))
    for rule in policy.frequent_caller:
        if count_within(contacts, now, rule.days) >= rule.contacts:
            raised.append(Raised(Flag.FREQUENT_CALLER, rule.describe()))
            break
    since = now - timedelta(days=policy.repeat_victim_days)
    as_victim = [c for c in contacts if c.as_victim and since < c.received_at <= now]
    if len(as_victim) >= 2:
        raised.append(Raised(Flag.REPEAT_VICTIM,
                             f"a victim {len(as_victim)} times in "
                             f"{policy.repeat_victim_days} days"))
    return raised
