"""an invoice number pays one payout row: a partial unique index, as the service already says

Until now only `channel.services.payouts.record_invoice` refused an invoice number already
recorded on another row; two finance users recording the same number at the same moment both
passed that check. The database now refuses it too: a UNIQUE index on payout_row.invoice_no over
the rows whose invoice counts — not NULL, not empty, and not released.

A cancelled batch paid nothing, so the same payee may record its invoice again in the next
batch: cancelling now releases the rows' invoices (the new column invoice_released_at), and
this migration releases those of the batches cancelled before it (at their cancellation time).

If the existing rows already hold one invoice number twice (recorded before the service checked
it), the upgrade stops and lists them: which row keeps the number is finance's decision, not a
migration's. Correct the rows (or release them) and run the upgrade again.

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COUNTS = "invoice_no IS NOT NULL AND invoice_no <> '' AND invoice_released_at IS NULL"


def upgrade():
    # First, before any change (SQLite does not roll DDL back): would the index refuse existing rows?
    duplicates = op.get_bind().execute(sa.text(
        "SELECT invoice_no, COUNT(*) AS n, MIN(id) AS first_row, MAX(id) AS last_row FROM payout_row "
        "WHERE invoice_no IS NOT NULL AND invoice_no <> '' "
        "AND batch_id NOT IN (SELECT id FROM payout_batch WHERE status = 'cancelled') "
        "GROUP BY invoice_no HAVING COUNT(*) > 1 ORDER BY invoice_no"
    )).all()
    if duplicates:
        listed = "; ".join(f"{r.invoice_no!r} on {r.n} rows (ids {r.first_row}..{r.last_row})" for r in duplicates[:20])
        more = f" and {len(duplicates) - 20} more" if len(duplicates) > 20 else ""
        raise RuntimeError(
            "0010: payout rows share an invoice number, so the unique index cannot be created: "
            f"{listed}{more}. Keep the number on the row it paid, correct the others "
            "(UPDATE payout_row SET invoice_no = ... WHERE id = ...), then upgrade again.")
    op.add_column("payout_row", sa.Column("invoice_released_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE payout_row SET invoice_released_at = "
        "(SELECT COALESCE(b.cancelled_at, CURRENT_TIMESTAMP) FROM payout_batch b WHERE b.id = payout_row.batch_id) "
        "WHERE invoice_no IS NOT NULL "
        "AND batch_id IN (SELECT id FROM payout_batch WHERE status = 'cancelled')"
    )
    op.create_index("uq_payout_row_invoice_no", "payout_row", ["invoice_no"], unique=True,
                    sqlite_where=sa.text(COUNTS), postgresql_where=sa.text(COUNTS))


def downgrade():
    op.drop_index("uq_payout_row_invoice_no", table_name="payout_row")
    op.drop_column("payout_row", "invoice_released_at")  # SQLite 3.35+: a plain ALTER TABLE, no copy
