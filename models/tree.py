"""Sellers of both channels on one tree mechanism, with an effective-dated closure table."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db, utcnow

CHANNEL_AGENT = "agent"
CHANNEL_DIRECT = "direct"
CHANNELS = (CHANNEL_AGENT, CHANNEL_DIRECT)

PAYEE_COMPANY = "company"  # company agent: pays against an invoice (发票)
PAYEE_INDIVIDUAL = "individual"  # individual agent: service income (劳务报酬), tax withheld
PAYEE_EMPLOYEE = "employee"  # direct seller: paid through payroll
PAYEE_TYPES = (PAYEE_COMPANY, PAYEE_INDIVIDUAL, PAYEE_EMPLOYEE)


class Seller(db.Model):
    """An agent (channel='agent') or a direct seller (channel='direct').

    `level` counts from 1 at the top of its channel (agents: 总代理=1 ... as configured in
    AGENT_LEVELS; direct: 销售总监=1 ...). `parent_id` is the upline in force today; the history
    lives in `seller_closure`.
    """

    __tablename__ = "seller"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(10))
    level: Mapped[int]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"))
    payee_type: Mapped[str] = mapped_column(String(12), default=PAYEE_COMPANY)
    credit_code: Mapped[str | None] = mapped_column(String(18))
    contact_name: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    home_territory_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    bank_account: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_on: Mapped[date] = mapped_column(Date)
    deactivated_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    parent: Mapped[Seller | None] = relationship(remote_side=[id])
    home_territory = relationship("Territory")

    __table_args__ = (
        CheckConstraint("channel in ('agent', 'direct')", name="channel"),
        CheckConstraint("level >= 1", name="level_positive"),
        CheckConstraint("parent_id is null or parent_id <> id", name="not_own_parent"),
        Index("ix_seller_parent", "parent_id"),
        Index("ix_seller_channel_level", "channel", "level"),
        Index("ix_seller_name", "name"),
    )

    def __repr__(self) -> str:
        return f"<Seller {self.code}>"


class SellerClosure(db.Model):
    """Every (ancestor, descendant, depth) pair, effective-dated.

    A row holds from `valid_from` (inclusive) to `valid_to` (exclusive; NULL = still in force).
    Depth 0 is the seller itself. "X's uplines on date D" is
    `descendant_id = X AND valid_from <= D AND (valid_to IS NULL OR valid_to > D)`;
    "X's current subtree" is `ancestor_id = X AND valid_to IS NULL`.
    """

    __tablename__ = "seller_closure"

    id: Mapped[int] = mapped_column(primary_key=True)
    ancestor_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    descendant_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    depth: Mapped[int]
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("depth >= 0", name="depth_non_negative"),
        Index("ix_closure_ancestor", "ancestor_id", "valid_to", "depth"),
        Index("ix_closure_descendant", "descendant_id", "valid_to", "depth"),
    )


class SellerMove(db.Model):
    """A change of upline (or a deactivation moving children up): who, when, from, to."""

    __tablename__ = "seller_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    old_parent_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"))
    new_parent_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"))
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class TerritoryGrant(db.Model):
    """A seller holds a territory subtree (a province, a city or a district) from a date."""

    __tablename__ = "territory_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id"))
    exclusive: Mapped[bool] = mapped_column(Boolean, default=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    seller = relationship("Seller")
    territory = relationship("Territory")

    __table_args__ = (
        CheckConstraint("valid_to is null or valid_to > valid_from", name="dates_in_order"),
        Index("ix_grant_seller", "seller_id"),
        Index("ix_grant_territory", "territory_id"),
    )
