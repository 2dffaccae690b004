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


def upgrade():
    pass


def downgrade():
    pass
