"""ledger indexes cheaper to maintain: a run's live lines found by source_period alone, the
reversal index only over adjustments

A commission run inserts one ledger line per computed line (168,000 for a month at the
benchmark size); every index on ledger_line is maintained per row. Two of them cost more
than their readers need:
- (source_period, calc_key): calc_key is a string in no useful order, so its B-tree is
  written all over; the only reader (the run's "live lines" step) filters by source_period
  and joins on calc_key in a temporary table. Replaced by (source_period).
- (reverses_id): NULL on every line but adjustments; the readers look up `reverses_id = id`,
  which a partial index WHERE reverses_id IS NOT NULL serves (SQLite and PostgreSQL).

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NOT_NULL = "reverses_id IS NOT NULL"


def upgrade():
    op.drop_index("ix_ledger_source_key", table_name="ledger_line")
    op.create_index("ix_ledger_source_period", "ledger_line", ["source_period"])
    op.drop_index("ix_ledger_reverses", table_name="ledger_line")
    op.create_index("ix_ledger_reverses", "ledger_line", ["reverses_id"],
                    sqlite_where=sa.text(NOT_NULL), postgresql_where=sa.text(NOT_NULL))


def downgrade():
    op.drop_index("ix_ledger_reverses", table_name="ledger_line")
    op.create_index("ix_ledger_reverses", "ledger_line", ["reverses_id"])
    op.drop_index("ix_ledger_source_period", table_name="ledger_line")
    op.create_index("ix_ledger_source_key", "ledger_line", ["source_period", "calc_key"])
