"""The database layer: SQLite in WAL mode, and times that go in as UTC come out as UTC."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import StatementError

from firstcontact.platform.db import Database, UTCDateTime
from firstcontact.platform.runtime import Runtime

moments_metadata = MetaData()
moments = Table("test_moments", moments_metadata,
                Column("id", Integer, primary_key=True), Column("at", UTCDateTime()))

LONDON = ZoneInfo("Europe/London")


def test_sqlite_runs_in_wal_mode(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    try:
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        database.dispose()


@pytest.mark.parametrize("written", [
    datetime(2026, 7, 1, 23, 30, 15, 123456, tzinfo=LONDON),
    datetime(2026, 1, 1, 0, 0, tzinfo=LONDON),
])
def test_a_time_comes_back_as_the_same_instant_in_utc(runtime: Runtime,
                                                       written: datetime) -> None:
    engine = runtime.database.engine
    moments_metadata.create_all(engine)
    try:
        with engine.begin() as connection:
            connection.execute(insert(moments).values(id=1, at=written))
            read = connection.execute(select(moments.c.at)).scalar_one()
    finally:
        moments_metadata.drop_all(engine)
    assert read == written
    assert read.utcoffset() is not None and read.utcoffset().total_seconds() == 0


def test_a_time_without_a_zone_is_refused(runtime: Runtime) -> None:
    engine = runtime.database.engine
    moments_metadata.create_all(engine)
    try:
        with pytest.raises(StatementError, match="naive"), engine.begin() as connection:
            connection.execute(insert(moments).values(id=1, at=datetime(2026, 3, 14, 9, 30)))
    finally:
        moments_metadata.drop_all(engine)


def test_a_read_goes_ahead_while_another_connection_holds_the_write_lock(
        sqlite_url: str) -> None:
    """Per-request sign-in checks read; they must not queue behind a long write."""
    database = Database(sqlite_url)
    database.create_all()
    writer = database.engine.connect()
    holding = writer.begin()  # BEGIN IMMEDIATE: the write lock is now held
    try:
        with database.read() as session:
            assert session.execute(text("SELECT count(*) FROM contacts")).scalar() == 0
    finally:
        holding.rollback()
        writer.close()
        database.dispose()
