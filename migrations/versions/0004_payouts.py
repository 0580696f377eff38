"""payouts: batches, rows, their ledger lines (composition and the UNIQUE settlement claim),
payee holds and the append-only transition log

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

from models.ddl import append_only, drop_append_only

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payee_hold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payee_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_payee_hold_created_by_id_user')),
    sa.ForeignKeyConstraint(['payee_id'], ['seller.id'], name=op.f('fk_payee_hold_payee_id_seller')),
    sa.ForeignKeyConstraint(['released_by_id'], ['user.id'], name=op.f('fk_payee_hold_released_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payee_hold'))
    )
    with op.batch_alter_table('payee_hold', schema=None) as batch_op:
        batch_op.create_index('ix_payee_hold_payee', ['payee_id'], unique=False)

    op.create_table('payout_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('minimum_fen', sa.BigInteger(), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('tax_fen', sa.BigInteger(), nullable=False),
    sa.Column('net_fen', sa.BigInteger(), nullable=False),
    sa.Column('payees', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('exported_by_id', sa.Integer(), nullable=True),
    sa.Column('exported_at', sa.DateTime(), nullable=True),
    sa.Column('paid_by_id', sa.Integer(), nullable=True),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=300), nullable=True),
    sa.CheckConstraint("status in ('draft', 'submitted', 'approved', 'exported', 'paid', 'cancelled')", name=op.f('ck_payout_batch_status')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_payout_batch_approved_by_id_user')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['user.id'], name=op.f('fk_payout_batch_cancelled_by_id_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_payout_batch_created_by_id_user')),
    sa.ForeignKeyConstraint(['exported_by_id'], ['user.id'], name=op.f('fk_payout_batch_exported_by_id_user')),
    sa.ForeignKeyConstraint(['paid_by_id'], ['user.id'], name=op.f('fk_payout_batch_paid_by_id_user')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_payout_batch_submitted_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_batch'))
    )
    with op.batch_alter_table('payout_batch', schema=None) as batch_op:
        batch_op.create_index('ix_payout_batch_period', ['period'], unique=False)
        batch_op.create_index('ix_payout_batch_status', ['status'], unique=False)

    op.create_table('payout_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('tax_fen', sa.BigInteger(), nullable=False),
    sa.Column('net_fen', sa.BigInteger(), nullable=False),
    sa.Column('payees', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_payout_event_actor_id_user')),
    sa.ForeignKeyConstraint(['batch_id'], ['payout_batch.id'], name=op.f('fk_payout_event_batch_id_payout_batch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_event'))
    )
    with op.batch_alter_table('payout_event', schema=None) as batch_op:
        batch_op.create_index('ix_payout_event_batch', ['batch_id'], unique=False)

    op.create_table('payout_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('payee_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('payee_type', sa.String(length=12), nullable=False),
    sa.Column('payee_name', sa.String(length=200), nullable=False),
    sa.Column('payee_code', sa.String(length=32), nullable=False),
    sa.Column('bank_name', sa.String(length=100), nullable=True),
    sa.Column('bank_account', sa.String(length=64), nullable=True),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.Column('gross_fen', sa.BigInteger(), nullable=False),
    sa.Column('tax_fen', sa.BigInteger(), nullable=False),
    sa.Column('net_fen', sa.BigInteger(), nullable=False),
    sa.Column('tax_note', sa.String(length=200), nullable=True),
    sa.Column('invoice_no', sa.String(length=64), nullable=True),
    sa.Column('invoice_recorded_at', sa.DateTime(), nullable=True),
    sa.Column('invoice_recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('hold_reason', sa.String(length=300), nullable=True),
    sa.Column('result_message', sa.String(length=300), nullable=True),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status in ('payable', 'awaiting_invoice', 'invoice_missing', 'carried', 'owed', 'held', 'no_account', 'paid', 'failed')", name=op.f('ck_payout_row_status')),
    sa.ForeignKeyConstraint(['batch_id'], ['payout_batch.id'], name=op.f('fk_payout_row_batch_id_payout_batch')),
    sa.ForeignKeyConstraint(['invoice_recorded_by_id'], ['user.id'], name=op.f('fk_payout_row_invoice_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['payee_id'], ['seller.id'], name=op.f('fk_payout_row_payee_id_seller')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_row')),
    sa.UniqueConstraint('batch_id', 'payee_id', name='uq_payout_row_batch_payee')
    )
    with op.batch_alter_table('payout_row', schema=None) as batch_op:
        batch_op.create_index('ix_payout_row_payee', ['payee_id'], unique=False)

    op.create_table('ledger_settlement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ledger_line_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['payout_batch.id'], name=op.f('fk_ledger_settlement_batch_id_payout_batch')),
    sa.ForeignKeyConstraint(['ledger_line_id'], ['ledger_line.id'], name=op.f('fk_ledger_settlement_ledger_line_id_ledger_line')),
    sa.ForeignKeyConstraint(['row_id'], ['payout_row.id'], name=op.f('fk_ledger_settlement_row_id_payout_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_settlement')),
    sa.UniqueConstraint('ledger_line_id', name='uq_ledger_settlement_ledger_line_id')
    )
    with op.batch_alter_table('ledger_settlement', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_settlement_batch', ['batch_id'], unique=False)
        batch_op.create_index('ix_ledger_settlement_row', ['row_id'], unique=False)

    op.create_table('payout_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('payee_id', sa.Integer(), nullable=False),
    sa.Column('ledger_line_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['payout_batch.id'], name=op.f('fk_payout_item_batch_id_payout_batch')),
    sa.ForeignKeyConstraint(['ledger_line_id'], ['ledger_line.id'], name=op.f('fk_payout_item_ledger_line_id_ledger_line')),
    sa.ForeignKeyConstraint(['payee_id'], ['seller.id'], name=op.f('fk_payout_item_payee_id_seller')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_item'))
    )
    with op.batch_alter_table('payout_item', schema=None) as batch_op:
        batch_op.create_index('ix_payout_item_batch_payee', ['batch_id', 'payee_id'], unique=False)
        batch_op.create_index('ix_payout_item_ledger_line', ['ledger_line_id'], unique=False)
    for statement in append_only("payout_event", op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in drop_append_only("payout_event", op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table('payout_item', schema=None) as batch_op:
        batch_op.drop_index('ix_payout_item_ledger_line')
        batch_op.drop_index('ix_payout_item_batch_payee')

    op.drop_table('payout_item')
    with op.batch_alter_table('ledger_settlement', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_settlement_row')
        batch_op.drop_index('ix_ledger_settlement_batch')

    op.drop_table('ledger_settlement')
    with op.batch_alter_table('payout_row', schema=None) as batch_op:
        batch_op.drop_index('ix_payout_row_payee')

    op.drop_table('payout_row')
    with op.batch_alter_table('payout_event', schema=None) as batch_op:
        batch_op.drop_index('ix_payout_event_batch')

    op.drop_table('payout_event')
    with op.batch_alter_table('payout_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_payout_batch_status')
        batch_op.drop_index('ix_payout_batch_period')

    op.drop_table('payout_batch')
    with op.batch_alter_table('payee_hold', schema=None) as batch_op:
        batch_op.drop_index('ix_payee_hold_payee')

    op.drop_table('payee_hold')
