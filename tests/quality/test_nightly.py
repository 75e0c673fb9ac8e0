"""The nightly QA sampling job on the timer: it samples the London day just ended at the
policy's time (01:00), to the minute, on GMT, on BST and on the nights the clocks change; it
fires once when two workers race; and a worker starting its timer schedules it if missing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from firstcontact.app import create_app, timer_handlers, wired_runtime
from firstcontact.platform.audit import AuditAction, AuditEntry, verify
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.deadlines import Deadline, DeadlineState, TimerLoop
from firstcontact.platform.policyfile import PolicyError
from firstcontact.platform.runtime import Runtime
from firstcontact.quality import nightly
from firstcontact.quality.policy import load_sampling
from firstcontact.quality.tables import RandomDrawRow
from tests.quality.qa_day import friday
from tests.quality.test_sampling import expected, taken

T = TypeVar("T")


def utc(month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)



def nightly_runs(rt: Runtime) -> list[tuple[str, DeadlineState, datetime]]:
    """The job's deadlines: the day each samples, its state and when it was (or is) due."""
    with rt.database.transaction() as session:
        return [(d.subject_id, d.state, d.due_at) for d in session.scalars(
            select(Deadline).where(Deadline.kind == nightly.NIGHTLY_SAMPLING)
            .order_by(Deadline.id))]


def days_sampled(rt: Runtime) -> list[str]:
    """The periods sampled, from the audit log, in order."""
    with rt.database.transaction() as session:
        return list(session.scalars(select(AuditEntry.subject_id).where(
            AuditEntry.subject_type == "qa_sampling").order_by(AuditEntry.id)))


def pass_at(rt: Runtime, clock: FixedClock, moment: datetime) -> list[str]:
    """One timer pass at `moment`: the days it sampled."""
    clock.set(moment)
    before = len(days_sampled(rt))
    TimerLoop(rt, nightly.DEADLINE_HANDLERS, worker_id="worker-a").run_once()
    return days_sampled(rt)[before:]


def test_each_day_is_sampled_at_one_the_night_after_in_london_time() -> None:
    assert nightly.runs_at(date(2026, 3, 13)) == utc(3, 14, 1, 0)  # GMT
    assert nightly.runs_at(date(2026, 3, 28)) == utc(3, 29, 1, 0)  # 01:00 lost: 02:00 BST
    assert nightly.runs_at(date(2026, 3, 29)) == utc(3, 30, 0, 0)  # 01:00 BST
    assert nightly.runs_at(date(2026, 7, 1)) == utc(7, 2, 0, 0)  # BST
    assert nightly.runs_at(date(2026, 10, 24)) == utc(10, 25, 0, 0)  # the first 01:00 (BST)
    assert nightly.runs_at(date(2026, 10, 25)) == utc(10, 26, 1, 0)  # GMT again


