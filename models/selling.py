"""Selling well: activities, contacts, opportunities, enablement, feedback.

CONTRACT: `certification` (seller_id, code, passed, certified_on, expires_on) is read by the
commission engine's certification gate: a seller holds certification CODE on date D when a
row has passed = true, certified_on <= D and (expires_on is null or D < expires_on).

Timestamps (`*_at`) are naive UTC; KPI days and weeks are counted in Asia/Shanghai (see
channel/domain/selling_kpi.py). Dates (`*_on`) are business dates in Asia/Shanghai.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db, utcnow

# Activity kinds
CALL_FIRST = "call_first"  # a first contact by phone
CALL_FOLLOW = "call_follow"  # a follow-up call
VISIT = "visit"  # a visit at the customer
TRAINING = "training"  # a product training given (to a customer or a downline agent)
ACTIVITY_KINDS = (CALL_FIRST, CALL_FOLLOW, VISIT, TRAINING)

# The buyer's three contact points
ROLE_ACCEPTOR = "acceptor"  # 接纳者
ROLE_DISSATISFIED = "dissatisfied"  # 不满者
ROLE_DECISION_MAKER = "decision_maker"  # 权力者
CONTACT_ROLES = (ROLE_ACCEPTOR, ROLE_DISSATISFIED, ROLE_DECISION_MAKER)

TASK_NEXT_STEP = "next_step"
TASK_MAINTENANCE = "maintenance"
TASK_GREETING = "greeting"
TASK_SOURCES = (TASK_NEXT_STEP, TASK_MAINTENANCE, TASK_GREETING)

FEEDBACK_STATUSES = ("open", "planned", "done", "declined")
SUPPORT_STATUSES = ("open", "answered", "closed")
APPLICATION_STATUSES = ("pending", "approved", "declined")


class Certification(db.Model):
    __tablename__ = "certification"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    code: Mapped[str] = mapped_column(String(40))
    passed: Mapped[bool] = mapped_column(Boolean)
    certified_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    seller = relationship("Seller")

    __table_args__ = (Index("ix_certification_seller_code", "seller_id", "code"),)


class CustomerContact(db.Model):
    """A person at a customer, with their part in the purchase (acceptor / dissatisfied /
    decision-maker) and an optional birthday (month and day matter; the year may be unknown)."""

    __tablename__ = "customer_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    name: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(32))
    birthday: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    customer = relationship("Customer")

    __table_args__ = (
        CheckConstraint("role in ('acceptor', 'dissatisfied', 'decision_maker')", name="role"),
        Index("ix_contact_customer", "customer_id"),
    )


class Activity(db.Model):
    """A call, visit or training logged by (or for) a seller. `occurred_at` is naive UTC."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    kind: Mapped[str] = mapped_column(String(12))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("customer_contact.id"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(500))
    next_step: Mapped[str | None] = mapped_column(String(300))
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    seller = relationship("Seller")
    customer = relationship("Customer")
    contact = relationship("CustomerContact")

    __table_args__ = (
        CheckConstraint("kind in ('call_first', 'call_follow', 'visit', 'training')", name="kind"),
        Index("ix_activity_seller_time", "seller_id", "occurred_at"),
        Index("ix_activity_customer_time", "customer_id", "occurred_at"),
        Index("ix_activity_time", "occurred_at"),
    )


class Task(db.Model):
    """A reminder on a seller's task list, due on a business date. `dedup_key` keeps
    generated tasks (maintenance, greetings) from being created twice."""

    __tablename__ = "selling_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"))
    source: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    dedup_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    seller = relationship("Seller")
    customer = relationship("Customer")

    __table_args__ = (
        CheckConstraint("source in ('next_step', 'maintenance', 'greeting')", name="source"),
        Index("ix_task_seller_due", "seller_id", "done_at", "due_on"),
    )


class KpiTarget(db.Model):
    """A target for one metric, per role (seller_id null: every seller of `channel`) or per
    seller (overrides the role's). Metrics: calls/first_contacts/visits/trainings; period
    'day' or 'week'."""

    __tablename__ = "kpi_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str | None] = mapped_column(String(10))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"))
    metric: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(4))
    target: Mapped[int]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    seller = relationship("Seller")

    __table_args__ = (
        CheckConstraint("period in ('day', 'week')", name="period"),
        CheckConstraint("target >= 0", name="target_non_negative"),
        CheckConstraint("(channel is null) <> (seller_id is null)", name="role_or_seller"),
        UniqueConstraint("channel", "seller_id", "metric", "period", name="uq_kpi_target_scope"),
    )


class OpportunityStage(db.Model):
    """A configurable stage of the buyer's decision process; `closed` stages end it."""

    __tablename__ = "opportunity_stage"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int]
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    won: Mapped[bool] = mapped_column(Boolean, default=False)


class Opportunity(db.Model):
    __tablename__ = "opportunity"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("opportunity_stage.id"))
    title: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    expected_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    customer = relationship("Customer")
    seller = relationship("Seller")
    stage = relationship("OpportunityStage")

    __table_args__ = (
        Index("ix_opportunity_seller", "seller_id", "stage_id"),
        Index("ix_opportunity_customer", "customer_id"),
    )


class Greeting(db.Model):
    """A holiday greeting scheduled every year on (month, day), for every customer with a
    contact of the sellers in scope (seller_id null: every seller)."""

    __tablename__ = "greeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    month: Mapped[int]
    day: Mapped[int]
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (CheckConstraint("month between 1 and 12 and day between 1 and 31", name="month_day"),)


class Training(db.Model):
    """A product training session held for agents (or reps) on a date."""

    __tablename__ = "training"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    held_on: Mapped[date] = mapped_column(Date)
    certification_code: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    product = relationship("Product")


class TrainingAttendance(db.Model):
    __tablename__ = "training_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("training.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    attended: Mapped[bool] = mapped_column(Boolean, default=True)

    seller = relationship("Seller")

    __table_args__ = (UniqueConstraint("training_id", "seller_id", name="uq_attendance_training_seller"),)


class AgentApplication(db.Model):
    """A recruitment (招商) application from a prospective agent, reviewed against the
    territory map; approval creates the agent (`seller_id`) and its grant."""

    __tablename__ = "agent_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    company: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18))
    contact_name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory.id"))
    level: Mapped[int]
    capacity: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    reason: Mapped[str | None] = mapped_column(String(300))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"))
    contract_from: Mapped[date | None] = mapped_column(Date)
    contract_to: Mapped[date | None] = mapped_column(Date)
    deposit_fen: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    territory = relationship("Territory")
    seller = relationship("Seller")

    __table_args__ = (
        CheckConstraint("status in ('pending', 'approved', 'declined')", name="status"),
        Index("ix_application_status", "status", "id"),
    )


class SupportRequest(db.Model):
    __tablename__ = "support_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    seller = relationship("Seller")

    __table_args__ = (
        CheckConstraint("status in ('open', 'answered', 'closed')", name="status"),
        Index("ix_support_seller", "seller_id", "id"),
    )


class Feedback(db.Model):
    """Customer feedback or a feature request, tagged with product and customer; a product
    manager answers with a status and a reply the seller sees."""

    __tablename__ = "product_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    is_request: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    reply: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime)

    seller = relationship("Seller")
    product = relationship("Product")
    customer = relationship("Customer")

    __table_args__ = (
        CheckConstraint("status in ('open', 'planned', 'done', 'declined')", name="status"),
        Index("ix_feedback_product", "product_id", "status"),
        Index("ix_feedback_seller", "seller_id", "id"),
        Index("ix_feedback_customer", "customer_id"),
    )
