"""follow-up: the chief executive as a person in the network

Revision ID: 0011_followup
Revises: 0010_lifecycle
Create Date: 2026-12-07 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_followup'
down_revision = '0010_lifecycle'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('executive_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_membership_executive_id_person'), 'person', ['executive_id'], ['id'],
                                    ondelete='SET NULL')

    # The executive recorded so far is the person holding the network's EXECUTIVE role for that
    # organisation (the first one, if there are several); the free-text name stays as it was.
    op.execute(
        "UPDATE membership SET executive_id = ("
        " SELECT MIN(person.id) FROM person JOIN network_role ON network_role.person_id = person.id"
        " WHERE network_role.network_id = membership.network_id AND network_role.role = 'executive'"
        " AND person.organisation_id = membership.organisation_id)"
    )


def downgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_membership_executive_id_person'), type_='foreignkey')
        batch_op.drop_column('executive_id')
