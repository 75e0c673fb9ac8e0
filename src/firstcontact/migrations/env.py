"""Alembic environment: the schema is every room's tables, gathered by firstcontact.schema."""

from __future__ import annotations

from alembic import context

import firstcontact.schema  # noqa: F401
from firstcontact.platform.db import Base, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url is not None
engine = make_engine(url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
engine.dispose()
