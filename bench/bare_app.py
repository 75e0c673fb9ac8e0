"""The product app plus one bench-only route, `/bench/bare`, that inserts a single row.

It is the yardstick for intake: the same server, middleware, database settings and
transaction path (`Database.transaction`), minus everything intake does beyond one insert.
The table lives in its own MetaData so it never enters the product's schema or migrations.
Served with `firstcontact serve --factory bare_app:create` and bench/ on PYTHONPATH.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert

from firstcontact.app import create_app
from firstcontact.platform.runtime import Runtime

bench_metadata = MetaData()
bare_rows = Table(
    "bench_bare", bench_metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("body", String(2000), nullable=False),
)


def create() -> FastAPI:
    app = create_app()
    rt: Runtime = app.state.runtime
    bench_metadata.create_all(rt.database.engine)

    @app.post("/bench/bare", status_code=201, include_in_schema=False)
    def bare(payload: dict[str, Any]) -> dict[str, int]:
        with rt.database.transaction() as session:
            row_id: int = session.execute(
                insert(bare_rows).values(at=datetime.now(UTC), body=str(payload)[:2000])
                .returning(bare_rows.c.id)).scalar_one()
        return {"id": row_id}

    return app
