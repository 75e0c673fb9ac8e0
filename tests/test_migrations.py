"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import firstcontact.schema  # noqa: F401
from firstcontact.platform.db import Base, make_engine, migrate
from tests.conftest import throwaway_postgres


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    with throwaway_postgres("fc_migrate") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    if request.param == "sqlite":
        return sqlite_url
    url: str = request.getfixturevalue("empty_postgres")
    return url


def test_upgrading_an_empty_database_matches_the_models(empty_database: str) -> None:
    migrate(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert differences == []
    assert {"contacts", "assessments", "determinations", "incidents", "audit_log",
            "deadlines", "users"} <= tables


def test_upgrading_twice_changes_nothing(empty_database: str) -> None:
    migrate(empty_database)
    migrate(empty_database)


def test_the_migrated_audit_log_is_append_only_on_postgresql(empty_postgres: str) -> None:
    migrate(empty_postgres)
    engine = make_engine(empty_postgres)
    with engine.connect() as connection:
        triggers = connection.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass")).scalars()
        assert "audit_log_append_only" in list(triggers)
    engine.dispose()
