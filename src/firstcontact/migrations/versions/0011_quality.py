"""Quality assurance: samples, the days drawn at random, reviews

Revision ID: 0011_quality
Revises: 0010_missing_people
Create Date: 2026-11-29 07:20:00

Written from the models (quality/tables.py) in Alembic's autogenerate form; checked against
them by tests/test_migrations.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import firstcontact.platform.db

revision: str = '0011_quality'
down_revision: str | None = '0012_telephony'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('qa_samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('handler_user_id', sa.Integer(), nullable=True),
    sa.Column('happened_at', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sampled_at', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_qa_samples_contact_id_contacts')),
    sa.ForeignKeyConstraint(['handler_user_id'], ['users.id'], name=op.f('fk_qa_samples_handler_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_samples')),
    sa.UniqueConstraint('contact_id', 'reason', name='uq_qa_samples_contact_reason')
    )
    with op.batch_alter_table('qa_samples', schema=None) as batch_op:
        batch_op.create_index('ix_qa_samples_sampled_at', ['sampled_at'], unique=False)

    op.create_table('qa_random_draws',
    sa.Column('handler_user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('pool', sa.Integer(), nullable=False),
    sa.Column('drawn', sa.Integer(), nullable=False),
    sa.Column('drawn_at', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['handler_user_id'], ['users.id'], name=op.f('fk_qa_random_draws_handler_user_id_users')),
    sa.PrimaryKeyConstraint('handler_user_id', 'day', name=op.f('pk_qa_random_draws'))
    )
    op.create_table('qa_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('handler_user_id', sa.Integer(), nullable=True),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('reviewed_at', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by_user_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', firstcontact.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledgement', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_qa_reviews_contact_id_contacts')),
    sa.ForeignKeyConstraint(['handler_user_id'], ['users.id'], name=op.f('fk_qa_reviews_handler_user_id_users')),
    sa.ForeignKeyConstraint(['reviewed_by_user_id'], ['users.id'], name=op.f('fk_qa_reviews_reviewed_by_user_id_users')),
    sa.ForeignKeyConstraint(['sample_id'], ['qa_samples.id'], name=op.f('fk_qa_reviews_sample_id_qa_samples')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_reviews')),
    sa.UniqueConstraint('sample_id', name=op.f('uq_qa_reviews_sample_id'))
    )
    with op.batch_alter_table('qa_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_qa_reviews_handler', ['handler_user_id', 'reviewed_at'], unique=False)
        batch_op.create_index('ix_qa_reviews_reviewed_at', ['reviewed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('qa_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_qa_reviews_reviewed_at')
        batch_op.drop_index('ix_qa_reviews_handler')

    op.drop_table('qa_reviews')
    op.drop_table('qa_random_draws')
    with op.batch_alter_table('qa_samples', schema=None) as batch_op:
        batch_op.drop_index('ix_qa_samples_sampled_at')

    op.drop_table('qa_samples')
