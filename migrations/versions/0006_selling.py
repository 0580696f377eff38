"""selling: certifications, contacts, activities, tasks, KPI targets, opportunities, greetings,
trainings, agent applications, support requests, product feedback

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("certified_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["seller_id"], ["seller.id"], name=op.f("fk_certification_seller_id_seller")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification")),
    )
    op.create_index("ix_certification_seller_code", "certification", ["seller_id", "code"])
    op.create_table('greeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('month between 1 and 12 and day between 1 and 31', name=op.f('ck_greeting_month_day')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_greeting'))
    )
    op.create_table('opportunity_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('won', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity_stage')),
    sa.UniqueConstraint('name', name=op.f('uq_opportunity_stage_name'))
    )
    op.create_table('training',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('certification_code', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_training_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training'))
    )
    op.create_table('training_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_training_attendance_seller_id_seller')),
    sa.ForeignKeyConstraint(['training_id'], ['training.id'], name=op.f('fk_training_attendance_training_id_training')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_attendance')),
    sa.UniqueConstraint('training_id', 'seller_id', name='uq_attendance_training_seller')
    )
    op.create_table('agent_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('contact_name', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('seller_id', sa.Integer(), nullable=True),
    sa.Column('contract_from', sa.Date(), nullable=True),
    sa.Column('contract_to', sa.Date(), nullable=True),
    sa.Column('deposit_fen', sa.BigInteger(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status in ('pending', 'approved', 'declined')", name=op.f('ck_agent_application_status')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_agent_application_reviewed_by_id_user')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_agent_application_seller_id_seller')),
    sa.ForeignKeyConstraint(['territory_id'], ['territory.id'], name=op.f('fk_agent_application_territory_id_territory')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_application'))
    )
    op.create_index('ix_application_status', 'agent_application', ['status', 'id'], unique=False)
    op.create_table('customer_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('birthday', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("role in ('acceptor', 'dissatisfied', 'decision_maker')", name=op.f('ck_customer_contact_role')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_customer_contact_customer_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_contact'))
    )
    op.create_index('ix_contact_customer', 'customer_contact', ['customer_id'], unique=False)
    op.create_table('kpi_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=True),
    sa.Column('seller_id', sa.Integer(), nullable=True),
    sa.Column('metric', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=4), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("period in ('day', 'week')", name=op.f('ck_kpi_target_period')),
    sa.CheckConstraint('(channel is null) <> (seller_id is null)', name=op.f('ck_kpi_target_role_or_seller')),
    sa.CheckConstraint('target >= 0', name=op.f('ck_kpi_target_target_non_negative')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_kpi_target_seller_id_seller')),
    sa.ForeignKeyConstraint(['set_by_id'], ['user.id'], name=op.f('fk_kpi_target_set_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_target')),
    sa.UniqueConstraint('channel', 'seller_id', 'metric', 'period', name='uq_kpi_target_scope')
    )
    op.create_table('opportunity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('expected_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_opportunity_customer_id_customer')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_opportunity_seller_id_seller')),
    sa.ForeignKeyConstraint(['stage_id'], ['opportunity_stage.id'], name=op.f('fk_opportunity_stage_id_opportunity_stage')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity'))
    )
    op.create_index('ix_opportunity_customer', 'opportunity', ['customer_id'], unique=False)
    op.create_index('ix_opportunity_seller', 'opportunity', ['seller_id', 'stage_id'], unique=False)
    op.create_table('product_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('is_request', sa.Boolean(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('replied_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('replied_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status in ('open', 'planned', 'done', 'declined')", name=op.f('ck_product_feedback_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_product_feedback_created_by_id_user')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_product_feedback_customer_id_customer')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_feedback_product_id_product')),
    sa.ForeignKeyConstraint(['replied_by_id'], ['user.id'], name=op.f('fk_product_feedback_replied_by_id_user')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_product_feedback_seller_id_seller')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_feedback'))
    )
    op.create_index('ix_feedback_customer', 'product_feedback', ['customer_id'], unique=False)
    op.create_index('ix_feedback_product', 'product_feedback', ['product_id', 'status'], unique=False)
    op.create_index('ix_feedback_seller', 'product_feedback', ['seller_id', 'id'], unique=False)
    op.create_table('support_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status in ('open', 'answered', 'closed')", name=op.f('ck_support_request_status')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_support_request_answered_by_id_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_support_request_created_by_id_user')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_support_request_seller_id_seller')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_request'))
    )
    op.create_index('ix_support_seller', 'support_request', ['seller_id', 'id'], unique=False)
    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('outcome', sa.String(length=500), nullable=True),
    sa.Column('next_step', sa.String(length=300), nullable=True),
    sa.Column('logged_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind in ('call_first', 'call_follow', 'visit', 'training')", name=op.f('ck_activity_kind')),
    sa.ForeignKeyConstraint(['contact_id'], ['customer_contact.id'], name=op.f('fk_activity_contact_id_customer_contact')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_activity_customer_id_customer')),
    sa.ForeignKeyConstraint(['logged_by_id'], ['user.id'], name=op.f('fk_activity_logged_by_id_user')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_activity_seller_id_seller')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    op.create_index('ix_activity_customer_time', 'activity', ['customer_id', 'occurred_at'], unique=False)
    op.create_index('ix_activity_seller_time', 'activity', ['seller_id', 'occurred_at'], unique=False)
    op.create_index('ix_activity_time', 'activity', ['occurred_at'], unique=False)
    op.create_table('selling_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('dedup_key', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("source in ('next_step', 'maintenance', 'greeting')", name=op.f('ck_selling_task_source')),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_selling_task_activity_id_activity')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_selling_task_customer_id_customer')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_selling_task_seller_id_seller')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_selling_task')),
    sa.UniqueConstraint('dedup_key', name=op.f('uq_selling_task_dedup_key'))
    )
    op.create_index('ix_task_seller_due', 'selling_task', ['seller_id', 'done_at', 'due_on'], unique=False)


def downgrade():
    op.drop_table("selling_task")
    op.drop_table("activity")
    op.drop_table("support_request")
    op.drop_table("product_feedback")
    op.drop_table("opportunity")
    op.drop_table("kpi_target")
    op.drop_table("customer_contact")
    op.drop_table("agent_application")
    op.drop_table("training_attendance")
    op.drop_table("training")
    op.drop_table("opportunity_stage")
    op.drop_table("greeting")
    op.drop_table("certification")
