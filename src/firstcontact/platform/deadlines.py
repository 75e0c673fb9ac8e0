"""Deadlines in the database, fired by the timer loop: re-THRIVE due, VCOP contact due, chat
reply targets. One mechanism for every time-driven duty, and it survives a restart.

A deadline is claimed and fired in one transaction together with the handler's own work, so
the effects and the "fired" mark commit together or not at all: each deadline's effects happen
exactly once, however many workers run the loop. On PostgreSQL the claim is
`FOR UPDATE SKIP LOCKED`, so workers pass each other by; on SQLite the transaction already
holds the write lock (BEGIN IMMEDIATE). Both confirm the claim with a conditional UPDATE
checked by row count.
"""

from __future__ import annotations

import enum
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from prometheus_client import Gauge
from sqlalchemy import Enum, Index, String, Text, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from firstcontact.platform.audit import AuditAction, record
from firstcontact.platform.db import Base, UTCDateTime
from firstcontact.platform.model import SYSTEM

if TYPE_CHECKING:
    from firstcontact.platform.runtime import Runtime

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
"""After this many failed tries a deadline is 'failed' and waits for a person to look."""


TIMER_LAST_PASS = Gauge("firstcontact_timer_last_pass_timestamp_seconds",
                        "When a timer loop last finished a pass (Unix time; newest worker)",
                        multiprocess_mode="max")
"""Served by /metrics (platform.metrics): an alert when it stops moving finds a dead loop."""


