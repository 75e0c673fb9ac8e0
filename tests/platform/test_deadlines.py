"""Deadlines: fired at their minute, once, with their effects, whatever the number of workers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.orm import Session

from firstcontact.platform.audit import AuditAction, trail, verify
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import (
    MAX_ATTEMPTS,
    Deadline,
    DeadlineHandler,
    DeadlineState,
    TimerLoop,
    cancel,
    ensure_standing,
    pending_for,
    schedule,
)
from firstcontact.platform.runtime import Runtime

effects_metadata = MetaData()
effects = Table(
    "test_timer_effects", effects_metadata,
    Column("id", Integer, primary_key=True),
    Column("deadline_id", Integer, nullable=False),
    Column("subject_id", String(40), nullable=False),
)
"""What a handler did: one row per firing. Not part of the application's schema."""

REVIEW_DUE = timedelta(hours=3, minutes=30)


def note_effect(_runtime: Runtime, session: Session, deadline: Deadline) -> None:
    session.execute(insert(effects).values(deadline_id=deadline.id,
                                           subject_id=deadline.subject_id))


@pytest.fixture
def effect_table(runtime: Runtime) -> Iterator[Table]:
    effects_metadata.create_all(runtime.database.engine)
    yield effects
    effects_metadata.drop_all(runtime.database.engine)


def effect_count(runtime: Runtime) -> int:
    with runtime.database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(effects)) or 0)


def schedule_review(runtime: Runtime, incident: str, due_in: timedelta = REVIEW_DUE) -> int:
    now = runtime.clock.now()
    with runtime.database.transaction() as session:
        return schedule(session, "rethrive", "incident", incident, now + due_in, now).id


def load(runtime: Runtime, deadline_id: int) -> Deadline:
    with runtime.database.transaction() as session:
        deadline = session.get(Deadline, deadline_id)
        assert deadline is not None
        return deadline


def loop(runtime: Runtime, handler: DeadlineHandler = note_effect) -> TimerLoop:
    return TimerLoop(runtime, {"rethrive": handler}, worker_id="worker-a")


def test_a_review_fires_at_its_due_minute_and_not_a_minute_before(
        runtime: Runtime, clock: FixedClock, effect_table: Table) -> None:
    due_at = clock.now() + REVIEW_DUE
    deadline_id = schedule_review(runtime, "INC-1")
    clock.set(due_at - timedelta(minutes=1))
    assert loop(runtime).run_once() == 0
    assert effect_count(runtime) == 0
    clock.set(due_at)
    assert loop(runtime).run_once() == 1
    fired = load(runtime, deadline_id)
    assert (fired.state, fired.fired_at, fired.fired_by, fired.attempts) == (
        DeadlineState.FIRED, due_at, "worker-a", 1)
    assert effect_count(runtime) == 1
    assert loop(runtime).run_once() == 0


def test_firing_is_written_to_the_audit_log_as_the_system(
        runtime: Runtime, clock: FixedClock, effect_table: Table) -> None:
    schedule_review(runtime, "INC-2", due_in=timedelta(0))
    loop(runtime).run_once()
    with runtime.database.transaction() as session:
        [entry] = trail(session, "incident", "INC-2")
    assert (entry.action, entry.actor_username, entry.detail["kind"]) == (
        AuditAction.FIRE, "system", "rethrive")
    assert verify(runtime.database).ok


def test_a_cancelled_review_never_fires(runtime: Runtime, clock: FixedClock,
                                        effect_table: Table) -> None:
    schedule_review(runtime, "INC-3")
    with runtime.database.transaction() as session:
        assert cancel(session, "rethrive", "incident", "INC-3", clock.now()) == 1
        assert pending_for(session, "incident", "INC-3") == []
    clock.advance(REVIEW_DUE)
    assert loop(runtime).run_once() == 0
    assert effect_count(runtime) == 0


def test_pending_deadlines_are_listed_soonest_first(runtime: Runtime) -> None:
    later = schedule_review(runtime, "INC-4", due_in=timedelta(hours=2))
    sooner = schedule_review(runtime, "INC-4", due_in=timedelta(hours=1))
    schedule_review(runtime, "INC-5")
    with runtime.database.transaction() as session:
        assert [d.id for d in pending_for(session, "incident", "INC-4")] == [sooner, later]


