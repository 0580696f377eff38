"""Users and their roles."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from models import db, utcnow

ROLE_ADMIN = "admin"
ROLE_MANAGER = "channel_manager"
ROLE_FINANCE = "finance"
ROLE_AGENT = "agent"  # bound to one agent: sees it and its downline
ROLE_SALES_REP = "sales_rep"  # bound to one direct seller: sees it and its team
ROLE_PRODUCT = "product_manager"
ROLES = (ROLE_ADMIN, ROLE_MANAGER, ROLE_FINANCE, ROLE_AGENT, ROLE_SALES_REP, ROLE_PRODUCT)
SELLER_ROLES = (ROLE_AGENT, ROLE_SALES_REP)
# Administrators and channel managers: they act on any seller's records (the tree, customers,
# sell-in orders). With the sellers' own users, who act within their scope: FIELD_ROLES.
MANAGING_ROLES = (ROLE_ADMIN, ROLE_MANAGER)
FIELD_ROLES = (*MANAGING_ROLES, *SELLER_ROLES)


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped by "log out everywhere" and password changes; sessions carry it and die when stale.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    seller = relationship("Seller")

    __table_args__ = (
        CheckConstraint(
            "role in ('admin', 'channel_manager', 'finance', 'agent', 'sales_rep', 'product_manager')",
            name="role",
        ),
        CheckConstraint(
            "(role not in ('agent', 'sales_rep')) or seller_id is not null", name="seller_role_bound"
        ),
    )

    def set_password(self, password: str) -> None:
        # The suite sets a cheap method (PASSWORD_HASH_METHOD) so that fixtures stay fast.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def sees_everything(self) -> bool:
        return self.role in (ROLE_ADMIN, ROLE_MANAGER, ROLE_FINANCE, ROLE_PRODUCT)