class DeadlineState(enum.StrEnum):
    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Deadline(Base):
    """Something that must happen to a subject at `due_at` (for example "rethrive" on an
    incident)."""

    __tablename__ = "deadlines"
    __table_args__ = (
        Index("ix_deadlines_state_due_at", "state", "due_at"),
        Index("ix_deadlines_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[DeadlineState] = mapped_column(
        Enum(DeadlineState, native_enum=False, length=20,
             values_callable=lambda members: [m.value for m in members]),
        default=DeadlineState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fired_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


DeadlineHandler = Callable[["Runtime", Session, Deadline], None]
"""Does a deadline's work inside the claiming transaction. Raise to roll back and retry."""


def schedule(session: Session, kind: str, subject_type: str, subject_id: str | int,
             due_at: datetime, now: datetime) -> Deadline:
    """Add a pending deadline. To move one, `cancel` it and schedule again."""
    deadline = Deadline(kind=kind, subject_type=subject_type, subject_id=str(subject_id),
                        due_at=due_at, state=DeadlineState.PENDING, attempts=0,
                        created_at=now)
    session.add(deadline)
    session.flush()
    return deadline


STANDING_LOCK = 0x46434444
"""First pg_advisory_xact_lock key of `ensure_standing` ("FCDD"); the kind is the second."""


def ensure_standing(session: Session, kind: str, subject_type: str, subject_id: str | int,
                    due_at: datetime, now: datetime) -> Deadline | None:
    """Schedule a standing job (one pending deadline of its kind at a time, such as the nightly
    QA sampling) unless one of its kind is already pending; returns the new one, or None.

    Two workers starting together add one between them: on PostgreSQL a transaction-scoped
    advisory lock on the kind serialises the check, on SQLite the write lock already does."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:lock, hashtext(:kind))"),
                        {"lock": STANDING_LOCK, "kind": kind})
    waiting = session.scalar(select(Deadline.id).where(
        Deadline.kind == kind, Deadline.state == DeadlineState.PENDING).limit(1))
    if waiting is not None:
        return None
    return schedule(session, kind, subject_type, subject_id, due_at, now)


def cancel(session: Session, kind: str, subject_type: str, subject_id: str | int,
           now: datetime) -> int:
    """Cancel the subject's pending deadlines of this kind; returns how many were cancelled.
    `now` is recorded as the time of the last change."""
    result = session.execute(
        update(Deadline)
        .where(Deadline.kind == kind, Deadline.subject_type == subject_type,
               Deadline.subject_id == str(subject_id),
               Deadline.state == DeadlineState.PENDING)
        .values(state=DeadlineState.CANCELLED, last_error=f"cancelled at {now.isoformat()}")
        .execution_options(synchronize_session="fetch"))
    return int(getattr(result, "rowcount", 0))


def pending_for(session: Session, subject_type: str, subject_id: str | int) -> list[Deadline]:
    """The subject's deadlines still to fire, soonest first."""
    return list(session.scalars(
        select(Deadline)
        .where(Deadline.subject_type == subject_type, Deadline.subject_id == str(subject_id),
               Deadline.state == DeadlineState.PENDING)
        .order_by(Deadline.due_at, Deadline.id)))


def backoff(attempts: int) -> timedelta:
    """How long to wait before trying a failed deadline again: 1, 2, 4, 8 minutes..."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _claim(session: Session, now: datetime, worker_id: str) -> Deadline | None:
    """Take the next due deadline for this worker, or None when nothing is due."""
    while True:
        deadline = session.scalars(
            select(Deadline)
            .where(Deadline.state == DeadlineState.PENDING, Deadline.due_at <= now)
            .order_by(Deadline.due_at, Deadline.id)
            .limit(1)
            .with_for_update(skip_locked=True)).first()
        if deadline is None:
            return None
        claimed = session.execute(
            update(Deadline)
            .where(Deadline.id == deadline.id, Deadline.state == DeadlineState.PENDING)
            .values(state=DeadlineState.FIRED, fired_at=now, fired_by=worker_id,
                    attempts=Deadline.attempts + 1)
            .execution_options(synchronize_session=False))
        session.refresh(deadline)
        if getattr(claimed, "rowcount", 0) == 1:
            return deadline


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class TimerLoop:
    """Fires due deadlines: `run_once` for one pass (tests, the CLI), `start` for a worker's
    background thread. Several loops over one PostgreSQL never fire a deadline twice."""

    def __init__(self, runtime: Runtime, handlers: dict[str, DeadlineHandler],
                 worker_id: str | None = None) -> None:
        self.runtime = runtime
        self.handlers = dict(handlers)
        self.worker_id = worker_id or default_worker_id()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Fire everything due now, one transaction each; returns how many fired."""
        now = self.runtime.clock.now()
        fired = 0
        while not self._stopping.is_set():
            outcome = self._fire_next(now)
            if outcome is None:
                break
            fired += outcome
        TIMER_LAST_PASS.set_to_current_time()
        return fired

    def _fire_next(self, now: datetime) -> bool | None:
        """True if a deadline fired, False if one failed, None if nothing was due."""
        claim: tuple[int, int] | None = None
        try:
            with self.runtime.database.transaction() as session:
                deadline = _claim(session, now, self.worker_id)
                if deadline is None:
                    return None
                claim = (deadline.id, deadline.attempts)
                return self._fire(session, deadline, now)
        except Exception as error:
            if claim is None:
                raise
            self._record_failure(*claim, now, error)
            return False

    def _fire(self, session: Session, deadline: Deadline, now: datetime) -> bool:
        handler = self.handlers.get(deadline.kind)
        if handler is None:
            deadline.state = DeadlineState.FAILED
            deadline.fired_at = None
            deadline.last_error = f"no handler for deadline kind {deadline.kind!r}"
            log.error("deadline %s failed: %s", deadline.id, deadline.last_error,
                      extra={"deadline_id": deadline.id, "kind": deadline.kind})
            return False
        handler(self.runtime, session, deadline)
        record(session, SYSTEM, AuditAction.FIRE, deadline.subject_type, deadline.subject_id,
               purpose=f"{deadline.kind} deadline fell due", at=now,
               detail={"deadline_id": deadline.id, "kind": deadline.kind,
                       "due_at": deadline.due_at.isoformat(), "worker": self.worker_id})
        log.info("deadline %s (%s) fired for %s %s", deadline.id, deadline.kind,
                 deadline.subject_type, deadline.subject_id,
                 extra={"deadline_id": deadline.id, "kind": deadline.kind,
                        "worker": self.worker_id})
        return True

    def _record_failure(self, deadline_id: int, attempt: int, now: datetime,
                        error: Exception) -> None:
        """The handler's work was rolled back; note why and try again later (or give up)."""
        log.error("deadline %s failed on attempt %s", deadline_id, attempt, exc_info=error,
                  extra={"deadline_id": deadline_id, "attempt": attempt})
        giving_up = attempt >= MAX_ATTEMPTS
        with self.runtime.database.transaction() as session:
            session.execute(
                update(Deadline)
                .where(Deadline.id == deadline_id, Deadline.state == DeadlineState.PENDING,
                       Deadline.attempts == attempt - 1)
                .values(attempts=attempt,
                        last_error=f"{type(error).__name__}: {error}"[:2000],
                        due_at=now + backoff(attempt),
                        state=DeadlineState.FAILED if giving_up else DeadlineState.PENDING)
                .execution_options(synchronize_session=False))

    def start(self) -> None:
        """Run a pass every `settings.timer_interval_seconds` in a daemon thread."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"timer-{self.worker_id}",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        interval = self.runtime.settings.timer_interval_seconds
        while not self._stopping.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("timer pass failed; trying again in %ss", interval)
            self._stopping.wait(interval)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the deadline in hand (if any) and wait for the thread to end."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("timer thread still busy after %ss; left to finish", timeout)
                return
            self._thread = None
        self._stopping.clear()
