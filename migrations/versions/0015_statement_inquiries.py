"""statement inquiries (对账疑问): questions about a statement or one of its lines, their answers
and follow-ups. No foreign key into ledger_line (it may be partitioned: docs/production.md).

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "statement_inquiry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payee_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("ledger_line_id", sa.Integer(), nullable=True),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status in ('open', 'answered', 'closed')", name=op.f("ck_statement_inquiry_status")),
        sa.ForeignKeyConstraint(["payee_id"], ["seller.id"], name=op.f("fk_statement_inquiry_payee_id_seller")),
        sa.ForeignKeyConstraint(["raised_by_id"], ["user.id"], name=op.f("fk_statement_inquiry_raised_by_id_user")),
        sa.ForeignKeyConstraint(["answered_by_id"], ["user.id"],
                                name=op.f("fk_statement_inquiry_answered_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_inquiry")),
    )
    op.create_index("ix_inquiry_payee_period", "statement_inquiry", ["payee_id", "period", "id"])
    op.create_index("ix_inquiry_status", "statement_inquiry", ["status", "id"])
    op.create_index("ix_inquiry_line", "statement_inquiry", ["ledger_line_id"])
    op.create_table(
        "statement_inquiry_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind in ('answer', 'follow_up')", name=op.f("ck_statement_inquiry_message_kind")),
        sa.ForeignKeyConstraint(["inquiry_id"], ["statement_inquiry.id"],
                                name=op.f("fk_statement_inquiry_message_inquiry_id_statement_inquiry")),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_statement_inquiry_message_author_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_inquiry_message")),
    )
    op.create_index("ix_inquiry_message_inquiry", "statement_inquiry_message", ["inquiry_id", "id"])


def downgrade():
    op.drop_index("ix_inquiry_message_inquiry", table_name="statement_inquiry_message")
    op.drop_table("statement_inquiry_message")
    op.drop_index("ix_inquiry_line", table_name="statement_inquiry")
    op.drop_index("ix_inquiry_status", table_name="statement_inquiry")
    op.drop_index("ix_inquiry_payee_period", table_name="statement_inquiry")
    op.drop_table("statement_inquiry")
