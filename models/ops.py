"""Operations: the audit log of sensitive actions, background jobs, login attempts.

CONTRACT: every feature records sensitive actions (plan edits, case rulings, payout
transitions, role and territory changes, tree moves) with `channel.services.audit.record`.
The table is append-only (database triggers refuse UPDATE and DELETE).

`job` is the durable record of a background job (channel/services/jobs.py): kind, params, who
asked, status, result or error. Live progress is not stored here (a running job holds its one
write transaction; see docs/jobs.md) but in memory or in Redis beside the queue.

`login_attempt` counts failed and successful logins per user name and per address, for the
lockout and the rate limit (channel/services/security.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db, utcnow

JOB_QUEUED = "queued"
JOB_RUNNING = "running"
JOB_DONE = "done"
JOB_FAILED = "failed"
JOB_INTERRUPTED = "interrupted"  # its worker died; the use case rolled back, run it again
JOB_STATUSES = (JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_INTERRUPTED)
JOB_FINISHED = (JOB_DONE, JOB_FAILED, JOB_INTERRUPTED)


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(60))  # e.g. 'tree.move', 'plan.edit', 'case.confirm'
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict | None] = mapped_column(JSON)

    actor = relationship("User")

    __table_args__ = (
        Index("ix_audit_at", "at"),
        Index("ix_audit_object", "object_type", "object_id"),
        Index("ix_audit_action", "action"),
        Index("ix_audit_actor", "actor_id", "id"),
    )


class Job(db.Model):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))  # a key of channel.services.jobs.KINDS
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default=JOB_QUEUED)
    backend: Mapped[str] = mapped_column(String(10), default="inline")  # inline | rq
    queue_id: Mapped[str | None] = mapped_column(String(64))  # the RQ job id
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    rerun_of_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    created_by = relationship("User")

    __table_args__ = (
        CheckConstraint("status in ('queued', 'running', 'done', 'failed', 'interrupted')", name="status"),
        Index("ix_job_creator", "created_by_id", "id"),
        Index("ix_job_status", "status"),
    )


class LoginSession(db.Model):
    """One login (one browser session): its random id rides in the signed session cookie, and a
    session is valid only while its row has not ended — so logging out ends that session on the
    server, and a copied cookie replayed after logout is refused (channel.auth.session)."""

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)


class LoginAttempt(db.Model):
    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(45))
    succeeded: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        Index("ix_login_attempt_username", "username", "at"),
        Index("ix_login_attempt_address", "address", "at"),
    )


# Access paths of the order list that the foundation's indexes do not cover (docs/production.md):
# filtering by channel or by kind, newest first, keyset on (order_date, id).
from models.sales import SalesOrder  # noqa: E402

Index("ix_order_channel_date", SalesOrder.channel, SalesOrder.order_date, SalesOrder.id)
Index("ix_order_kind_date", SalesOrder.kind, SalesOrder.order_date, SalesOrder.id)
