"""Live demand: re-THRIVE reviews, the incident lifecycle and timeline, units

Revision ID: 0004_live_demand
Revises: 0001_foundation
Create Date: 2026-11-29 04:54:16.474852
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import firstcontact.platform.db

revision: str = '0004_live_demand'
down_revision: str | None = '0001_foundation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('incident_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('at', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('actor_username', sa.String(length=150), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_events_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_events'))
    )
    with op.batch_alter_table('incident_events', schema=None) as batch_op:
        batch_op.create_index('ix_incident_events_incident', ['incident_id', 'at'], unique=False)

    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_sign', sa.String(length=20), nullable=False),
    sa.Column('unit_type', sa.String(length=40), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('sector', sa.String(length=40), nullable=False),
    sa.Column('shift', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('status_since', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_units_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('call_sign', name=op.f('uq_units_call_sign'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index('ix_units_status_sector', ['status', 'sector'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('previous_grade', sa.String(length=40), nullable=False),
    sa.Column('grade', sa.String(length=40), nullable=False),
    sa.Column('suggested_grade', sa.String(length=40), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('what_changed', sa.Text(), nullable=False),
    sa.Column('was_due_at', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_review_due_at', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_reviews_assessment_id_assessments')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_reviews_incident_id_incidents')),
    sa.ForeignKeyConstraint(['reviewed_by_user_id'], ['users.id'], name=op.f('fk_reviews_reviewed_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('assessment_id', name=op.f('uq_reviews_assessment_id'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index('ix_reviews_incident', ['incident_id', 'reviewed_at'], unique=False)

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sector', sa.String(length=40), server_default='unsectored', nullable=False))
        batch_op.add_column(sa.Column('closing_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('result', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('finalised_at', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('finalised_at')
        batch_op.drop_column('result')
        batch_op.drop_column('closing_code')
        batch_op.drop_column('sector')

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_incident')

    op.drop_table('reviews')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index('ix_units_status_sector')
        batch_op.drop_index(batch_op.f('ix_units_incident_id'))

    op.drop_table('units')
    with op.batch_alter_table('incident_events', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_events_incident')

    op.drop_table('incident_events')
