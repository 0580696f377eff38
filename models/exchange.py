"""Tables of the exchange feature: API tokens and import runs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db, utcnow

IMPORT_PENDING = "pending"
IMPORT_RUNNING = "running"
IMPORT_DONE = "done"
IMPORT_REJECTED = "rejected"  # the file had bad rows: nothing was committed, see `report_csv`
IMPORT_FAILED = "failed"  # an unexpected error: nothing was committed
IMPORT_STATUSES = (IMPORT_PENDING, IMPORT_RUNNING, IMPORT_DONE, IMPORT_REJECTED, IMPORT_FAILED)


class ApiToken(db.Model):
    """A personal API token. Only the SHA-256 of the secret is stored; `prefix` (the first
    characters of the secret) lets the owner recognise it in a list."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship("User")

    __table_args__ = (Index("ix_api_token_user", "user_id"),)


class ImportRun(db.Model):
    """One import of one file: what, by whom, how far, and the outcome.

    `report_csv` holds every bad row (row, column, value, reason) of a rejected file.
    """

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(12), default=IMPORT_PENDING)
    total_rows: Mapped[int] = mapped_column(default=0)
    inserted: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(String(500))
    report_csv: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_import_run_user", "created_by_id", "id"),)
