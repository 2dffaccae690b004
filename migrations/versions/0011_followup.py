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
    pass


def downgrade():
    pass
