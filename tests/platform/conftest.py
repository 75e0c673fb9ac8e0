"""Fixtures for the platform's own tests: raw tampering with the audit log, a second worker,
and buses of both kinds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from firstcontact.platform.events import Bus, InProcessBus
from firstcontact.platform.pgbus import PostgresBus
from firstcontact.platform.runtime import Runtime


def tamper(runtime: Runtime, sql: str, **params: Any) -> None:
    """Change the database behind the application's back, as an insider with raw access might.

    On PostgreSQL this needs a superuser: replica mode switches the append-only trigger off.
    """
    with runtime.database.engine.begin() as connection:
        if runtime.database.dialect == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text(sql), params)



@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    from tests.conftest import empty_postgres

    empty_postgres(postgres_database)
    return postgres_database


@pytest.fixture(params=["in_process", "postgres"])
def bus(request: pytest.FixtureRequest) -> Iterator[Bus]:
    """Each bus contract test runs against every adapter."""
    chosen: Bus
    if request.param == "in_process":
        chosen = InProcessBus()
    else:
        chosen = PostgresBus(request.getfixturevalue("postgres_url"))
    yield chosen
    chosen.close()
