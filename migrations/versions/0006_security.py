"""security: revocable sign-in sessions, password reset requests, per-account limits

Revision ID: 0006_security
Revises: 0005_feedback_evaluations
Create Date: 2026-12-07 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_security'
down_revision = '0005_feedback_evaluations'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
