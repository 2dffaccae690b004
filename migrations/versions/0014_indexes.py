"""indexes for the list pages at national scale (issue 16), each proven by EXPLAIN ANALYZE on PostgreSQL

Revision ID: 0014
Revises: 0013_api_tokens
Create Date: 2026-12-07 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013_api_tokens'
branch_labels = None
depends_on = None

LATE_CANCELLED = "status = 'cancelled' AND late_cancellation IS TRUE"


def upgrade():
    # The cost totals count days from the network's own gathering days, not every registration day.
    with op.batch_alter_table('registration_day', schema=None) as batch_op:
        batch_op.create_index('ix_registration_day_day_id', ['day_id'], unique=False)
    with op.batch_alter_table('registration', schema=None) as batch_op:
        # A gathering's registrations a page at a time, in the order they came, without sorting them all.
        batch_op.create_index('ix_registration_gathering_created', ['gathering_id', 'created_at', 'id'], unique=False)
        # The few late cancellations the cost totals look for.
        batch_op.create_index('ix_registration_late_cancelled', ['gathering_id'], unique=False,
                              sqlite_where=sa.text(LATE_CANCELLED), postgresql_where=sa.text(LATE_CANCELLED))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_late_cancelled',
                            sqlite_where=sa.text(LATE_CANCELLED), postgresql_where=sa.text(LATE_CANCELLED))
        batch_op.drop_index('ix_registration_gathering_created')
    with op.batch_alter_table('registration_day', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_day_day_id')
