"""Shared fixtures: a real SQLite file and, when FIRSTCONTACT_TEST_POSTGRES_URL is set, a real
PostgreSQL database; a fixed clock; a runtime and an app built exactly as production builds them.

`runtime` and `client` run every test that uses them once per database. In CI (CI=true) a
missing PostgreSQL is an error, not a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from firstcontact.app import create_app, wired_runtime
from firstcontact.platform import auth
from firstcontact.platform.clock import FixedClock
from firstcontact.platform.db import Base, normalise_url
from firstcontact.platform.runtime import Runtime, build_runtime
from firstcontact.settings import Settings

POSTGRES_URL_VARIABLE = "FIRSTCONTACT_TEST_POSTGRES_URL"
START = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
"""A Saturday morning; tests move the clock from here to the minute."""
IDLE_UNTESTED = 7 * 24 * 60


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """Real argon2, at its cheapest parameters, so the many sign-ins in tests stay quick.

    The code paths are the same; production keeps argon2-cffi's recommended profile (and the
    live-server and browser tests, which run the real command, use it too).
    """
    cheap = PasswordHasher.from_parameters(CHEAPEST)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "hasher", cheap)
        patch.setattr(auth, "_DECOY_HASH", cheap.hash("decoy password for timing"))
        yield


def postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url and os.environ.get("CI"):
        raise RuntimeError(
            f"CI must set {POSTGRES_URL_VARIABLE}: the PostgreSQL suite may not skip")
    return url


@contextmanager
def throwaway_postgres(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for the length of the block, then dropped."""
    admin_url = postgres_admin_url()
    if admin_url is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_URL_VARIABLE}")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(normalise_url(admin_url)).set(database=name).render_as_string(
            hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test session, with the schema built."""
    import firstcontact.schema  # noqa: F401

    with throwaway_postgres("fc_test") as url:
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        yield url


def empty_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that needs a database runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'firstcontact.db'}"
    url: str = request.getfixturevalue("postgres_database")
    empty_postgres(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """For tests about SQLite itself, or too slow to be worth running twice."""
    return f"sqlite:///{tmp_path / 'firstcontact.db'}"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Tests move the fixed clock hours at a time between one person's requests (a review falls
    # due 3h30 later); a real person would have used the session in between. The idle limit
    # is tested on its own, at its real setting, in tests/web/test_sessions.py.
    return Settings(database_url=database_url, timer_enabled=False, log_json=False,
                    secret_key="test-secret", session_idle_minutes=IDLE_UNTESTED)


@pytest.fixture
def runtime(settings: Settings, clock: FixedClock) -> Iterator[Runtime]:
    rt = wired_runtime(settings, clock)
    if rt.database.dialect == "sqlite":
        rt.database.create_all()
    yield rt
    rt.bus.close()
    rt.database.dispose()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    app = create_app(runtime.settings, runtime=runtime)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def unmigrated_postgres() -> Iterator[str]:
    """A new PostgreSQL database with no tables, for tests that run the migrations themselves."""
    with throwaway_postgres("fc_migrate") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def unmigrated_database(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """A database with no tables on each engine, for tests that run the migrations."""
    if request.param == "sqlite":
        return sqlite_url
    url: str = request.getfixturevalue("unmigrated_postgres")
    return url


@pytest.fixture
def second_worker(runtime: Runtime) -> Iterator[Runtime]:
    """Another worker on the same database: its own engine, pool and bus."""
    worker = build_runtime(runtime.settings, runtime.clock)
    yield worker
    worker.bus.close()
    worker.database.dispose()
