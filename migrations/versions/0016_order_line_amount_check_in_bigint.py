"""order line: amount_fen = qty × unit_price_fen checked in 64-bit arithmetic.

On PostgreSQL qty and unit_price_fen are 32-bit INTEGER columns, so the check multiplied in 32
bits: a line above ¥21,474,836.47 (2^31 - 1 fen) failed inside the check with "integer out of
range" although amount_fen is a BIGINT and the domain allows far more. The check now casts. On
SQLite every integer is 64-bit: the old text computes the same, nothing to do. A partitioned
order_line (flask partition-orders) carries the check on its parent: replaced there too.

Revision ID: 0016
Revises: 0015
"""
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

NAME = "ck_order_line_amount_is_qty_times_price"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE order_line DROP CONSTRAINT IF EXISTS {NAME}")
    op.execute(f"ALTER TABLE order_line ADD CONSTRAINT {NAME} CHECK (amount_fen = CAST(qty AS BIGINT) * unit_price_fen)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE order_line DROP CONSTRAINT IF EXISTS {NAME}")
    op.execute(f"ALTER TABLE order_line ADD CONSTRAINT {NAME} CHECK (amount_fen = qty * unit_price_fen)")
