"""Incidents: what a determination that needs a response opens, and keeps under review."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from firstcontact.contacts.model import LONDON
from firstcontact.platform.model import Conflict, ValidationError
from firstcontact.risk.model import Grade


class IncidentStatus(enum.StrEnum):
    OPEN = "open"
    RESOURCED = "resourced"
    AT_SCENE = "at_scene"
    FINALISED = "finalised"


OPEN_STATUSES = (IncidentStatus.OPEN.value, IncidentStatus.RESOURCED.value,
                 IncidentStatus.AT_SCENE.value)
"""Not finalised, spelled out so the status index serves "open incidents" queries."""

NEXT_STATUS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.OPEN: frozenset({IncidentStatus.RESOURCED, IncidentStatus.FINALISED}),
    IncidentStatus.RESOURCED: frozenset({IncidentStatus.AT_SCENE, IncidentStatus.OPEN,
                                         IncidentStatus.FINALISED}),
    IncidentStatus.AT_SCENE: frozenset({IncidentStatus.RESOURCED, IncidentStatus.OPEN,
                                        IncidentStatus.FINALISED}),
    IncidentStatus.FINALISED: frozenset({IncidentStatus.OPEN}),
}
"""Where an incident may go from each status. Back to open when its units are released;
from finalised only by reopening, which keeps everything already recorded."""

STATUS_WORDS = {IncidentStatus.OPEN: "Open", IncidentStatus.RESOURCED: "Resourced",
                IncidentStatus.AT_SCENE: "At scene", IncidentStatus.FINALISED: "Finalised"}


def parse_status(raw: str) -> IncidentStatus:
    try:
        return IncidentStatus(raw.strip())
    except ValueError:
        raise ValidationError("status", "Select a status") from None


def check_move(current: IncidentStatus, to: IncidentStatus) -> None:
    """Refuse a move the lifecycle does not allow, saying what the incident is now."""
    if to not in NEXT_STATUS[current]:
        raise Conflict(f"This incident is {STATUS_WORDS[current].lower()}: it cannot be "
                       f"marked {STATUS_WORDS[to].lower()}")


class ReviewState(enum.StrEnum):
    """Where the incident stands against its re-THRIVE deadline."""

    SCHEDULED = "scheduled"
    DUE = "due"
    ESCALATED = "escalated"
    """Overdue past the policy margin: the team leader has been told."""


def incident_reference(incident_id: int, opened_at: datetime) -> str:
    """The incident log number the control room quotes: the day opened (London) and a number."""
    return f"INC{opened_at.astimezone(LONDON):%y%m%d}-{incident_id:05d}"


@dataclass(frozen=True)
class Standing:
    """How an open incident stands at a moment: the figures a queue sorts and colours by."""

    review_overdue: bool
    response_breached: bool
    minutes_to_review: int


def standing(now: datetime, review_due_at: datetime,
             response_due_at: datetime | None) -> Standing:
    to_review = int((review_due_at - now).total_seconds() // 60)
    breached = response_due_at is not None and now > response_due_at
    return Standing(review_overdue=now >= review_due_at, response_breached=breached,
                    minutes_to_review=to_review)


def dispatch_order(grade: str, response_due_at: datetime | None,
                   opened_at: datetime) -> tuple[int, datetime]:
    """The dispatcher's queue: most urgent grade first; within a grade, the incident closest
    to (or furthest past) its response target, so the longest wait against target leads."""
    return (Grade(grade).urgency, response_due_at or opened_at)


def queue_order(grade: str, review_due_at: datetime) -> tuple[int, datetime]:
    """Most urgent grade first; within a grade, the incident whose review falls due soonest."""
    return (Grade(grade).urgency, review_due_at)


STALE_MESSAGE = ("Someone else changed this incident while you were working on it. "
                 "Nothing you sent was saved: reload the incident, check what changed and "
                 "try again.")


def awaiting_review(review_state: str, review_due_at: datetime, now: datetime) -> bool:
    """In the review-due queue: the deadline has passed (or the timer has flagged it)."""
    return review_state != ReviewState.SCHEDULED.value or now >= review_due_at


def review_order(review_due_at: datetime, grade: str) -> tuple[datetime, int]:
    """The review-due queue: longest overdue first; within a minute, the most urgent grade."""
    return (review_due_at, Grade(grade).urgency)


def parse_version(raw: object) -> int:
    """The incident version a form was drawn from; a form without one is treated as stale."""
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw)
    raise Conflict("This form is out of date: reload the incident and try again")


class UnitStatus(enum.StrEnum):
    AVAILABLE = "available"
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    AT_SCENE = "at_scene"
    UNAVAILABLE = "unavailable"


DEPLOYED = frozenset({UnitStatus.ASSIGNED, UnitStatus.EN_ROUTE, UnitStatus.AT_SCENE})
"""A unit in one of these is committed to an incident."""

UNIT_WORDS = {UnitStatus.AVAILABLE: "available", UnitStatus.ASSIGNED: "assigned",
              UnitStatus.EN_ROUTE: "en route", UnitStatus.AT_SCENE: "at scene",
              UnitStatus.UNAVAILABLE: "unavailable"}


def parse_unit_status(raw: str) -> UnitStatus:
    try:
        return UnitStatus(raw.strip())
    except ValueError:
        raise ValidationError("status", "Select the unit's status") from None


def check_unit_move(call_sign: str, current: UnitStatus, to: UnitStatus) -> None:
    """A deployed unit moves between assigned, en route and at scene; one not deployed moves
    only between available and unavailable. Assigning and releasing are their own actions."""
    both_deployed = current in DEPLOYED and to in DEPLOYED
    both_free = current not in DEPLOYED and to not in DEPLOYED
    if not (both_deployed or both_free):
        raise Conflict(f"{call_sign} is {UNIT_WORDS[current]}: assign or release it instead")


@dataclass(frozen=True)
class Sector:
    code: str
    label: str
    places: tuple[str, ...]


UNSECTORED = "unsectored"


def sector_for(location: str, sectors: tuple[Sector, ...]) -> str:
    """The sector an incident belongs to: the first whose place name is in its location."""
    words = location.casefold()
    return next((s.code for s in sectors if any(p.casefold() in words for p in s.places)),
                UNSECTORED)


@dataclass(frozen=True)
class ResourcePolicy:
    unit_types: dict[str, str]
    skills: dict[str, str]
    sectors: tuple[Sector, ...]


AGE_BANDS: tuple[tuple[str, int], ...] = (("under 1h", 60), ("1-4h", 240), ("4-12h", 720),
                                          ("over 12h", 10**9))
"""How long an open incident has been open, as the team leader reads the board."""


@dataclass(frozen=True)
class Bar:
    """One bar of a server-drawn SVG chart (coordinates in the chart's own units)."""

    x: int
    y: int
    width: int
    height: int
    count: int
    label: str


def bars(counts: list[int], labels: list[str], height: int = 120, width: int = 40) -> list[Bar]:
    """Counts as bars scaled to the largest, left to right."""
    tallest = max(counts, default=0) or 1
    return [Bar(i * (width + 8), height - (c * height) // tallest, width,
                (c * height) // tallest, c, label)
            for i, (c, label) in enumerate(zip(counts, labels, strict=True))]
