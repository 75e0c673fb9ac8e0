"""People: the social-media handle a person's record was received from

Revision ID: 0015_people_pages
Revises: 0010_missing_people
Written by hand: one column, empty for every record made before it.

Create Date: 2026-11-29 07:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015_people_pages'
down_revision: str | None = '0016_victim_parties'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('person_records') as batch_op:
        batch_op.add_column(sa.Column('social_handle', sa.String(length=230),
                                      server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('person_records') as batch_op:
        batch_op.drop_column('social_handle')
