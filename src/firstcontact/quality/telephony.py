"""Call events from the telephony platform, and the measures the force is held to. Pure.

The file format (documented in docs/service-report.md) is one row per call: its id, the line
(999 or 101), when it was offered to the control room, and when it was answered or abandoned,
with the handler who answered. A file is checked whole: every bad row is reported with its
row number and field, and a file with any bad row is refused whole, so an import never leaves
half a day of calls behind.

The measures are exact and stated: a 999 call is "answered within 10 seconds" when no more
than 10 seconds passed from offered to answered (the national standard asks that of 90% of
answered 999 calls); the 90th percentile is the nearest-rank one (the smallest answer time
that at least 90% of calls did not exceed); hours are London hours of the time offered.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from statistics import median
from zoneinfo import ZoneInfo

from firstcontact.platform.model import FieldErrors, ValidationError, plain_text

LONDON = ZoneInfo("Europe/London")
FIELDS = ("call_id", "line", "offered_at", "answered_at", "abandoned_at", "handler")
CALL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
MAX_CALLS = 100_000
"""A day of a large force's calls is a few thousand; a file far beyond that is a mistake."""
TIME_EXAMPLE = "like 2026-03-14T09:30:05+00:00"
MAX_FILE_BYTES = 20 * 1024 * 1024
"""The largest file taken in one upload (page or API): about 150,000 rows of CSV."""


class Line(enum.StrEnum):
    EMERGENCY = "999"
    NON_EMERGENCY = "101"


@dataclass(frozen=True)
class Call:
    """One call as the telephony platform reported it: answered or abandoned, never both."""

    call_id: str
    line: Line
    offered_at: datetime
    answered_at: datetime | None
    abandoned_at: datetime | None
    handler: str

    @property
    def answer_seconds(self) -> float | None:
        if self.answered_at is None:
            return None
        return (self.answered_at - self.offered_at).total_seconds()


# --- Reading a file -----------------------------------------------------------------------


def parse_file(name: str, content: bytes) -> list[Call]:
    """The calls in a CSV or JSON file (chosen by its name's extension), or a ValidationError
    naming every row and field at fault."""
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return parse_csv(content)
    if lowered.endswith(".json"):
        return parse_json(content)
    raise ValidationError("file", "Choose a .csv or .json file of call events")


