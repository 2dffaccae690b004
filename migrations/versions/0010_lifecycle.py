"""lifecycle: cancelled gatherings, closed networks

Revision ID: 0010_lifecycle
Revises: 0009_moderation
Create Date: 2026-12-07 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_lifecycle'
down_revision = '0009_moderation'
branch_labels = None
depends_on = None


OLD_STATUSES = ('planned', 'open', 'closed', 'held')
NEW_STATUSES = OLD_STATUSES + ('cancelled',)


def _status_check(values) -> str:
    return "status IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade():
    # The status is a string with a CHECK constraint (str_enum): a new value is a new constraint.
    with op.batch_alter_table('gathering', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_gathering_gathering_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_gathering_gathering_status'), _status_check(NEW_STATUSES))

    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.drop_column('closed_at')

    # Cancelled gatherings have no place in the old schema: they go back to draft.
    op.execute("UPDATE gathering SET status = 'planned' WHERE status = 'cancelled'")
    with op.batch_alter_table('gathering', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_gathering_gathering_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_gathering_gathering_status'), _status_check(OLD_STATUSES))
