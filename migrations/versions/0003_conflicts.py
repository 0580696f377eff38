"""conflicts: unit codes, shipments and scans, customer registrations, conflict cases, policies

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('conflict_hit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scan_key', sa.String(length=32), nullable=False),
    sa.Column('fingerprint', sa.String(length=120), nullable=False),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('severity', sa.String(length=6), nullable=False),
    sa.Column('offender_id', sa.Integer(), nullable=True),
    sa.Column('harmed_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('ref_kind', sa.String(length=6), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('ref2_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=True),
    sa.Column('order_line_id', sa.Integer(), nullable=True),
    sa.Column('scan_id', sa.Integer(), nullable=True),
    sa.Column('code_id', sa.Integer(), nullable=True),
    sa.Column('shipment_id', sa.Integer(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('grant_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=True),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('expected_fen', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict_hit'))
    )
    with op.batch_alter_table('conflict_hit', schema=None) as batch_op:
        batch_op.create_index('ix_conflict_hit_scan', ['scan_key', 'fingerprint'], unique=False)

    op.create_table('conflict_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.String(length=20), nullable=True),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('protection_fee_bp', sa.Integer(), nullable=False),
    sa.Column('penalty_fen', sa.BigInteger(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("action in ('hold', 'forfeit')", name=op.f('ck_conflict_policy_action')),
    sa.CheckConstraint('penalty_fen >= 0', name=op.f('ck_conflict_policy_penalty_non_negative')),
    sa.CheckConstraint('protection_fee_bp >= 0 and protection_fee_bp <= 10000', name=op.f('ck_conflict_policy_fee_bp_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict_policy'))
    )
    op.create_table('unit_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind in ('unit', 'case')", name=op.f('ck_unit_code_kind')),
    sa.ForeignKeyConstraint(['case_id'], ['unit_code.id'], name=op.f('fk_unit_code_case_id_unit_code')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_unit_code_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_code')),
    sa.UniqueConstraint('code', name=op.f('uq_unit_code_code'))
    )
    with op.batch_alter_table('unit_code', schema=None) as batch_op:
        batch_op.create_index('ix_unit_code_case', ['case_id'], unique=False)

    op.create_table('conflict_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=120), nullable=False),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('severity', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=14), nullable=False),
    sa.Column('offender_id', sa.Integer(), nullable=True),
    sa.Column('harmed_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('evidence_count', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('effect_action', sa.String(length=8), nullable=True),
    sa.Column('protection_fee_fen', sa.BigInteger(), nullable=False),
    sa.Column('penalty_fen', sa.BigInteger(), nullable=False),
    sa.Column('effects_posted_period', sa.String(length=7), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('ruled_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("severity in ('low', 'medium', 'high')", name=op.f('ck_conflict_case_severity')),
    sa.CheckConstraint("status in ('open', 'investigating', 'confirmed', 'dismissed')", name=op.f('ck_conflict_case_status')),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_conflict_case_assignee_id_user')),
    sa.ForeignKeyConstraint(['harmed_id'], ['seller.id'], name=op.f('fk_conflict_case_harmed_id_seller')),
    sa.ForeignKeyConstraint(['offender_id'], ['seller.id'], name=op.f('fk_conflict_case_offender_id_seller')),
    sa.ForeignKeyConstraint(['policy_id'], ['conflict_policy.id'], name=op.f('fk_conflict_case_policy_id_conflict_policy')),
    sa.ForeignKeyConstraint(['province_id'], ['territory.id'], name=op.f('fk_conflict_case_province_id_territory')),
    sa.ForeignKeyConstraint(['ruled_by_id'], ['user.id'], name=op.f('fk_conflict_case_ruled_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict_case'))
    )
    with op.batch_alter_table('conflict_case', schema=None) as batch_op:
        batch_op.create_index('ix_conflict_case_fingerprint', ['fingerprint', 'status'], unique=False)
        batch_op.create_index('ix_conflict_case_harmed', ['harmed_id'], unique=False)
        batch_op.create_index('ix_conflict_case_offender', ['offender_id'], unique=False)
        batch_op.create_index('ix_conflict_case_status', ['status', 'rule', 'severity'], unique=False)

    op.create_table('customer_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('customer_name', sa.String(length=200), nullable=False),
    sa.Column('name_norm', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('phone_norm', sa.String(length=20), nullable=True),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('protected_until', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_customer_registration_created_by_id_user')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_customer_registration_customer_id_customer')),
    sa.ForeignKeyConstraint(['district_id'], ['territory.id'], name=op.f('fk_customer_registration_district_id_territory')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_customer_registration_seller_id_seller')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_registration'))
    )
    with op.batch_alter_table('customer_registration', schema=None) as batch_op:
        batch_op.create_index('ix_registration_credit_code', ['credit_code'], unique=False)
        batch_op.create_index('ix_registration_seller', ['seller_id'], unique=False)
        batch_op.create_index('ix_registration_window', ['registered_on', 'protected_until'], unique=False)

    op.create_table('conflict_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('from_status', sa.String(length=14), nullable=True),
    sa.Column('to_status', sa.String(length=14), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_conflict_event_actor_id_user')),
    sa.ForeignKeyConstraint(['case_id'], ['conflict_case.id'], name=op.f('fk_conflict_event_case_id_conflict_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict_event'))
    )
    with op.batch_alter_table('conflict_event', schema=None) as batch_op:
        batch_op.create_index('ix_conflict_event_case', ['case_id', 'at'], unique=False)

    op.create_table('registration_match',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_registration_match_customer_id_customer')),
    sa.ForeignKeyConstraint(['registration_id'], ['customer_registration.id'], name=op.f('fk_registration_match_registration_id_customer_registration')),
    sa.PrimaryKeyConstraint('registration_id', 'customer_id', name=op.f('pk_registration_match'))
    )
    with op.batch_alter_table('registration_match', schema=None) as batch_op:
        batch_op.create_index('ix_registration_match_customer', ['customer_id'], unique=False)

    op.create_table('code_shipment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=True),
    sa.Column('shipped_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['seller.id'], name=op.f('fk_code_shipment_agent_id_seller')),
    sa.ForeignKeyConstraint(['code_id'], ['unit_code.id'], name=op.f('fk_code_shipment_code_id_unit_code')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_code_shipment_order_line_id_order_line')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_shipment'))
    )
    with op.batch_alter_table('code_shipment', schema=None) as batch_op:
        batch_op.create_index('ix_code_shipment_code', ['code_id', 'shipped_on'], unique=False)
        batch_op.create_index('ix_code_shipment_order_line', ['order_line_id'], unique=False)

    op.create_table('code_scan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_text', sa.String(length=64), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('scanned_at', sa.DateTime(), nullable=False),
    sa.Column('scanned_on', sa.Date(), nullable=False),
    sa.Column('scanner_kind', sa.String(length=10), nullable=False),
    sa.Column('scanned_by', sa.String(length=100), nullable=True),
    sa.Column('shipment_id', sa.Integer(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("scanner_kind in ('retailer', 'inspector', 'consumer')", name=op.f('ck_code_scan_scanner_kind')),
    sa.ForeignKeyConstraint(['agent_id'], ['seller.id'], name=op.f('fk_code_scan_agent_id_seller')),
    sa.ForeignKeyConstraint(['code_id'], ['unit_code.id'], name=op.f('fk_code_scan_code_id_unit_code')),
    sa.ForeignKeyConstraint(['district_id'], ['territory.id'], name=op.f('fk_code_scan_district_id_territory')),
    sa.ForeignKeyConstraint(['shipment_id'], ['code_shipment.id'], name=op.f('fk_code_scan_shipment_id_code_shipment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_scan'))
    )
    with op.batch_alter_table('code_scan', schema=None) as batch_op:
        batch_op.create_index('ix_code_scan_code', ['code_id', 'district_id', 'scanned_on'], unique=False)
        batch_op.create_index('ix_code_scan_date', ['scanned_on'], unique=False)
        batch_op.create_index('ix_code_scan_agent', ['agent_id', 'scanned_on'], unique=False)

    op.create_table('conflict_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('ref_kind', sa.String(length=6), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('ref2_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=True),
    sa.Column('order_line_id', sa.Integer(), nullable=True),
    sa.Column('scan_id', sa.Integer(), nullable=True),
    sa.Column('code_id', sa.Integer(), nullable=True),
    sa.Column('shipment_id', sa.Integer(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('grant_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=True),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('expected_fen', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['conflict_case.id'], name=op.f('fk_conflict_evidence_case_id_conflict_case')),
    sa.ForeignKeyConstraint(['code_id'], ['unit_code.id'], name=op.f('fk_conflict_evidence_code_id_unit_code')),
    sa.ForeignKeyConstraint(['district_id'], ['territory.id'], name=op.f('fk_conflict_evidence_district_id_territory')),
    sa.ForeignKeyConstraint(['grant_id'], ['territory_grant.id'], name=op.f('fk_conflict_evidence_grant_id_territory_grant')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_conflict_evidence_order_line_id_order_line')),
    sa.ForeignKeyConstraint(['registration_id'], ['customer_registration.id'], name=op.f('fk_conflict_evidence_registration_id_customer_registration')),
    sa.ForeignKeyConstraint(['scan_id'], ['code_scan.id'], name=op.f('fk_conflict_evidence_scan_id_code_scan')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_conflict_evidence_seller_id_seller')),
    sa.ForeignKeyConstraint(['shipment_id'], ['code_shipment.id'], name=op.f('fk_conflict_evidence_shipment_id_code_shipment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict_evidence')),
    sa.UniqueConstraint('rule', 'ref_kind', 'ref_id', 'ref2_id', name='uq_conflict_evidence_ref')
    )
    with op.batch_alter_table('conflict_evidence', schema=None) as batch_op:
        batch_op.create_index('ix_conflict_evidence_case', ['case_id'], unique=False)
        batch_op.create_index('ix_conflict_evidence_line', ['order_line_id'], unique=False)



def downgrade():
    with op.batch_alter_table('conflict_evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_conflict_evidence_line')
        batch_op.drop_index('ix_conflict_evidence_case')

    op.drop_table('conflict_evidence')
    with op.batch_alter_table('code_scan', schema=None) as batch_op:
        batch_op.drop_index('ix_code_scan_date')
        batch_op.drop_index('ix_code_scan_agent')
        batch_op.drop_index('ix_code_scan_code')

    op.drop_table('code_scan')
    with op.batch_alter_table('code_shipment', schema=None) as batch_op:
        batch_op.drop_index('ix_code_shipment_code')

    op.drop_table('code_shipment')
    with op.batch_alter_table('registration_match', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_match_customer')

    op.drop_table('registration_match')
    with op.batch_alter_table('conflict_event', schema=None) as batch_op:
        batch_op.drop_index('ix_conflict_event_case')

    op.drop_table('conflict_event')
    with op.batch_alter_table('customer_registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_window')
        batch_op.drop_index('ix_registration_seller')
        batch_op.drop_index('ix_registration_credit_code')

    op.drop_table('customer_registration')
    with op.batch_alter_table('conflict_case', schema=None) as batch_op:
        batch_op.drop_index('ix_conflict_case_status')
        batch_op.drop_index('ix_conflict_case_offender')
        batch_op.drop_index('ix_conflict_case_harmed')
        batch_op.drop_index('ix_conflict_case_fingerprint')

    op.drop_table('conflict_case')
    with op.batch_alter_table('unit_code', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_code_case')

    op.drop_table('unit_code')
    op.drop_table('conflict_policy')
    with op.batch_alter_table('conflict_hit', schema=None) as batch_op:
        batch_op.drop_index('ix_conflict_hit_scan')

    op.drop_table('conflict_hit')
