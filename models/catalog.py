"""Products and their effective-dated prices (all in fen)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db

PRICE_SELL_IN = "sell_in"  # what an agent of `level` pays the company
PRICE_FLOOR = "floor"  # the lowest resale price to an end customer


class Product(db.Model):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(16), default="件")
    cost_fen: Mapped[int]
    retail_price_fen: Mapped[int]
    has_unit_codes: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    prices = relationship("ProductPrice", back_populates="product", order_by="ProductPrice.valid_from")

    __table_args__ = (
        CheckConstraint("cost_fen >= 0", name="cost_non_negative"),
        CheckConstraint("retail_price_fen >= 0", name="retail_non_negative"),
    )


class ProductPrice(db.Model):
    """A price in force from `valid_from` until the next row of the same (product, kind, level)."""

    __tablename__ = "product_price"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    kind: Mapped[str] = mapped_column(String(10))
    level: Mapped[int | None]
    price_fen: Mapped[int]
    valid_from: Mapped[date] = mapped_column(Date)

    product = relationship("Product", back_populates="prices")

    __table_args__ = (
        CheckConstraint("kind in ('sell_in', 'floor')", name="kind"),
        CheckConstraint("price_fen >= 0", name="price_non_negative"),
        Index("ix_price_lookup", "product_id", "kind", "level", "valid_from", unique=True),
    )
