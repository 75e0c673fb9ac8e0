"""The nightly QA sampling job: a deadline on the platform's timer, so it survives a restart and
runs once however many workers there are.

Each night at the London time in the sampling policy (`daily_run_at`, 01:00), it samples the
London day that has just ended, then schedules the next night's run, in the same transaction.
A worker that starts the timer schedules the job if none is waiting (a new force, or one that
gave up after repeated failures). Sampling a day twice adds nothing (quality.sampling), so a run
that catches up after the timer was down, or a person sampling the same day by hand, is safe.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from firstcontact.platform import deadlines
from firstcontact.platform.clock import LONDON, london
from firstcontact.platform.model import SYSTEM
from firstcontact.platform.runtime import Runtime
from firstcontact.quality.policy import sampling
from firstcontact.quality.sampling import draw_rng, sample_in

NIGHTLY_SAMPLING = "qa_nightly_sampling"
SUBJECT = "qa_sampling_day"
"""The deadline's subject is the London day it samples, as YYYY-MM-DD."""


def runs_at(day: date) -> datetime:
    """When `day` is sampled: the policy's London time on the day after, in UTC.

    On the night the clocks go forward a time in the lost hour is read as GMT (01:00 runs at
    02:00 BST); on the night they go back, an hour that happens twice runs the first time."""
    wall = datetime.combine(day + timedelta(days=1), sampling().daily_run_at, LONDON)
    return wall.astimezone(UTC)


def schedule_night(session: Session, day: date, now: datetime) -> deadlines.Deadline | None:
    """Schedule the sampling of `day`, unless a nightly run is already waiting."""
    return deadlines.ensure_standing(session, NIGHTLY_SAMPLING, SUBJECT, day.isoformat(),
                                     runs_at(day), now)


def ensure_scheduled(rt: Runtime) -> deadlines.Deadline | None:
    """At start-up: if no nightly run is waiting, schedule one for yesterday (London), so the
    job is never lost; it runs at once if tonight's time has already passed."""
    now = rt.clock.now()
    with rt.database.transaction() as session:
        return schedule_night(session, london(now).date() - timedelta(days=1), now)


def sample_the_day(rt: Runtime, session: Session, deadline: deadlines.Deadline) -> None:
    """The timer's work: sample the day, as the platform, then schedule the next night."""
    day = date.fromisoformat(deadline.subject_id)
    sample_in(session, SYSTEM, day, day, draw_rng(), rt.clock.now())
    schedule_night(session, day + timedelta(days=1), rt.clock.now())


DEADLINE_HANDLERS: dict[str, deadlines.DeadlineHandler] = {NIGHTLY_SAMPLING: sample_the_day}
