"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import firstcontact.schema  # noqa: F401
from firstcontact.platform.db import Base, make_engine, migrate


def test_upgrading_an_unmigrated_database_matches_the_models(unmigrated_database: str) -> None:
    migrate(unmigrated_database)
    engine = make_engine(unmigrated_database)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert differences == []
    assert {"contacts", "assessments", "determinations", "incidents", "audit_log",
            "deadlines", "users"} <= tables


def test_upgrading_twice_changes_nothing(unmigrated_database: str) -> None:
    migrate(unmigrated_database)
    migrate(unmigrated_database)


def test_the_migrated_audit_log_is_append_only_on_postgresql(unmigrated_postgres: str) -> None:
    migrate(unmigrated_postgres)
    engine = make_engine(unmigrated_postgres)
    with engine.connect() as connection:
        triggers = connection.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass")).scalars()
        assert "audit_log_append_only" in list(triggers)
    engine.dispose()
