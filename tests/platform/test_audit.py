"""The audit log: every entry chained to the one before, and any tampering found."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from firstcontact.platform.audit import (
    GENESIS,
    AuditAction,
    AuditEntry,
    recent,
    record,
    trail,
    verify,
)
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.model import Actor, Role
from firstcontact.platform.runtime import Runtime, build_runtime
from firstcontact.settings import Settings
from tests.conftest import empty_postgres
from tests.platform.conftest import tamper

HANDLER = Actor(user_id=7, username="ch.jones", role=Role.CALL_HANDLER, display_name="C Jones")


def write_entries(runtime: Runtime, count: int, subject_id: str = "C-1") -> None:
    for number in range(count):
        with runtime.database.transaction() as session:
            record(session, HANDLER, AuditAction.READ, "contact", subject_id,
                   purpose="reviewing caller history for THRIVE",
                   at=runtime.clock.now() + timedelta(seconds=number),
                   detail={"number": number, "fields": ["name", "address"]})


def test_a_recorded_entry_says_who_did_what_when_and_why(runtime: Runtime) -> None:
    with runtime.database.transaction() as session:
        record(session, HANDLER, AuditAction.DISCLOSE, "contact", 41,
               purpose="referral to children's social care", at=runtime.clock.now(),
               detail={"agency": "CSC", "at": datetime(2026, 3, 14, 9, 0, tzinfo=UTC)})
    with runtime.database.transaction() as session:
        [entry] = trail(session, "contact", "41")
    assert (entry.actor_user_id, entry.actor_username, entry.actor_role) == (
        7, "ch.jones", "call_handler")
    assert entry.action is AuditAction.DISCLOSE
    assert entry.purpose == "referral to children's social care"
    assert entry.at == runtime.clock.now()
    assert entry.at.tzinfo is not None
    assert entry.detail == {"agency": "CSC", "at": "2026-03-14 09:00:00+00:00"}
    assert entry.prev_hash == GENESIS


def test_an_untouched_chain_verifies(runtime: Runtime) -> None:
    write_entries(runtime, 5)
    report = verify(runtime.database)
    assert report.ok, report.reason
    assert report.entries_checked == 5
    assert report.first_bad_id is None


def test_an_empty_log_verifies(runtime: Runtime) -> None:
    assert verify(runtime.database).ok


def test_the_trail_is_oldest_first_and_recent_is_newest_first(runtime: Runtime) -> None:
    write_entries(runtime, 3, subject_id="C-1")
    write_entries(runtime, 2, subject_id="C-2")
    with runtime.database.transaction() as session:
        assert [e.detail["number"] for e in trail(session, "contact", "C-1")] == [0, 1, 2]
        assert [e.id for e in recent(session, 2)] == [5, 4]


def test_several_entries_in_one_transaction_chain_in_order(runtime: Runtime) -> None:
    with runtime.database.transaction() as session:
        for action in (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.READ):
            record(session, HANDLER, action, "contact", "C-9", purpose="new 101 call",
                   at=runtime.clock.now())
    assert verify(runtime.database).entries_checked == 3


def test_entries_of_a_rolled_back_transaction_leave_no_trace(runtime: Runtime) -> None:
    with pytest.raises(RuntimeError), runtime.database.transaction() as session:
        record(session, HANDLER, AuditAction.READ, "contact", "C-1", purpose="look",
               at=runtime.clock.now())
        raise RuntimeError("the use case failed")
    write_entries(runtime, 1)
    report = verify(runtime.database)
    assert report.ok and report.entries_checked == 1


def test_a_time_without_a_zone_is_refused(runtime: Runtime) -> None:
    with pytest.raises(ValueError, match="timezone"), runtime.database.transaction() as session:
        record(session, HANDLER, AuditAction.READ, "contact", "C-1", purpose="look",
               at=datetime(2026, 3, 14, 9, 30))


def test_an_edited_entry_is_detected(runtime: Runtime) -> None:
    write_entries(runtime, 4)
    tamper(runtime, "UPDATE audit_log SET purpose = :purpose WHERE id = 3",
           purpose="nothing to see here")
    report = verify(runtime.database)
    assert not report.ok
    assert report.first_bad_id == 3
    assert report.entries_checked == 2
    assert "altered" in report.reason


def test_a_deleted_entry_is_detected(runtime: Runtime) -> None:
    write_entries(runtime, 4)
    tamper(runtime, "DELETE FROM audit_log WHERE id = 2")
    report = verify(runtime.database)
    assert (report.ok, report.first_bad_id) == (False, 3)
    assert "missing" in report.reason


def test_a_deleted_entry_is_detected_even_when_the_ids_are_closed_up(runtime: Runtime) -> None:
    write_entries(runtime, 4)
    tamper(runtime, "DELETE FROM audit_log WHERE id = 2")
    tamper(runtime, "UPDATE audit_log SET id = id - 1 WHERE id > 2")
    report = verify(runtime.database)
    assert (report.ok, report.first_bad_id) == (False, 2)


def test_a_reordered_chain_is_detected(runtime: Runtime) -> None:
    write_entries(runtime, 4)
    tamper(runtime, "UPDATE audit_log SET id = 100 WHERE id = 2")
    tamper(runtime, "UPDATE audit_log SET id = 2 WHERE id = 3")
    tamper(runtime, "UPDATE audit_log SET id = 3 WHERE id = 100")
    report = verify(runtime.database)
    assert (report.ok, report.first_bad_id) == (False, 2)
    assert "does not follow" in report.reason


def test_postgres_refuses_to_update_or_delete_an_entry(postgres_database: str,
                                                       clock: FixedClock) -> None:
    """SQLite has no trigger to refuse; there `verify` is the defence (tests above)."""
    empty_postgres(postgres_database)
    runtime = build_runtime(Settings(database_url=postgres_database, timer_enabled=False,
                                     log_json=False), clock)
    try:
        write_entries(runtime, 2)
        for statement in ("UPDATE audit_log SET purpose = 'x' WHERE id = 1",
                          "DELETE FROM audit_log WHERE id = 2"):
            with pytest.raises(DBAPIError, match="append-only"), \
                    runtime.database.engine.begin() as connection:
                connection.execute(text(statement))
        assert verify(runtime.database).entries_checked == 2
    finally:
        runtime.bus.close()
        runtime.database.dispose()


def test_four_threads_appending_at_once_make_one_unbroken_chain(runtime: Runtime) -> None:
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def call_handler(number: int) -> None:
        try:
            start.wait()
            write_entries(runtime, 25, subject_id=f"C-{number}")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=call_handler, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = verify(runtime.database)
    assert report.ok, report.reason
    assert report.entries_checked == 100


def test_verify_reads_past_a_page(runtime: Runtime, clock: FixedClock,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("firstcontact.platform.audit.VERIFY_PAGE", 3)
    write_entries(runtime, 7)
    with runtime.database.transaction() as session:
        newest = recent(session, 1)[0]
    report = verify(runtime.database)
    assert (report.ok, report.entries_checked, report.last_hash) == (True, 7, newest.entry_hash)
    assert isinstance(newest, AuditEntry)
