"""Incidents: what a determination that needs a response opens, and keeps under review."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from firstcontact.contacts.model import LONDON
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


def queue_order(grade: str, review_due_at: datetime) -> tuple[int, datetime]:
    """Most urgent grade first; within a grade, the incident whose review falls due soonest."""
    return (Grade(grade).urgency, review_due_at)
