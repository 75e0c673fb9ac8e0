"""Quality assurance rules: which contacts are sampled for review and why, what a review must
hold, and the monthly figures drawn from reviews. Pure: time and randomness come in as
arguments, so a test fixes both and knows the exact sample.

Two kinds of sample. A random share of each member of staff's contacts, drawn per person per
day (a day is drawn once, so running the sampler twice never draws twice); and risk-based
samples, where a decision deserves a second look whoever made it: a hidden-harm prompt
dismissed, a grade lowered at re-THRIVE, a repeat caller told "no police action", a re-THRIVE
that was late.
"""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial

from firstcontact.platform.model import FieldErrors, ValidationError, plain_text
from firstcontact.risk.model import Grade

NOTE_MAX = 2000
NOT_APPLICABLE = "na"


class Reason(enum.StrEnum):
    """Why a contact was sampled; every sample records one."""

    RANDOM = "random"
    HARM_PROMPT_DISMISSED = "harm_prompt_dismissed"
    DOWNGRADED_AT_RETHRIVE = "downgraded_at_rethrive"
    REPEAT_CALLER_NO_POLICE_ACTION = "repeat_caller_no_police_action"
    MISSED_REVIEW_DEADLINE = "missed_review_deadline"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS = {
    Reason.RANDOM: "Random sample",
    Reason.HARM_PROMPT_DISMISSED: "Hidden-harm prompt dismissed",
    Reason.DOWNGRADED_AT_RETHRIVE: "Grade lowered at re-THRIVE",
    Reason.REPEAT_CALLER_NO_POLICE_ACTION: "Repeat caller graded no police action",
    Reason.MISSED_REVIEW_DEADLINE: "Re-THRIVE deadline missed",
}


@dataclass(frozen=True)
class SamplingPolicy:
    random_percent: float
    """The share of each person's contacts drawn at random, per day they handled contacts."""
    teams: Mapping[str, str]
    """username -> team name; staff not listed are grouped by their role."""
    daily_run_at: time = time(1, 0)
    """London time of day the nightly job samples the day before (quality.nightly)."""


@dataclass(frozen=True)
class Criterion:
    code: str
    title: str
    question: str
    scale: tuple[str, ...]
    """Labels for scores 0 .. len-1, worst first."""
    may_not_apply: bool

    @property
    def top(self) -> int:
        return len(self.scale) - 1


@dataclass(frozen=True)
class HandledContact:
    """A contact someone decided on (graded), the pool random samples are drawn from."""

    contact_id: int
    handler_user_id: int
    decided_at: datetime


@dataclass(frozen=True)
class Candidate:
    """A contact to sample, the reason, whose decision it was and when it happened."""

    contact_id: int
    reason: Reason
    handler_user_id: int | None
    happened_at: datetime
    detail: str = ""

    @property
    def key(self) -> tuple[int, str]:
        return self.contact_id, self.reason.value


def team_of(username: str, role: str, policy: SamplingPolicy, account_team: str = "") -> str:
    """The team a review counts towards: the team on the staff account (the one the Victims'
    Code figures split by), else the QA policy's list, else the person's role."""
    return (account_team.strip() or policy.teams.get(username)
            or role.replace("_", " ").capitalize())


def draw_count(pool_size: int, percent: float) -> int:
    """How many of a day's contacts to draw: the share rounded up, so anyone who handled any
    contact on a day can be sampled even at a small share."""
    return min(pool_size, math.ceil(pool_size * percent / 100))


def random_samples(pool: Sequence[HandledContact], percent: float,
                   rng: random.Random) -> list[Candidate]:
    """A random share of one person's contacts on one day. The pool is sorted first, so the
    same seed always gives the same sample whatever order the database returned."""
    ordered = sorted(pool, key=lambda c: c.contact_id)
    chosen = rng.sample(ordered, draw_count(len(ordered), percent))
    return [Candidate(c.contact_id, Reason.RANDOM, c.handler_user_id, c.decided_at,
                      f"drawn at {percent:g}% from {len(ordered)} contacts that day")
            for c in sorted(chosen, key=lambda c: c.contact_id)]


def is_downgrade(previous: str, now_graded: str) -> bool:
    """A re-THRIVE that lowered the grade (a less urgent response than before)."""
    return Grade(now_graded).urgency > Grade(previous).urgency


def review_was_late(was_due_at: datetime, reviewed_at: datetime | None, now: datetime) -> bool:
    """A re-THRIVE done after its due minute, or still not done now its minute has passed."""
    return (reviewed_at or now) > was_due_at