def _text(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("file", "The file must be UTF-8 text") from None


def parse_csv(content: bytes) -> list[Call]:
    """A CSV with a header row naming the fields; rows are numbered as a spreadsheet shows
    them (the header is row 1)."""
    reader = csv.DictReader(io.StringIO(_text(content), newline=""))
    missing = [f for f in FIELDS if f not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError("header", f"The first row must name the columns; missing: "
                                        f"{', '.join(missing)}")
    return _calls(((number, row) for number, row in enumerate(reader, start=2)))


def parse_json(content: bytes) -> list[Call]:
    """A JSON object {"calls": [...]}; rows are numbered from 1 in the order given."""
    try:
        data = json.loads(_text(content))
    except json.JSONDecodeError as error:
        raise ValidationError("file", f"Not valid JSON (line {error.lineno}: "
                                      f"{error.msg})") from None
    return parse_calls(data)


def parse_calls(data: object) -> list[Call]:
    """Calls given as already-decoded JSON (the API's body)."""
    calls = data.get("calls") if isinstance(data, dict) else None
    if not isinstance(calls, list):
        raise ValidationError("calls", 'Send an object with a list of calls: {"calls": [...]}')
    rows = []
    for number, item in enumerate(calls, start=1):
        if not isinstance(item, dict):
            raise ValidationError(f"row {number}", "Each call must be an object")
        rows.append((number, {k: None if v is None else str(v) for k, v in item.items()}))
    return _calls(rows)


def _calls(rows: Iterable[tuple[int, Mapping[str, str | None]]]) -> list[Call]:
    errors = FieldErrors()
    calls: list[Call] = []
    first_row: dict[str, int] = {}
    for number, row in rows:
        if number > MAX_CALLS + 1:
            raise ValidationError("file", f"At most {MAX_CALLS:,} calls in one file")
        call = errors.check(partial(parse_call, number, row))
        if call is None:
            continue
        if call.call_id in first_row:
            errors.errors.setdefault(f"row {number}.call_id",
                                     f"{call.call_id} is already in row {first_row[call.call_id]}")
            continue
        first_row[call.call_id] = number
        calls.append(call)
    errors.raise_any()
    if not calls:
        raise ValidationError("file", "The file holds no calls")
    return calls


def parse_call(number: int, row: Mapping[str, str | None]) -> Call:
    """One row; every field at fault is named as "row N.field"."""
    errors = FieldErrors()
    prefix = f"row {number}."
    call_id = errors.check(lambda: _call_id(prefix, row.get("call_id")))
    line = errors.check(lambda: _line(prefix, row.get("line")))
    offered = errors.check(lambda: _time(prefix + "offered_at", row.get("offered_at"), True))
    answered = errors.check(lambda: _time(prefix + "answered_at", row.get("answered_at")))
    abandoned = errors.check(lambda: _time(prefix + "abandoned_at", row.get("abandoned_at")))
    handler = errors.check(lambda: plain_text(prefix + "handler", row.get("handler"),
                                              max_chars=150))
    errors.raise_any()
    assert call_id is not None and line is not None and offered is not None
    _check_outcome(prefix, offered, answered, abandoned)
    return Call(call_id, line, offered, answered, abandoned, handler or "")


def _call_id(prefix: str, raw: str | None) -> str:
    text = (raw or "").strip()
    if not CALL_ID.fullmatch(text):
        raise ValidationError(prefix + "call_id", "Enter the call's id: 1 to 64 letters, digits "
                                                  "or . _ : - (starting with a letter or digit)")
    return text


def _line(prefix: str, raw: str | None) -> Line:
    try:
        return Line((raw or "").strip())
    except ValueError:
        raise ValidationError(prefix + "line", "Enter the line: 999 or 101") from None


def _time(field: str, raw: str | None, required: bool = False) -> datetime | None:
    text = (raw or "").strip()
    if not text:
        if required:
            raise ValidationError(field, f"Enter the time, {TIME_EXAMPLE}")
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(field, f"Enter a time in ISO 8601, {TIME_EXAMPLE}") from None
    if moment.tzinfo is None:
        raise ValidationError(field, f"Give the time's offset from UTC, {TIME_EXAMPLE}")
    return moment


def _check_outcome(prefix: str, offered: datetime, answered: datetime | None,
                   abandoned: datetime | None) -> None:
    if (answered is None) == (abandoned is None):
        raise ValidationError(prefix + "answered_at",
                              "A call is either answered or abandoned: give one of the two times")
    field, end = ("answered_at", answered) if answered else ("abandoned_at", abandoned)
    assert end is not None
    if end < offered:
        raise ValidationError(prefix + field, "Must not be before the call was offered")


# --- The measures ---------------------------------------------------------------------------


def percentile(values: Sequence[float], percent: int) -> float | None:
    """The nearest-rank percentile: the smallest value that `percent`% of values do not
    exceed (None for no values). Exact and easy to check by hand, unlike interpolation."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(percent * len(ordered) / 100)) - 1]


def median_of(values: Sequence[float]) -> float | None:
    return float(median(values)) if values else None


def share(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`, to one decimal place (None when nothing to divide)."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class LineFigures:
    """One line's calls over a period (or one hour of it)."""

    line: Line
    offered: int
    answered: int
    abandoned: int
    answered_within: int
    """Answered no later than the answer standard's seconds after being offered."""
    median_seconds: float | None
    p90_seconds: float | None

    @property
    def percent_within(self) -> float | None:
        """Of the calls answered, the share answered within the standard's seconds."""
        return share(self.answered_within, self.answered)

    @property
    def abandonment_rate(self) -> float | None:
        return share(self.abandoned, self.offered)


def line_figures(calls: Iterable[Call], line: Line, within_seconds: int,
                 percent: int = 90) -> LineFigures:
    mine = [c for c in calls if c.line is line]
    waits = [c.answer_seconds for c in mine if c.answer_seconds is not None]
    return LineFigures(line, len(mine), len(waits), len(mine) - len(waits),
                       sum(1 for w in waits if w <= within_seconds),
                       median_of(waits), percentile(waits, percent))


def hour_of_day(moment: datetime) -> int:
    """The London clock hour (0 to 23) a moment falls in, GMT or BST as it was."""
    return moment.astimezone(LONDON).hour


def by_hour(calls: Iterable[Call], line: Line, within_seconds: int,
            percent: int = 90) -> list[tuple[int, LineFigures]]:
    """A line's figures for each hour of the day (London) that had calls on it, over every
    day of the calls given: a day's report shows each hour, a month's its daily pattern."""
    hours: dict[int, list[Call]] = {}
    for call in calls:
        if call.line is line:
            hours.setdefault(hour_of_day(call.offered_at), []).append(call)
    return [(hour, line_figures(hours[hour], line, within_seconds, percent))
            for hour in sorted(hours)]


# --- The digital channels' reply times --------------------------------------------------------


@dataclass(frozen=True)
class Awaited:
    """One contact the digital desk owed a reply: when it came, the target, and the reply."""

    channel: str
    received_at: datetime
    reply_due_at: datetime
    replied_at: datetime | None


@dataclass(frozen=True)
class ReplyFigures:
    channel: str
    received: int
    replied: int
    replied_in_time: int
    unanswered_late: int
    """No reply yet and the target has passed (at the end of the period or now, if sooner)."""
    median_minutes: float | None
    p90_minutes: float | None

    @property
    def percent_in_time(self) -> float | None:
        """Of the contacts whose reply is settled (given, or late), the share on time."""
        return share(self.replied_in_time, self.replied + self.unanswered_late)


def reply_figures(items: Iterable[Awaited], channel: str, until: datetime,
                  percent: int = 90) -> ReplyFigures:
    """A channel's reply times. A reply before its target time is in time; at the target
    time the desk already shows it late (contacts.desk_rules.is_breached), and so does this."""
    mine = [i for i in items if i.channel == channel]
    waits = [(i.replied_at - i.received_at) / timedelta(minutes=1) for i in mine
             if i.replied_at is not None]
    return ReplyFigures(
        channel, len(mine), len(waits),
        sum(1 for i in mine if i.replied_at is not None and i.replied_at < i.reply_due_at),
        sum(1 for i in mine if i.replied_at is None and i.reply_due_at <= until),
        median_of(waits), percentile(waits, percent))
