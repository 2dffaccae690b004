"""outbox: whether a person wrote the message (sent without Auto-Submitted, also on a retry)

Revision ID: 0012_outbox_written
Revises: 0011_followup
Create Date: 2026-12-07 04:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_outbox_written'
down_revision = '0011_followup'
branch_labels = None
depends_on = None


def upgrade():
    # Mail already queued was written by the system (a reply to feedback was sent at once, or as automatic).
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('written_by_person', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('written_by_person')
