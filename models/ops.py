"""Operations: the audit log of sensitive actions.

CONTRACT: every feature records sensitive actions (plan edits, case rulings, payout
transitions, role and territory changes, tree moves) with `channel.services.audit.record`.
The table is append-only (database triggers refuse UPDATE and DELETE).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models import db, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(60))  # e.g. 'tree.move', 'plan.edit', 'case.confirm'
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_audit_at", "at"),
        Index("ix_audit_object", "object_type", "object_id"),
        Index("ix_audit_action", "action"),
    )