def test_the_job_samples_friday_at_one_on_saturday_and_not_a_minute_before(
        client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    day = friday(client, runtime, clock)
    clock.set(utc(3, 14, 0, 59))
    assert nightly.ensure_scheduled(runtime) is not None
    timer = TimerLoop(runtime, timer_handlers(), worker_id="worker-a")
    timer.run_once()
    assert days_sampled(runtime) == []
    clock.set(utc(3, 14, 1, 0))
    timer.run_once()
    assert days_sampled(runtime) == ["2026-03-13..2026-03-13"]
    assert {s for s in taken(runtime) if s[1] != "random"} == {
        s for s in expected(day) if s[1] != "random"}
    with runtime.database.transaction() as session:  # 5% of each handler's day, rounded up
        assert sorted(session.execute(select(RandomDrawRow.day, RandomDrawRow.drawn))) == [
            (date(2026, 3, 13), 1), (date(2026, 3, 13), 1)]
    assert nightly_runs(runtime) == [
        ("2026-03-13", DeadlineState.FIRED, utc(3, 14, 1, 0)),
        ("2026-03-14", DeadlineState.PENDING, utc(3, 15, 1, 0))]


def test_the_nights_the_clocks_go_forward_and_back_to_the_minute(
        runtime: Runtime, clock: FixedClock) -> None:
    clock.set(utc(3, 28, 12, 0))
    nightly.ensure_scheduled(runtime)  # Friday 27th, due at once: a catch-up run
    assert pass_at(runtime, clock, utc(3, 28, 12, 0)) == ["2026-03-27..2026-03-27"]
    # Sunday 29 March: 01:00 GMT is when the clocks go forward to 02:00 BST.
    assert pass_at(runtime, clock, utc(3, 29, 0, 59)) == []
    assert pass_at(runtime, clock, utc(3, 29, 1, 0)) == ["2026-03-28..2026-03-28"]
    # Monday 30 March, 01:00 BST is midnight UTC.
    assert pass_at(runtime, clock, utc(3, 29, 23, 59)) == []
    assert pass_at(runtime, clock, utc(3, 30, 0, 0)) == ["2026-03-29..2026-03-29"]
    cancel_nightly(runtime)
    clock.set(utc(10, 24, 12, 0))
    nightly.ensure_scheduled(runtime)
    assert pass_at(runtime, clock, utc(10, 24, 12, 0)) == ["2026-10-23..2026-10-23"]
    # Sunday 25 October: 01:00 BST happens first (midnight UTC), then 01:00 GMT an hour later.
    assert pass_at(runtime, clock, utc(10, 24, 23, 59)) == []
    assert pass_at(runtime, clock, utc(10, 25, 0, 0)) == ["2026-10-24..2026-10-24"]
    assert pass_at(runtime, clock, utc(10, 25, 1, 0)) == []
    # Monday 26 October, 01:00 GMT.
    assert pass_at(runtime, clock, utc(10, 26, 0, 59)) == []
    assert pass_at(runtime, clock, utc(10, 26, 1, 0)) == ["2026-10-25..2026-10-25"]


def cancel_nightly(rt: Runtime) -> None:
    """Stop the chain (as if the force had been down since March) to start it again later."""
    with rt.database.transaction() as session:
        for deadline in session.scalars(select(Deadline).where(
                Deadline.kind == nightly.NIGHTLY_SAMPLING,
                Deadline.state == DeadlineState.PENDING)):
            deadline.state = DeadlineState.CANCELLED


def test_a_timer_down_for_days_catches_up_one_day_at_a_time(
        runtime: Runtime, clock: FixedClock) -> None:
    clock.set(utc(3, 14, 0, 30))
    nightly.ensure_scheduled(runtime)
    assert pass_at(runtime, clock, utc(3, 17, 9, 0)) == [
        "2026-03-13..2026-03-13", "2026-03-14..2026-03-14", "2026-03-15..2026-03-15",
        "2026-03-16..2026-03-16"]
    assert nightly_runs(runtime)[-1] == ("2026-03-17", DeadlineState.PENDING, utc(3, 18, 1, 0))


def race(*work: Callable[[], T]) -> list[T]:
    """Run each piece of work in its own thread, released together; their results."""
    together = threading.Barrier(len(work))
    results: list[T] = []

    def run(job: Callable[[], T]) -> None:
        together.wait()
        results.append(job())

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_timer_passes_racing_sample_the_day_once(
        runtime: Runtime, second_worker: Runtime, clock: FixedClock) -> None:
    clock.set(utc(3, 14, 1, 0))
    nightly.ensure_scheduled(runtime)
    fired = race(TimerLoop(runtime, nightly.DEADLINE_HANDLERS, worker_id="worker-a").run_once,
                 TimerLoop(second_worker, nightly.DEADLINE_HANDLERS,
                           worker_id="worker-b").run_once)
    assert sorted(fired) == [0, 1]
    assert days_sampled(runtime) == ["2026-03-13..2026-03-13"]
    assert nightly_runs(runtime) == [
        ("2026-03-13", DeadlineState.FIRED, utc(3, 14, 1, 0)),
        ("2026-03-14", DeadlineState.PENDING, utc(3, 15, 1, 0))]
    with runtime.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == AuditAction.FIRE)) == 1
    assert verify(runtime.database).entries_checked == 2


def test_two_workers_starting_together_schedule_one_nightly_run(
        runtime: Runtime, second_worker: Runtime, clock: FixedClock) -> None:
    clock.set(utc(3, 14, 0, 30))
    added = race(lambda: nightly.ensure_scheduled(runtime),
                 lambda: nightly.ensure_scheduled(second_worker))
    assert sum(1 for deadline in added if deadline is not None) == 1
    assert nightly_runs(runtime) == [("2026-03-13", DeadlineState.PENDING, utc(3, 14, 1, 0))]


def start_and_stop(runtime: Runtime, clock: FixedClock) -> None:
    """Start a worker with its timer on (a pass an hour apart), as `serve` does, then stop."""
    settings = runtime.settings.model_copy(update={"timer_enabled": True,
                                                   "timer_interval_seconds": 3600})
    with TestClient(create_app(settings, runtime=wired_runtime(settings, clock))):
        pass


def test_starting_the_timer_schedules_the_job_if_missing_and_only_then(
        runtime: Runtime, clock: FixedClock) -> None:
    clock.set(utc(3, 14, 0, 30))  # Saturday, before tonight's run for Friday
    start_and_stop(runtime, clock)
    assert nightly_runs(runtime) == [("2026-03-13", DeadlineState.PENDING, utc(3, 14, 1, 0))]
    start_and_stop(runtime, clock)  # a restart adds nothing
    assert len(nightly_runs(runtime)) == 1
    cancel_nightly(runtime)  # e.g. given up after five failures: the next start puts it back
    clock.set(utc(3, 16, 0, 10))
    start_and_stop(runtime, clock)
    assert nightly_runs(runtime)[-1] == ("2026-03-15", DeadlineState.PENDING, utc(3, 16, 1, 0))


def test_the_nightly_time_comes_from_the_policy_file_and_a_mistake_is_named(
        tmp_path: Path) -> None:
    path = tmp_path / "sampling.toml"
    path.write_text('random_percent = 5\ndaily_run_at = "02:30"\n[teams]\n', encoding="utf-8")
    assert load_sampling(path).daily_run_at == time(2, 30)
    path.write_text("random_percent = 5\n[teams]\n", encoding="utf-8")
    assert load_sampling(path).daily_run_at == time(1, 0)
    for wrong in ('"25:00"', '"1am"', "1"):
        path.write_text(f"random_percent = 5\ndaily_run_at = {wrong}\n[teams]\n",
                        encoding="utf-8")
        with pytest.raises(PolicyError, match=r"sampling.toml:2: daily_run_at: must be a Lon"):
            load_sampling(path)