def test_a_standing_job_is_scheduled_only_while_none_of_its_kind_is_waiting(
        runtime: Runtime, clock: FixedClock, effect_table: Table) -> None:
    now = clock.now()

    def ensure(day: str) -> int | None:
        with runtime.database.transaction() as session:
            added = ensure_standing(session, "rethrive", "day", day, now, now)
            return None if added is None else added.id

    first = ensure("2026-03-13")
    assert first is not None
    assert ensure("2026-03-14") is None  # one is waiting, whatever its subject
    assert loop(runtime).run_once() == 1
    assert load(runtime, first).state is DeadlineState.FIRED
    assert ensure("2026-03-14") is not None  # fired: the next may be scheduled


def test_a_failing_handler_rolls_back_its_effects_and_is_retried(
        runtime: Runtime, clock: FixedClock, effect_table: Table) -> None:
    failures = [RuntimeError("records system did not answer")]

    def flaky(rt: Runtime, session: Session, deadline: Deadline) -> None:
        note_effect(rt, session, deadline)
        if failures:
            raise failures.pop()

    deadline_id = schedule_review(runtime, "INC-6", due_in=timedelta(0))
    timer = loop(runtime, flaky)
    assert timer.run_once() == 0
    waiting = load(runtime, deadline_id)
    assert (waiting.state, waiting.attempts, waiting.fired_at) == (
        DeadlineState.PENDING, 1, None)
    assert waiting.last_error == "RuntimeError: records system did not answer"
    assert waiting.due_at == clock.now() + timedelta(minutes=1)
    assert effect_count(runtime) == 0
    clock.advance(timedelta(minutes=1))
    assert timer.run_once() == 1
    assert load(runtime, deadline_id).state is DeadlineState.FIRED
    assert effect_count(runtime) == 1


def test_a_deadline_that_keeps_failing_is_given_up_after_five_attempts(
        runtime: Runtime, clock: FixedClock) -> None:
    def broken(_rt: Runtime, _session: Session, _deadline: Deadline) -> None:
        raise ValueError("no such incident")

    deadline_id = schedule_review(runtime, "INC-7", due_in=timedelta(0))
    timer = loop(runtime, broken)
    for _ in range(MAX_ATTEMPTS + 2):
        timer.run_once()
        clock.advance(timedelta(hours=1))
    given_up = load(runtime, deadline_id)
    assert (given_up.state, given_up.attempts) == (DeadlineState.FAILED, MAX_ATTEMPTS)


def test_a_deadline_of_an_unknown_kind_fails_with_a_clear_reason(runtime: Runtime) -> None:
    now = runtime.clock.now()
    with runtime.database.transaction() as session:
        deadline_id = schedule(session, "vcop_letter", "victim", 12, now, now).id
    assert loop(runtime).run_once() == 0
    unknown = load(runtime, deadline_id)
    assert unknown.state is DeadlineState.FAILED
    assert unknown.last_error == "no handler for deadline kind 'vcop_letter'"


def test_two_workers_racing_over_a_hundred_deadlines_fire_each_exactly_once(
        runtime: Runtime, second_worker: Runtime, effect_table: Table) -> None:
    for number in range(100):
        schedule_review(runtime, f"INC-{number}", due_in=timedelta(0))
    workers = [TimerLoop(runtime, {"rethrive": note_effect}, worker_id="worker-a"),
               TimerLoop(second_worker, {"rethrive": note_effect}, worker_id="worker-b")]
    together = threading.Barrier(2)
    fired: list[int] = []

    def work(timer: TimerLoop) -> None:
        together.wait()
        fired.append(timer.run_once())

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(fired) == 100
    with runtime.database.transaction() as session:
        rows = session.execute(select(effects.c.deadline_id)).scalars().all()
        states = session.scalars(select(Deadline.state).distinct()).all()
    assert len(rows) == len(set(rows)) == 100
    assert states == [DeadlineState.FIRED]
    assert verify(runtime.database).entries_checked == 100


def test_the_loop_fires_in_the_background_and_stops_promptly(
        runtime: Runtime, effect_table: Table) -> None:
    runtime.settings.timer_interval_seconds = 0.05
    schedule_review(runtime, "INC-8", due_in=timedelta(0))
    timer = loop(runtime)
    timer.start()
    try:
        deadline = time.monotonic() + 5
        while effect_count(runtime) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        started = time.monotonic()
        timer.stop()
    assert time.monotonic() - started < 1
    assert effect_count(runtime) == 1
