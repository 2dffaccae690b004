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
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preferred_contact', sa.Enum('email', 'phone', name='contact_preference', native_enum=False, create_constraint=True, length=32), server_default='email', nullable=False))
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True))
    # Whoever has a password or has signed in has answered their invitation.
    op.execute("UPDATE person SET accepted_at = COALESCE(last_login_at, created_at) "
               "WHERE password_hash IS NOT NULL OR last_login_at IS NOT NULL")

    op.create_table('email_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('new_email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_email_change_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_change')),
    sa.UniqueConstraint('person_id', name=op.f('uq_email_change_person_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_email_change_token_hash'))
    )

    op.create_table('network_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('times_sent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_network_invitation_network_id_network'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_network_invitation_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_invitation')),
    sa.UniqueConstraint('network_id', 'person_id', name=op.f('uq_network_invitation_network_id_person_id'))
    )
    with op.batch_alter_table('network_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_invitation_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_invitation_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('network_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_invitation_person_id'))
        batch_op.drop_index(batch_op.f('ix_network_invitation_network_id'))

    op.drop_table('network_invitation')
    op.drop_table('email_change')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('accepted_at')
        batch_op.drop_constraint(op.f('ck_person_contact_preference'), type_='check')
        batch_op.drop_column('preferred_contact')
