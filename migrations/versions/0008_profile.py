"""profile: pending e-mail changes, preferred contact, invitation state

Revision ID: 0008_profile
Revises: 0007_privacy
Create Date: 2026-12-07 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_profile'
down_revision = '0007_privacy'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
