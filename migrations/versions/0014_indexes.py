"""indexes for the list pages at national scale (issue 16), each proven by EXPLAIN ANALYZE on PostgreSQL

Revision ID: 0014
Revises: 0013_api_tokens
Create Date: 2026-12-07 06:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    # The cost totals count days from the network's own gathering days, not all registration days.
    with op.batch_alter_table('registration_day', schema=None) as batch_op:
        batch_op.create_index('ix_registration_day_day_id', ['day_id'], unique=False)


def downgrade():
    with op.batch_alter_table('registration_day', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_day_day_id')