def is_repeat_caller(earlier: Iterable[datetime], at: datetime, contacts: int,
                     days: int) -> bool:
    """Whether the caller had reached the repeat-caller count (this contact included) at the
    time of this contact: the force's rule from the people room's policy."""
    since = at - timedelta(days=days)
    return sum(1 for moment in earlier if since < moment <= at) >= contacts


def new_candidates(candidates: Iterable[Candidate],
                   taken: set[tuple[int, str]]) -> list[Candidate]:
    """Candidates not already sampled for the same reason, each once, in contact order."""
    fresh: dict[tuple[int, str], Candidate] = {}
    for candidate in candidates:
        if candidate.key not in taken:
            fresh.setdefault(candidate.key, candidate)
    return sorted(fresh.values(), key=lambda c: (c.contact_id, c.reason.value))


@dataclass(frozen=True)
class ReviewForm:
    scores: dict[str, int | None]
    """criterion code -> score; None where the criterion did not apply."""
    notes: dict[str, str]
    summary: str


def _score(criterion: Criterion, value: object) -> int | None:
    field = f"scores.{criterion.code}"
    text = "" if value is None else str(value).strip()
    if text == NOT_APPLICABLE and criterion.may_not_apply:
        return None
    if not text:
        raise ValidationError(field, f"Choose a score for {criterion.title}")
    if not text.lstrip("-").isdigit() or not 0 <= int(text) <= criterion.top:
        allowed = f"a whole number from 0 to {criterion.top}"
        if criterion.may_not_apply:
            allowed += f" or {NOT_APPLICABLE!r}"
        raise ValidationError(field, f"Score must be {allowed}")
    return int(text)


def parse_review(scores: Mapping[str, object], notes: Mapping[str, object], summary: object,
                 criteria: Sequence[Criterion]) -> ReviewForm:
    """A reviewer's scores and notes, checked against the criteria. Every field at fault is
    named (`scores.<code>`, `notes.<code>`, `summary`); unknown criteria are refused."""
    errors = FieldErrors()
    known = {c.code for c in criteria}
    for code in [*scores, *notes]:
        if code not in known:
            kind = "scores" if code in scores else "notes"
            errors.errors.setdefault(f"{kind}.{code}", "Not a criterion on this review form")
    parsed: dict[str, int | None] = {}
    written: dict[str, str] = {}
    for c in criteria:
        parsed[c.code] = errors.check(partial(_score, c, scores.get(c.code)))
        written[c.code] = errors.check(partial(plain_text, f"notes.{c.code}",
                                               str(notes.get(c.code) or ""),
                                               max_chars=NOTE_MAX)) or ""
    text = errors.check(lambda: plain_text("summary", str(summary or ""), max_chars=NOTE_MAX,
                                           required=True))
    errors.raise_any()
    return ReviewForm(parsed, written, text or "")


def acknowledgement(comment: object) -> str:
    """What the handler writes when they acknowledge feedback (optional)."""
    return plain_text("comment", str(comment or ""), max_chars=NOTE_MAX)


@dataclass(frozen=True)
class Average:
    """One criterion's average score in a group of reviews, as a share of its top score."""

    code: str
    reviews: int
    mean: float | None
    percent: float | None


def averages(scored: Iterable[Mapping[str, int | None]],
             criteria: Sequence[Criterion]) -> list[Average]:
    """Per criterion: the mean score over the reviews that scored it (not-applicable ones are
    left out), and that mean as a percentage of the top score, so criteria compare."""
    every = list(scored)
    found = []
    for c in criteria:
        values = [s[c.code] for s in every if s.get(c.code) is not None]
        numbers = [v for v in values if v is not None]
        mean = round(sum(numbers) / len(numbers), 2) if numbers else None
        percent = round(100 * sum(numbers) / (len(numbers) * c.top), 1) if numbers else None
        found.append(Average(c.code, len(numbers), mean, percent))
    return found


def month_of(moment: datetime) -> str:
    return f"{moment:%Y-%m}"


def months_back(today: date, months: int) -> date:
    """The first day of the month `months` before today's month (0: this month)."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def parse_days(raw_from: object, raw_to: object, today: date,
               default_months: int = 5) -> tuple[date, date]:
    """The days asked for (YYYY-MM-DD, both inclusive), by default the last few months to
    today. Both fields are checked and named at once."""
    errors = FieldErrors()
    first = errors.check(partial(_day, "from", raw_from, months_back(today, default_months)))
    last = errors.check(partial(_day, "to", raw_to, today))
    if first and last and last < first:
        errors.errors["to"] = "Must be on or after the first day"
    errors.raise_any()
    assert first is not None and last is not None
    return first, last


def _day(field: str, raw: object, default: date) -> date:
    if raw in (None, ""):
        return default
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationError(field, "Enter a date as YYYY-MM-DD") from None
