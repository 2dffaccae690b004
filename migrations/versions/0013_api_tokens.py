"""api: personal access tokens for the read-only API

Revision ID: 0013_api_tokens
Revises: 0012_outbox_written
Create Date: 2026-12-07 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_api_tokens'
down_revision = '0012_outbox_written'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
