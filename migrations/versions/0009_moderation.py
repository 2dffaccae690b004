"""moderation: examples published as public wait for a coordinator's review

Revision ID: 0009_moderation
Revises: 0008_profile
Create Date: 2026-12-07 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_moderation'
down_revision = '0008_profile'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
