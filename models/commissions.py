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

Added by the commission engine (issue 3):
- `ledger_line.source_period`: the month the line was computed for (the sales month; the return
  month for clawbacks); `period` is the month it is posted in (they differ only for corrections
  of a locked month, which post in the next open one).
- `ledger_line.source_seller_id` (whose sale: differs from payee on overrides),
  `return_line_id` (clawbacks), `override_level` (1..3), `base_fen`, `rate_bp`,
  `plan_version_id` (the `commission_plan` row used), `reverses_id` (an adjustment undoing that
  line), `note` (a machine code explaining an exception, e.g. 'cert:CODE'), `calc_key` (the
  identity of a computed line: a re-run compares computed keys with the live posted lines).
- A "live" line is a non-adjustment line that no adjustment reverses; each calc_key has at most
  one live line per source_period.
- `commission_plan` (+ `plan_tier`, `plan_category_rate`): each row is one VERSION of a plan;
  `family_id` groups the versions. Runs never edit plans; editing a used version adds a row.
"""
from __future__ import annotations

from datetime import datetime

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, func, text
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


class CommissionPlan(db.Model):
    """One version of a commission plan for a channel (+ level, + optionally one seller, which
    then wins), in force from `valid_from` (inclusive) to `valid_to` (exclusive, NULL = open).
    Rates in basis points, money in fen. `status`: active | superseded (a superseded version
    no longer applies to any date, but the ledger lines that used it keep pointing at it)."""

    __tablename__ = "commission_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int | None] = mapped_column(index=True)  # id of the first version
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(12), default="active")
    name: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(10))
    level: Mapped[int | None]
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    order_kind: Mapped[str] = mapped_column(String(10), default="sell_out")
    base_kind: Mapped[str] = mapped_column(String(10), default="revenue")
    base_rate_bp: Mapped[int] = mapped_column(default=0)
    tier_mode: Mapped[str] = mapped_column(String(10), default="marginal")
    override_r1_bp: Mapped[int] = mapped_column(default=0)
    override_r2_bp: Mapped[int] = mapped_column(default=0)
    override_r3_bp: Mapped[int] = mapped_column(default=0)
    qualify_min_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    qualify_mode: Mapped[str] = mapped_column(String(10), default="skip")
    bonus_scope: Mapped[str] = mapped_column(String(10), default="personal")
    bonus_target_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    bonus_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    seller = relationship("Seller")
    tiers = relationship("PlanTier", order_by="PlanTier.from_fen", cascade="all, delete-orphan")
    category_rates = relationship("PlanCategoryRate", order_by="PlanCategoryRate.category",
                                  cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("valid_to is null or valid_to > valid_from", name="dates_in_order"),
        CheckConstraint("base_rate_bp between 0 and 10000", name="base_rate_range"),
        Index("ix_plan_target", "channel", "level", "seller_id", "status"),
    )


class PlanTier(db.Model):
    """A bracket [from_fen, to_fen) of period net sales paying `rate_bp` (see PlanSpec)."""

    __tablename__ = "plan_tier"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("commission_plan.id"), index=True)
    from_fen: Mapped[int] = mapped_column(BigInteger)
    to_fen: Mapped[int | None] = mapped_column(BigInteger)
    rate_bp: Mapped[int]
    certification_code: Mapped[str | None] = mapped_column(String(40))


class PlanCategoryRate(db.Model):
    """A base rate for one product category, replacing the plan's base rate for it."""

    __tablename__ = "plan_category_rate"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("commission_plan.id"), index=True)
    category: Mapped[str] = mapped_column(String(64))
    rate_bp: Mapped[int]


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
    source_period: Mapped[str | None] = mapped_column(String(7))
    source_seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"))
    return_line_id: Mapped[int | None] = mapped_column(ForeignKey("return_line.id"))
    override_level: Mapped[int | None]
    base_fen: Mapped[int | None] = mapped_column(BigInteger)
    rate_bp: Mapped[int | None]
    plan_version_id: Mapped[int | None] = mapped_column(ForeignKey("commission_plan.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_line.id"))
    note: Mapped[str | None] = mapped_column(String(200))
    calc_key: Mapped[str | None] = mapped_column(String(80))

    payee = relationship("Seller", foreign_keys=[payee_id])

    __table_args__ = (
        # a payee's month in the statement's order (channel/services/commissions_statements.py);
        # its (payee_id, period) prefix serves every other reader of a payee's month
        Index("ix_ledger_statement", "payee_id", "period", "rule", func.coalesce(text("override_level"), 0), "id"),
        Index("ix_ledger_period", "period"),
        Index("ix_ledger_run", "run_id"),
        Index("ix_ledger_order_line", "order_line_id"),
        # a run reads its live lines by source_period; calc_key is joined in a temporary table
        Index("ix_ledger_source_period", "source_period"),
        # only adjustments have reverses_id: a partial index is cheap to keep on every insert
        Index("ix_ledger_reverses", "reverses_id", sqlite_where=text("reverses_id IS NOT NULL"),
              postgresql_where=text("reverses_id IS NOT NULL")),
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


INQUIRY_STATUSES = ("open", "answered", "closed")
INQUIRY_MESSAGE_KINDS = ("answer", "follow_up")


class StatementInquiry(db.Model):
    """A question about a payee's statement of one month (对账疑问), optionally about one of its
    ledger lines, raised by the payee's user or a manager whose scope covers the payee, answered
    by finance or channel managers (channel/services/commissions_inquiries.py holds the rules).

    `answer`, `answered_by_id` and `answered_at` are the LATEST answer (what lists and the API
    show); every answer and every follow-up of a reopening is also a `StatementInquiryMessage`,
    the thread the statement page shows under the question."""

    __tablename__ = "statement_inquiry"

    id: Mapped[int] = mapped_column(primary_key=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    period: Mapped[str] = mapped_column(String(7))  # the statement's month, 'YYYY-MM'
    # a line of that statement (payee_id, period); no foreign key: the ledger may be partitioned on
    # PostgreSQL, which drops keys into it (docs/production.md). The service reads the line first.
    ledger_line_id: Mapped[int | None]
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    question: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # the last answer, close or reopening
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    payee = relationship("Seller")
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    messages = relationship("StatementInquiryMessage", order_by="StatementInquiryMessage.id",
                            back_populates="inquiry")

    __table_args__ = (
        CheckConstraint("status in ('open', 'answered', 'closed')", name="status"),
        Index("ix_inquiry_payee_period", "payee_id", "period", "id"),
        Index("ix_inquiry_status", "status", "id"),
        Index("ix_inquiry_line", "ledger_line_id"),
    )


class StatementInquiryMessage(db.Model):
    """One step of an inquiry's thread after the question: an answer, or the asker's follow-up
    when reopening it."""

    __tablename__ = "statement_inquiry_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("statement_inquiry.id"))
    kind: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    inquiry = relationship("StatementInquiry", back_populates="messages")
    author = relationship("User")

    __table_args__ = (
        CheckConstraint("kind in ('answer', 'follow_up')", name="kind"),
        Index("ix_inquiry_message_inquiry", "inquiry_id", "id"),
    )
