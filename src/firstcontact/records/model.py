"""Retention rules under Management of Police Information (MoPI): which group a record falls
in, when it falls due for review, and what happens to it then.

Pure: every function takes the record's facts and `today` as values, so a rule is checked to
the day without a database. The schedule itself (periods, groups, what each record type does
when due) is the policy file records/policy/retention.toml.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class RecordType(enum.StrEnum):
    """The kinds of record the retention schedule covers. The values are the audit log's
    subject types, so a disposal's audit entry sits on the record's own trail."""

    CONTACT = "contact"
    INCIDENT = "incident"
    PERSON = "person"
    MISSING_REPORT = "missing_report"
    VICTIM = "victim"
    REFERRAL = "referral"
    CHAT_MESSAGE = "chat_message"
    EMAIL_MESSAGE = "email_message"
    SOCIAL_MESSAGE = "social_message"
    AUDIT_LOG = "audit_log"


class Disposal(enum.StrEnum):
    """What a review that approves disposal does to a record."""

    DELETE = "delete"
    """The row goes: for leaf records nothing else refers to (channel messages)."""
    ANONYMISE = "anonymise"
    """Names, contact details and free text are blanked; ids, times, channel, grade and
    category stay, so references hold and the force's statistics still add up."""
    KEEP = "keep"
    """Never disposed by the review (the audit log: the s.62 record of who did what)."""


@dataclass(frozen=True)
class MopiGroup:
    name: str
    title: str
    review_years: int | None = None
    keep_until_age: int | None = None
    """Group 1: kept until the subject is deemed this old (100), from their date of birth."""


@dataclass(frozen=True)
class RecordRule:
    record_type: RecordType
    disposal: Disposal
    why: str
    group: str | None = None
    """A fixed group for this type; None: the group follows the incident's classification."""


@dataclass(frozen=True)
class RetentionPolicy:
    groups: Mapping[str, MopiGroup]
    rules: Mapping[RecordType, RecordRule]
    qualifier_groups: Mapping[str, str]
    """NSIR qualifier -> group for records it marks (e.g. domestic_abuse -> group_2)."""
    crime_group: str
    """The group of any other crime (MoPI group 3)."""
    other_group: str
    """The group of a record with no crime recorded (force policy)."""


@dataclass(frozen=True)
class Held:
    """One record as the retention review sees it."""

    record_type: RecordType
    record_id: int
    recorded_at: datetime
    category: str = ""
    """The NSIR category of the incident the record belongs to ("" if none)."""
    qualifiers: tuple[str, ...] = ()
    date_of_birth: date | None = None


@dataclass(frozen=True)
class Due:
    """A record whose review date has come, and what approving its disposal will do."""

    held: Held
    group: MopiGroup
    review_on: date
    disposal: Disposal


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def group_of(held: Held, policy: RetentionPolicy) -> MopiGroup:
    """The record's MoPI group: fixed by its type, else the gravest group any of its
    qualifiers calls for, else crime or not (groups sort by name: group_1 is gravest)."""
    fixed = policy.rules[held.record_type].group
    if fixed is not None:
        return policy.groups[fixed]
    marked = sorted(policy.qualifier_groups[q] for q in held.qualifiers
                    if q in policy.qualifier_groups)
    if marked:
        return policy.groups[marked[0]]
    return policy.groups[policy.crime_group if held.category == "crime" else policy.other_group]


def review_date(held: Held, group: MopiGroup) -> date | None:
    """The London day the record falls due for review; None when it cannot be worked out
    (group 1 with no date of birth) and so stays until a person reviews it by hand."""
    if group.keep_until_age is not None:
        if held.date_of_birth is None:
            return None
        return add_years(held.date_of_birth, group.keep_until_age)
    if group.review_years is None:
        return None
    return add_years(held.recorded_at.astimezone(LONDON).date(), group.review_years)


def due_for_review(records: Iterable[Held], policy: RetentionPolicy, today: date) -> list[Due]:
    """The records whose review day is today or past, oldest first; `keep` types never are."""
    found: list[Due] = []
    for held in records:
        rule = policy.rules[held.record_type]
        if rule.disposal is Disposal.KEEP:
            continue
        group = group_of(held, policy)
        on = review_date(held, group)
        if on is not None and on <= today:
            found.append(Due(held, group, on, rule.disposal))
    return sorted(found, key=lambda due: (due.review_on, due.held.record_type, due.held.record_id))
