"""privacy: deletion requests, audit log of personal-data exports, retention

Revision ID: 0007_privacy
Revises: 0006_security
Create Date: 2026-12-07 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_privacy'
down_revision = '0006_security'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
