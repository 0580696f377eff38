"""Selling well: activities, contacts, opportunities, enablement, feedback.

CONTRACT: `certification` (seller_id, code, passed, certified_on, expires_on) is read by the
commission engine's certification gate: a seller holds certification CODE on date D when a
row has passed = true, certified_on <= D and (expires_on is null or D < expires_on).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models import db, utcnow


class Certification(db.Model):
    __tablename__ = "certification"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    code: Mapped[str] = mapped_column(String(40))
    passed: Mapped[bool] = mapped_column(Boolean)
    certified_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_certification_seller_code", "seller_id", "code"),)
