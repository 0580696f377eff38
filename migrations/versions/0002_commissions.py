"""commissions: runs, the append-only ledger, holds, period locks

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
        sa.ForeignKeyConstraint(["order_line_id"], ["order_line.id"], name=op.f("fk_ledger_line_order_line_id_order_line")),
        sa.ForeignKeyConstraint(["run_id"], ["commission_run.id"], name=op.f("fk_ledger_line_run_id_commission_run")),
        sa.ForeignKeyConstraint(["payee_id"], ["seller.id"], name=op.f("fk_ledger_line_payee_id_seller")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_line")),
    )
    op.create_index("ix_ledger_payee_period", "ledger_line", ["payee_id", "period"])
    op.create_index("ix_ledger_period", "ledger_line", ["period"])
    op.create_index("ix_ledger_run", "ledger_line", ["run_id"])
    op.create_index("ix_ledger_order_line", "ledger_line", ["order_line_id"])
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
