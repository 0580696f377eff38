"""commissions: plans (versioned), runs, the append-only ledger, holds, period locks

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

from models.ddl import append_only, drop_append_only

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "commission_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("lines_posted", sa.Integer(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["started_by_id"], ["user.id"], name=op.f("fk_commission_run_started_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_run")),
    )
    op.create_index("ix_commission_run_period", "commission_run", ["period"])
    op.create_table(
        "commission_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("seller_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("order_kind", sa.String(length=10), nullable=False),
        sa.Column("base_kind", sa.String(length=10), nullable=False),
        sa.Column("base_rate_bp", sa.Integer(), nullable=False),
        sa.Column("tier_mode", sa.String(length=10), nullable=False),
        sa.Column("override_r1_bp", sa.Integer(), nullable=False),
        sa.Column("override_r2_bp", sa.Integer(), nullable=False),
        sa.Column("override_r3_bp", sa.Integer(), nullable=False),
        sa.Column("qualify_min_fen", sa.BigInteger(), nullable=False),
        sa.Column("qualify_mode", sa.String(length=10), nullable=False),
        sa.Column("bonus_scope", sa.String(length=10), nullable=False),
        sa.Column("bonus_target_fen", sa.BigInteger(), nullable=False),
        sa.Column("bonus_fen", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("valid_to is null or valid_to > valid_from", name=op.f("ck_commission_plan_dates_in_order")),
        sa.CheckConstraint("base_rate_bp between 0 and 10000", name=op.f("ck_commission_plan_base_rate_range")),
        sa.ForeignKeyConstraint(["seller_id"], ["seller.id"], name=op.f("fk_commission_plan_seller_id_seller")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_commission_plan_created_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_plan")),
    )
    op.create_index("ix_commission_plan_family_id", "commission_plan", ["family_id"])
    op.create_index("ix_plan_target", "commission_plan", ["channel", "level", "seller_id", "status"])
    op.create_table(
        "plan_tier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("from_fen", sa.BigInteger(), nullable=False),
        sa.Column("to_fen", sa.BigInteger(), nullable=True),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("certification_code", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["commission_plan.id"], name=op.f("fk_plan_tier_plan_id_commission_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_tier")),
    )
    op.create_index("ix_plan_tier_plan_id", "plan_tier", ["plan_id"])
    op.create_table(
        "plan_category_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["commission_plan.id"], name=op.f("fk_plan_category_rate_plan_id_commission_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_category_rate")),
    )
    op.create_index("ix_plan_category_rate_plan_id", "plan_category_rate", ["plan_id"])
    op.create_table(
        "ledger_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("payee_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("source_period", sa.String(length=7), nullable=True),
        sa.Column("source_seller_id", sa.Integer(), nullable=True),
        sa.Column("return_line_id", sa.Integer(), nullable=True),
        sa.Column("override_level", sa.Integer(), nullable=True),
        sa.Column("base_fen", sa.BigInteger(), nullable=True),
        sa.Column("rate_bp", sa.Integer(), nullable=True),
        sa.Column("plan_version_id", sa.Integer(), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("calc_key", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["source_seller_id"], ["seller.id"], name=op.f("fk_ledger_line_source_seller_id_seller")),
        sa.ForeignKeyConstraint(["return_line_id"], ["return_line.id"], name=op.f("fk_ledger_line_return_line_id_return_line")),
        sa.ForeignKeyConstraint(["plan_version_id"], ["commission_plan.id"], name=op.f("fk_ledger_line_plan_version_id_commission_plan")),
        sa.ForeignKeyConstraint(["reverses_id"], ["ledger_line.id"], name=op.f("fk_ledger_line_reverses_id_ledger_line")),
        sa.ForeignKeyConstraint(["order_line_id"], ["order_line.id"], name=op.f("fk_ledger_line_order_line_id_order_line")),
        sa.ForeignKeyConstraint(["run_id"], ["commission_run.id"], name=op.f("fk_ledger_line_run_id_commission_run")),
        sa.ForeignKeyConstraint(["payee_id"], ["seller.id"], name=op.f("fk_ledger_line_payee_id_seller")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_line")),
    )
    op.create_index("ix_ledger_payee_period", "ledger_line", ["payee_id", "period"])
    op.create_index("ix_ledger_period", "ledger_line", ["period"])
    op.create_index("ix_ledger_run", "ledger_line", ["run_id"])
    op.create_index("ix_ledger_order_line", "ledger_line", ["order_line_id"])
    op.create_index("ix_ledger_source_key", "ledger_line", ["source_period", "calc_key"])
    op.create_index("ix_ledger_reverses", "ledger_line", ["reverses_id"])
    op.create_table(
        "ledger_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ledger_line_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["ledger_line_id"], ["ledger_line.id"], name=op.f("fk_ledger_hold_ledger_line_id_ledger_line")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_ledger_hold_created_by_id_user")),
        sa.ForeignKeyConstraint(["released_by_id"], ["user.id"], name=op.f("fk_ledger_hold_released_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_hold")),
    )
    op.create_index("ix_ledger_hold_ledger_line_id", "ledger_hold", ["ledger_line_id"])
    op.create_table(
        "period_lock",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=False),
        sa.Column("locked_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["locked_by_id"], ["user.id"], name=op.f("fk_period_lock_locked_by_id_user")),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_period_lock")),
    )
    for statement in append_only("ledger_line", op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in drop_append_only("ledger_line", op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("period_lock")
    op.drop_table("ledger_hold")
    op.drop_table("ledger_line")
    op.drop_table("commission_run")
    op.drop_table("plan_category_rate")
    op.drop_table("plan_tier")
    op.drop_table("commission_plan")
