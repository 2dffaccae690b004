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
    op.create_table('deletion_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'completed', 'declined', 'withdrawn', name='deletion_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('notice_message_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status <> 'declined' OR reason <> ''", name=op.f('ck_deletion_request_declined_has_reason')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], name=op.f('fk_deletion_request_decided_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['notice_message_id'], ['outbox_message.id'], name=op.f('fk_deletion_request_notice_message_id_outbox_message'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_deletion_request_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deletion_request'))
    )
    with op.batch_alter_table('deletion_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deletion_request_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_deletion_request_pending_person', ['person_id'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.create_table('export_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('my_data', 'registrations', 'invoice_basis', 'catering', 'archive', 'members', 'feedback', 'challenges', name='export_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_export_log_network_id_network'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_export_log_person_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_log'))
    )
    with op.batch_alter_table('export_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_log_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('export_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_log_person_id'))
        batch_op.drop_index(batch_op.f('ix_export_log_at'))

    op.drop_table('export_log')
    with op.batch_alter_table('deletion_request', schema=None) as batch_op:
        batch_op.drop_index('uq_deletion_request_pending_person',
                            sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_deletion_request_person_id'))

    op.drop_table('deletion_request')
