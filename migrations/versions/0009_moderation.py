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
    with op.batch_alter_table('example', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review', sa.Enum('none', 'pending', 'approved', 'returned', name='example_review', native_enum=False, create_constraint=True, length=32), nullable=False, server_default='none'))
        batch_op.add_column(sa.Column('review_comment', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('review_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('review_requested_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_example_review_requested_by_id_person'), 'person', ['review_requested_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_example_reviewed_by_id_person'), 'person', ['reviewed_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint('returned_has_comment', "review <> 'returned' OR review_comment <> ''")
        batch_op.create_index('ix_example_review', ['network_id', 'review'], unique=False)

    # Examples already open to all were published without review under the old rules; they stay
    # open (approved) rather than vanish from /examples on upgrade.
    example = sa.table('example', sa.column('review', sa.String), sa.column('is_public', sa.Boolean))
    op.execute(example.update().where(example.c.is_public == sa.true()).values(review='approved'))


def downgrade():
    with op.batch_alter_table('example', schema=None) as batch_op:
        batch_op.drop_index('ix_example_review')
        batch_op.drop_constraint(batch_op.f('ck_example_returned_has_comment'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_example_example_review'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_example_reviewed_by_id_person'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_example_review_requested_by_id_person'), type_='foreignkey')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('review_requested_by_id')
        batch_op.drop_column('review_requested_at')
        batch_op.drop_column('review_comment')
        batch_op.drop_column('review')
