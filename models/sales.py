"""Customers, orders (sell-in and sell-out) with lines, and returns. Money in fen."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db, utcnow

KIND_SELL_IN = "sell_in"  # company -> agent; seller_id is the receiving agent
KIND_SELL_OUT = "sell_out"  # agent or direct rep -> customer; seller_id is the seller
ORDER_KINDS = (KIND_SELL_IN, KIND_SELL_OUT)


class Customer(db.Model):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_norm: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    contact_name: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))
    district_id: Mapped[int] = mapped_column(ForeignKey("territory.id"))
    owner_seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    district = relationship("Territory")
    owner = relationship("Seller")

    __table_args__ = (
        Index("ix_customer_owner", "owner_seller_id", "id"),
        Index("ix_customer_district", "district_id"),
        Index("ix_customer_credit_code", "credit_code"),
        Index("ix_customer_name_norm", "name_norm"),
    )


class SalesOrder(db.Model):
    """An order header. `channel` and `total_fen` are copies kept for fast lists."""

    __tablename__ = "sales_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(40), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    ship_to_district_id: Mapped[int] = mapped_column(ForeignKey("territory.id"))
    order_date: Mapped[date] = mapped_column(Date)
    total_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    seller = relationship("Seller")
    customer = relationship("Customer")
    ship_to = relationship("Territory")
    lines = relationship("OrderLine", back_populates="order", order_by="OrderLine.line_no")

    __table_args__ = (
        CheckConstraint("kind in ('sell_in', 'sell_out')", name="kind"),
        CheckConstraint("kind = 'sell_in' or customer_id is not null", name="sell_out_has_customer"),
        Index("ix_order_date_id", "order_date", "id"),
        Index("ix_order_seller_date", "seller_id", "order_date", "id"),
        Index("ix_order_customer", "customer_id"),
        Index("ix_order_ship_to", "ship_to_district_id", "order_date"),
    )


class OrderLine(db.Model):
    """One product line. Header fields (kind, seller, date, district) are copied here so that
    set-based runs over a million lines need no join to the header."""

    __tablename__ = "order_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"))
    line_no: Mapped[int]
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    qty: Mapped[int]
    unit_price_fen: Mapped[int]
    unit_cost_fen: Mapped[int]
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10))
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    order_date: Mapped[date] = mapped_column(Date)
    ship_to_district_id: Mapped[int] = mapped_column(ForeignKey("territory.id"))

    order = relationship("SalesOrder", back_populates="lines")
    product = relationship("Product")

    __table_args__ = (
        UniqueConstraint("order_id", "line_no", name="uq_order_line_no"),
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("unit_price_fen >= 0", name="price_non_negative"),
        CheckConstraint("amount_fen = CAST(qty AS BIGINT) * unit_price_fen", name="amount_is_qty_times_price"),
        Index("ix_line_date_seller", "order_date", "seller_id"),
        Index("ix_line_seller_date", "seller_id", "order_date"),
        Index("ix_line_kind_date_cover", "kind", "order_date", "seller_id", "amount_fen", "ship_to_district_id"),
    )


class ReturnLine(db.Model):
    """A return of `qty` units of an order line; `amount_fen` is what is refunded."""

    __tablename__ = "return_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_no: Mapped[str] = mapped_column(String(40))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"))
    qty: Mapped[int]
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    return_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    order_line = relationship("OrderLine")

    __table_args__ = (
        UniqueConstraint("return_no", "order_line_id", name="uq_return_no_line"),
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("amount_fen >= 0", name="amount_non_negative"),
        Index("ix_return_date_seller", "return_date", "seller_id"),
        Index("ix_return_order_line", "order_line_id"),
        Index("ix_return_date_cover", "return_date", "seller_id", "amount_fen", "order_line_id"),
    )
