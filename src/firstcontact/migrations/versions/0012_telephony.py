"""Telephony: call events imported from the telephony platform, for the service report

Revision ID: 0012_telephony
Revises: 0010_missing_people
Create Date: 2026-11-29 07:20:00

Written from the model (quality/tables.py) and checked against it by
tests/test_migrations.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import firstcontact.platform.db

revision: str = '0012_telephony'
down_revision: str | None = '0015_people_pages'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('telephony_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.String(length=64), nullable=False),
    sa.Column('line', sa.String(length=3), nullable=False),
    sa.Column('offered_at', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('abandoned_at', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handler', sa.String(length=150), nullable=False),
    sa.Column('imported_at', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telephony_calls')),
    sa.UniqueConstraint('call_id', name=op.f('uq_telephony_calls_call_id'))
    )
    with op.batch_alter_table('telephony_calls', schema=None) as batch_op:
        batch_op.create_index('ix_telephony_calls_offered_at', ['offered_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('telephony_calls', schema=None) as batch_op:
        batch_op.drop_index('ix_telephony_calls_offered_at')
    op.drop_table('telephony_calls')
