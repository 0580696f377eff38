"""Commission runs and the ledger.

CONTRACT (other features rely on these columns; add columns freely, never rename or drop):
- `ledger_line`: id, run_id, period ('YYYY-MM'), payee_id (seller), rule, amount_fen, created_at,
  order_line_id (the sale the line rests on, when it rests on one), case_id (the conflict case
  that caused it, for forfeits / protection fees / penalties).
  Append-only: rows are never updated or deleted (enforced in the database by triggers).
  A correction is a new line (rule 'adjustment', and `reverses_id` pointing at what it undoes).
- `ledger_hold`: a hold on one ledger line (a conflict case or a manual hold); payouts skip held
  lines until `released_at` is set. Mutable, unlike the ledger.
- `period_lock`: a locked period accepts no run; corrections land in the next open period.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db, utcnow

RULE_BASE = "base"
RULE_TIER = "tier"
RULE_OVERRIDE = "override"
RULE_BONUS = "bonus"
RULE_CLAWBACK = "clawback"
RULE_ADJUSTMENT = "adjustment"
RULE_FORFEIT = "forfeit"
RULE_PROTECTION_FEE = "protection_fee"
RULE_PENALTY = "penalty"


class CommissionRun(db.Model):
    __tablename__ = "commission_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    status: Mapped[str] = mapped_column(String(12), default="running")  # running | posted | failed
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    lines_posted: Mapped[int] = mapped_column(default=0)
    total_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class LedgerLine(db.Model):
    __tablename__ = "ledger_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("commission_run.id"))
    period: Mapped[str] = mapped_column(String(7))
    payee_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    rule: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"))
    case_id: Mapped[int | None]  # a conflict case (no FK: the conflicts feature owns that table)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    payee = relationship("Seller")

    __table_args__ = (
        Index("ix_ledger_payee_period", "payee_id", "period"),
        Index("ix_ledger_period", "period"),
        Index("ix_ledger_run", "run_id"),
        Index("ix_ledger_order_line", "order_line_id"),
    )


class LedgerHold(db.Model):
    __tablename__ = "ledger_hold"

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_line_id: Mapped[int] = mapped_column(ForeignKey("ledger_line.id"), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    case_id: Mapped[int | None]  # a conflict case (no FK: the conflicts feature owns that table)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    released_at: Mapped[datetime | None] = mapped_column(DateTime)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class PeriodLock(db.Model):
    __tablename__ = "period_lock"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    locked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str | None] = mapped_column(String(200))
