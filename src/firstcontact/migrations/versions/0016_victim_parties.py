"""Victims other than the caller (a business, a child's parent or guardian, a bereaved
relative), the crime they were victims of, and staff teams for the compliance split

Revision ID: 0016_victim_parties
Revises: 0010_missing_people
Create Date: 2026-11-29 07:30:00

Written by hand from the models (victims/tables.py, platform/auth.py). Victims recorded
before this revision were all callers who were the victim: they become party "person", and
each contact they came from gets its crime row (with no flags, which were not kept then).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import firstcontact.platform.db

revision: str = '0016_victim_parties'
down_revision: str | None = '0010_missing_people'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'victim_crimes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('crime_reference', sa.String(length=32), nullable=False),
        sa.Column('crime_type', sa.String(length=40), nullable=False),
        sa.Column('flags', sa.JSON(), nullable=False),
        sa.Column('team', sa.String(length=100), nullable=False),
        sa.Column('recorded_by_user_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', firstcontact.platform.db.UTCDateTime(timezone=True),
                  nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'],
                                name=op.f('fk_victim_crimes_contact_id_contacts')),
        sa.ForeignKeyConstraint(['recorded_by_user_id'], ['users.id'],
                                name=op.f('fk_victim_crimes_recorded_by_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_victim_crimes')),
        sa.UniqueConstraint('contact_id', name=op.f('uq_victim_crimes_contact_id')),
    )
    with op.batch_alter_table('victim_crimes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_victim_crimes_crime_reference'),
                              ['crime_reference'], unique=False)
    with op.batch_alter_table('victims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party', sa.String(length=20), server_default='person',
                                      nullable=False))
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('relationship', sa.String(length=200),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('victim_age', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('team', sa.String(length=100), server_default='',
                                      nullable=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team', sa.String(length=200), server_default='',
                                      nullable=False))
    op.execute(
        "INSERT INTO victim_crimes (contact_id, crime_reference, crime_type, flags, team, "
        "recorded_at) SELECT contact_id, MIN(crime_reference), MIN(crime_type), '[]', '', "
        "MIN(created_at) FROM victims "
        "GROUP BY contact_id")


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('team')
    with op.batch_alter_table('victims', schema=None) as batch_op:
        batch_op.drop_column('team')
        batch_op.drop_column('victim_age')
        batch_op.drop_column('relationship')
        batch_op.drop_column('contact_name')
        batch_op.drop_column('party')
    with op.batch_alter_table('victim_crimes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_victim_crimes_crime_reference'))
    op.drop_table('victim_crimes')
