"""Payout batches: who gets paid what, from which ledger lines, and what happened to it.

- `payout_batch`: one batch per run of finance for a period, through the workflow
  draft → submitted → approved → exported → paid (or cancelled before export).
- `payout_row`: one row per payee considered by the batch; `gross_fen` is the sum of the ledger
  lines it gathered, `tax_fen` what is withheld (individual agents), `net_fen` what the bank pays.
  The payee's name, type and bank details are copied in when the batch is drafted, so an export
  says exactly what was approved.
- `payout_item`: the composition — every ledger line a row gathered (kept for history, also for
  rows that were carried forward, held or failed).
- `ledger_settlement`: the claim — a ledger line is settled by at most one batch, ever: UNIQUE
  on `ledger_line_id` in the database. Claims of a cancelled batch, a held row, a company row
  without invoice at approval, or a row the bank failed are deleted, so those lines are payable
  again in the next batch.
- An invoice number (发票号码) pays one row: a partial UNIQUE index on `payout_row.invoice_no`
  over the rows whose invoice still counts (not empty, not released). Cancelling a batch
  releases its rows' invoices (`invoice_released_at`), so the same payee may record its invoice
  again in the next batch; the service refuses any other reuse first, with a clear message.
- `payee_hold`: finance holds all of a payee's pay, with a reason, until released.
- `payout_event`: every transition: who, when, from → to, and the totals at that moment
  (append-only in the database, like the audit log it mirrors).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db, utcnow

BATCH_DRAFT = "draft"
BATCH_SUBMITTED = "submitted"
BATCH_APPROVED = "approved"
BATCH_EXPORTED = "exported"
BATCH_PAID = "paid"
BATCH_CANCELLED = "cancelled"
BATCH_STATUSES = (BATCH_DRAFT, BATCH_SUBMITTED, BATCH_APPROVED, BATCH_EXPORTED, BATCH_PAID, BATCH_CANCELLED)

ROW_PAYABLE = "payable"  # will be (or was) sent to the bank / payroll
ROW_AWAITING_INVOICE = "awaiting_invoice"  # company agent, no invoice (发票) recorded yet
ROW_INVOICE_MISSING = "invoice_missing"  # still no invoice when approved: carried forward
ROW_CARRIED = "carried"  # below the minimum: carried forward
ROW_OWED = "owed"  # negative: the payee owes it, netted against later earnings
ROW_HELD = "held"  # finance held the payee's pay, with a reason
ROW_NO_ACCOUNT = "no_account"  # an agent with no bank account on file: carried forward
ROW_PAID = "paid"
ROW_FAILED = "failed"  # the bank refused it: the lines are payable again
ROW_STATUSES = (ROW_PAYABLE, ROW_AWAITING_INVOICE, ROW_INVOICE_MISSING, ROW_CARRIED, ROW_OWED, ROW_HELD,
                ROW_NO_ACCOUNT, ROW_PAID, ROW_FAILED)
# Rows whose ledger lines are claimed (have ledger_settlement rows) and count in the batch total.
CLAIMING_ROWS = (ROW_PAYABLE, ROW_AWAITING_INVOICE, ROW_PAID)


# The rows whose invoice number counts (migration 0010's partial unique index).
INVOICE_COUNTS = "invoice_no IS NOT NULL AND invoice_no <> '' AND invoice_released_at IS NULL"


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class PayoutBatch(db.Model):
    __tablename__ = "payout_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(12), default=BATCH_DRAFT)
    minimum_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    total_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # gross of the claiming rows
    tax_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    net_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    payees: Mapped[int] = mapped_column(default=0)  # claiming rows
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: created by the CLI
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    exported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    exported_at: Mapped[datetime | None] = mapped_column(DateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(300))

    created_by = relationship("User", foreign_keys=[created_by_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])

    __table_args__ = (
        CheckConstraint(f"status in ({_in(BATCH_STATUSES)})", name="status"),
        Index("ix_payout_batch_period", "period"),
        Index("ix_payout_batch_status", "status"),
    )


class PayoutRow(db.Model):
    __tablename__ = "payout_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payout_batch.id"))
    payee_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    status: Mapped[str] = mapped_column(String(16))
    payee_type: Mapped[str] = mapped_column(String(12))
    payee_name: Mapped[str] = mapped_column(String(200))
    payee_code: Mapped[str] = mapped_column(String(32))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    bank_account: Mapped[str | None] = mapped_column(String(64))
    lines: Mapped[int] = mapped_column(default=0)
    gross_fen: Mapped[int] = mapped_column(BigInteger)
    tax_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    net_fen: Mapped[int] = mapped_column(BigInteger)
    tax_note: Mapped[str | None] = mapped_column(String(200))  # how the withholding was computed
    invoice_no: Mapped[str | None] = mapped_column(String(64))
    invoice_recorded_at: Mapped[datetime | None] = mapped_column(DateTime)
    invoice_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # set when the row's batch is cancelled: that batch paid nothing, the invoice may be used again
    invoice_released_at: Mapped[datetime | None] = mapped_column(DateTime)
    hold_reason: Mapped[str | None] = mapped_column(String(300))
    result_message: Mapped[str | None] = mapped_column(String(300))  # the bank's word on a failed row
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)

    batch = relationship("PayoutBatch")
    payee = relationship("Seller")

    __table_args__ = (
        CheckConstraint(f"status in ({_in(ROW_STATUSES)})", name="status"),
        UniqueConstraint("batch_id", "payee_id", name="uq_payout_row_batch_payee"),
        Index("ix_payout_row_payee", "payee_id"),
        Index("uq_payout_row_invoice_no", "invoice_no", unique=True,
              sqlite_where=text(INVOICE_COUNTS), postgresql_where=text(INVOICE_COUNTS)),
    )


class PayoutItem(db.Model):
    """One ledger line gathered by one row (history; the claim is `LedgerSettlement`)."""

    __tablename__ = "payout_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payout_batch.id"))
    payee_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    ledger_line_id: Mapped[int] = mapped_column(ForeignKey("ledger_line.id"))
    period: Mapped[str] = mapped_column(String(7))
    amount_fen: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_payout_item_batch_payee", "batch_id", "payee_id"),
        Index("ix_payout_item_ledger_line", "ledger_line_id"),
    )


class LedgerSettlement(db.Model):
    """The claim of one ledger line by one batch row. UNIQUE(ledger_line_id): settled at most once."""

    __tablename__ = "ledger_settlement"

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_line_id: Mapped[int] = mapped_column(ForeignKey("ledger_line.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("payout_batch.id"))
    row_id: Mapped[int] = mapped_column(ForeignKey("payout_row.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("ledger_line_id", name="uq_ledger_settlement_ledger_line_id"),
        Index("ix_ledger_settlement_batch", "batch_id"),
        Index("ix_ledger_settlement_row", "row_id"),
    )


class PayeeHold(db.Model):
    """Finance holds all of a payee's pay (a manual hold, always with a reason)."""

    __tablename__ = "payee_hold"

    id: Mapped[int] = mapped_column(primary_key=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    reason: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(DateTime)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    payee = relationship("Seller")

    __table_args__ = (Index("ix_payee_hold_payee", "payee_id"),)


class PayoutEvent(db.Model):
    """A transition of a batch with its totals at that moment. Append-only in the database."""

    __tablename__ = "payout_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payout_batch.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    total_fen: Mapped[int] = mapped_column(BigInteger)
    tax_fen: Mapped[int] = mapped_column(BigInteger)
    net_fen: Mapped[int] = mapped_column(BigInteger)
    payees: Mapped[int]
    note: Mapped[str | None] = mapped_column(String(300))

    actor = relationship("User")

    __table_args__ = (Index("ix_payout_event_batch", "batch_id"),)
