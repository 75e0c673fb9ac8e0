"""Incidents: what a determination that needs a response opens, and keeps under review."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from firstcontact.risk.model import Grade


class IncidentStatus(enum.StrEnum):
    OPEN = "open"
    RESOURCED = "resourced"
    AT_SCENE = "at_scene"
    FINALISED = "finalised"


class ReviewState(enum.StrEnum):
    """Where the incident stands against its re-THRIVE deadline."""

    SCHEDULED = "scheduled"
    DUE = "due"
    ESCALATED = "escalated"
    """Overdue past the policy margin: the team leader has been told."""


def incident_reference(incident_id: int, opened_at: datetime) -> str:
    """The incident log number the control room quotes: the day opened and a unique number."""
    return f"INC{opened_at:%y%m%d}-{incident_id:05d}"


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
