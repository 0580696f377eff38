"""the statement's index: (payee_id, period) extended by the statement's order

A statement page shows one page of a payee's month in (rule, override level, id) order; a busy
payee's month holds tens of thousands of lines (18,243 at the benchmark size), which the old
(payee_id, period) index made a sort of every line per page view. The new index is that one
extended by the statement's order key, so a page is read straight from it (keyset), and every
reader of (payee_id, period) is served by its prefix: one index replaces the other, so a
commission run maintains as many indexes as before.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_ledger_statement", "ledger_line",
                    ["payee_id", "period", "rule", sa.text("coalesce(override_level, 0)"), "id"])
    op.drop_index("ix_ledger_payee_period", table_name="ledger_line")


def downgrade():
    op.create_index("ix_ledger_payee_period", "ledger_line", ["payee_id", "period"])
    op.drop_index("ix_ledger_statement", table_name="ledger_line")
