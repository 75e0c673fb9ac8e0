"""The database: engine, sessions, one-transaction-per-use-case, and migrations.

SQLite (WAL) is the zero-set-up default; PostgreSQL (psycopg 3) is what a force runs. Every
write goes through `Database.transaction()`, which commits and only then hands the events the
transaction staged to the bus, so nothing is announced that was not stored.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Every room's mapped classes derive from this, so one metadata holds the whole schema."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        moment = value.astimezone(UTC)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


STAGED_EVENTS = "staged_events"


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is switched off so that "begin" below decides.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000",
                   "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


READ_ONLY = "firstcontact_read_only"


def _sqlite_begin(connection: Any) -> None:
    # A write transaction takes the write lock at the start, so read-then-write (the audit
    # chain, deadline claims) never races another writer into "database is locked" half way
    # through. A read-only one takes no lock: WAL readers never wait for writers.
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                         json_serializer=lambda obj: json.dumps(obj, default=str))


class Database:
    """One engine and its sessions. `on_commit` receives the events a transaction staged."""

    def __init__(self, url: str, *, on_commit: Callable[[list[Any]], None] | None = None,
                 pool_size: int = 10) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, pool_size=pool_size)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}),
                                          expire_on_commit=False)
        self.on_commit = on_commit
        # SQLite has one writer at a time. Queueing this process's writers on a lock, rather
        # than on SQLite's busy handler (which sleeps and polls), keeps throughput up under
        # load; other processes on the same file still wait on the busy handler.
        self._writer: AbstractContextManager[Any] = (
            threading.RLock() if self.url.startswith("sqlite") else nullcontext())

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One use case: commits on success, rolls back on any exception, then publishes."""
        with self._writer, self.sessions() as session:
            with session.begin():
                yield session
            staged: list[Any] = session.info.pop(STAGED_EVENTS, [])
        if staged and self.on_commit is not None:
            self.on_commit(staged)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction: never blocks or waits for writers (a consistent snapshot).

        Reads of people's records still need the audit log, which is a write: use
        `transaction()` for those.
        """
        with self.read_sessions() as session, session.begin():
            yield session

    def create_all(self) -> None:
        """Build the schema straight from the models (tests); `migrate` is for real databases."""
        import firstcontact.schema  # noqa: F401  (registers every room's tables)

        Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


RowT = TypeVar("RowT")
LARGEST_ID = 2**31 - 1
"""The largest id every table's id column holds: they are INTEGER, which PostgreSQL keeps in
32 bits (SQLite's would hold 64, but the same data must fit both)."""


def get_by_id(session: Session, table: type[RowT], row_id: int) -> RowT | None:
    """`session.get` for an id that came from outside (a URL, a form): an id no column can
    hold is simply not found, instead of a database error and a 500."""
    if not 0 < row_id <= LARGEST_ID:
        return None
    return session.get(table, row_id)


def stage_event(session: Session, event_object: Any) -> None:
    """Queue an event to go out after this session's transaction commits (never before)."""
    session.info.setdefault(STAGED_EVENTS, []).append(event_object)


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision` with Alembic."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
