"""Channel conflicts: unit codes and their journey, customer registrations, and conflict cases.

Codes (一物一码): `unit_code` holds unit codes and case codes (kind 'case'; a unit's `case_id`
is the case it is packed in). `code_shipment` binds a code to the agent that received it (a
sell-in); shipping a case ships its units. `code_scan` is a scan by a retailer, an inspector or
a consumer; `code_id` is NULL when the scanned text is no known code (a fake); `shipment_id` /
`agent_id` are the shipment the scanned code came from, bound when the scan is stored.

Registrations (客户报备): a seller claims a prospect until `protected_until` (exclusive).

Cases: one `conflict_case` per finding (its `fingerprint` groups the evidence of one offender /
harmed party / month), `conflict_evidence` rows (unique per rule and referenced row, so that a
re-scan never adds a row twice), `conflict_event` the timeline of every change. A
`conflict_policy` says what a confirmed case does to pay (see docs/conflicts.md).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db, utcnow

RULE_CROSS_TERRITORY = "cross_territory"  # 串货
RULE_DIVERSION = "code_diversion"  # 一物一码: scanned outside the receiving agent's territories
RULE_FAKE_CODE = "fake_code"  # a copied code (far-apart scans) or a code never shipped
RULE_DUPLICATE_CLAIM = "duplicate_claim"  # 撞单
RULE_PRICE = "price_violation"  # 乱价
RULES = (RULE_CROSS_TERRITORY, RULE_DIVERSION, RULE_FAKE_CODE, RULE_DUPLICATE_CLAIM, RULE_PRICE)

STATUS_OPEN, STATUS_INVESTIGATING, STATUS_CONFIRMED, STATUS_DISMISSED = "open", "investigating", "confirmed", "dismissed"
STATUSES = (STATUS_OPEN, STATUS_INVESTIGATING, STATUS_CONFIRMED, STATUS_DISMISSED)
ACTIVE_STATUSES = (STATUS_OPEN, STATUS_INVESTIGATING)

SCANNER_KINDS = ("retailer", "inspector", "consumer")
CODE_UNIT, CODE_CASE = "unit", "case"

ACTION_HOLD, ACTION_FORFEIT = "hold", "forfeit"


class UnitCode(db.Model):
    __tablename__ = "unit_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(4), default=CODE_UNIT)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("unit_code.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    product = relationship("Product")

    __table_args__ = (
        CheckConstraint("kind in ('unit', 'case')", name="kind"),
        Index("ix_unit_code_case", "case_id"),
    )


class CodeShipment(db.Model):
    """A code (unit or case) shipped to an agent on a sell-in."""

    __tablename__ = "code_shipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("unit_code.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"))
    shipped_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    agent = relationship("Seller")

    __table_args__ = (
        Index("ix_code_shipment_code", "code_id", "shipped_on"),
        # the sell-in line a code went out on: evidence chains, and FK checks when lines change
        Index("ix_code_shipment_order_line", "order_line_id"),
    )


class CodeScan(db.Model):
    __tablename__ = "code_scan"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_text: Mapped[str] = mapped_column(String(64))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("unit_code.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("territory.id"))
    scanned_at: Mapped[datetime] = mapped_column(DateTime)
    scanned_on: Mapped[date] = mapped_column(Date)  # the business date of `scanned_at`
    scanner_kind: Mapped[str] = mapped_column(String(10))
    scanned_by: Mapped[str | None] = mapped_column(String(100))
    # Bound at ingestion (services.conflicts.bind_scans): the last shipment of the code, or of
    # the case it is packed in, on or before the scan, and the agent it went to. NULL: never shipped.
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("code_shipment.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    district = relationship("Territory")

    __table_args__ = (
        CheckConstraint("scanner_kind in ('retailer', 'inspector', 'consumer')", name="scanner_kind"),
        Index("ix_code_scan_code", "code_id", "district_id", "scanned_on"),  # covers the copied-code GROUP BY
        Index("ix_code_scan_date", "scanned_on"),
        Index("ix_code_scan_agent", "agent_id", "scanned_on"),
    )


class CustomerRegistration(db.Model):
    """客户报备: `seller_id` claims the customer from `registered_on` until `protected_until`
    (exclusive). Names and phones are stored normalised for matching."""

    __tablename__ = "customer_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    customer_name: Mapped[str] = mapped_column(String(200))
    name_norm: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    phone_norm: Mapped[str | None] = mapped_column(String(20))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    registered_on: Mapped[date] = mapped_column(Date)
    protected_until: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    seller = relationship("Seller")

    __table_args__ = (
        Index("ix_registration_window", "registered_on", "protected_until"),
        Index("ix_registration_credit_code", "credit_code"),
        Index("ix_registration_seller", "seller_id"),
    )


class RegistrationMatch(db.Model):
    """A customer judged the same as a registration's prospect (credit code or fuzzy name+phone)."""

    __tablename__ = "registration_match"

    registration_id: Mapped[int] = mapped_column(ForeignKey("customer_registration.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    score: Mapped[int]
    reason: Mapped[str] = mapped_column(String(12))  # credit_code | name_phone

    __table_args__ = (Index("ix_registration_match_customer", "customer_id"),)


class ConflictPolicy(db.Model):
    """What a confirmed case does to pay. The most specific active policy for the case's rule
    (rule set beats rule NULL) applies unless the case names one.

    `action` hold: the offending lines' commission (the seller's and the overrides') stays held;
    forfeit: it is reversed. `protection_fee_bp`: basis points of the offending amount credited to
    the harmed party. `penalty_fen`: a fixed amount charged to the offender."""

    __tablename__ = "conflict_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    plan_id: Mapped[int | None]  # the commission plan it belongs to (no FK: that feature owns plans)
    rule: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(8), default=ACTION_HOLD)
    protection_fee_bp: Mapped[int] = mapped_column(default=0)
    penalty_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("action in ('hold', 'forfeit')", name="action"),
        CheckConstraint("protection_fee_bp >= 0 and protection_fee_bp <= 10000", name="fee_bp_range"),
        CheckConstraint("penalty_fen >= 0", name="penalty_non_negative"),
    )


class ConflictCase(db.Model):
    __tablename__ = "conflict_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(120))
    rule: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(14), default=STATUS_OPEN)
    offender_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"))
    harmed_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"))
    period: Mapped[str] = mapped_column(String(7))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"))
    evidence_count: Mapped[int] = mapped_column(default=0)
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # sum of the offending lines
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("conflict_policy.id"))
    # the ruling's effect, fixed when the case is confirmed
    effect_action: Mapped[str | None] = mapped_column(String(8))
    protection_fee_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    penalty_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    effects_posted_period: Mapped[str | None] = mapped_column(String(7))  # set by the commission run
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    ruled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    offender = relationship("Seller", foreign_keys=[offender_id])
    harmed = relationship("Seller", foreign_keys=[harmed_id])
    assignee = relationship("User", foreign_keys=[assignee_id])
    province = relationship("Territory")
    policy = relationship("ConflictPolicy")

    __table_args__ = (
        CheckConstraint("status in ('open', 'investigating', 'confirmed', 'dismissed')", name="status"),
        CheckConstraint("severity in ('low', 'medium', 'high')", name="severity"),
        Index("ix_conflict_case_fingerprint", "fingerprint", "status"),
        Index("ix_conflict_case_status", "status", "rule", "severity"),
        Index("ix_conflict_case_offender", "offender_id"),
        Index("ix_conflict_case_harmed", "harmed_id"),
    )


class ConflictEvidence(db.Model):
    """One piece of evidence. (`rule`, `ref_kind`, `ref_id`, `ref2_id`) is unique: the order line
    (ref_kind 'line'), the scan and unit ('scan'), the registration and line or other registration
    ('claim'), or the pair of scans ('copy') a finding rests on. `seller_id` is whose object it is
    (the access rules show an agent only the details of its own rows)."""

    __tablename__ = "conflict_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("conflict_case.id"))
    rule: Mapped[str] = mapped_column(String(20))
    ref_kind: Mapped[str] = mapped_column(String(6))
    ref_id: Mapped[int]
    ref2_id: Mapped[int] = mapped_column(default=0)
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"))
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"))
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("code_scan.id"))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("unit_code.id"))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("code_shipment.id"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("customer_registration.id"))
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("territory_grant.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id"))
    occurred_on: Mapped[date | None] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    expected_fen: Mapped[int | None] = mapped_column(BigInteger)  # the floor price, for 乱价
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("rule", "ref_kind", "ref_id", "ref2_id", name="uq_conflict_evidence_ref"),
        Index("ix_conflict_evidence_case", "case_id"),
        Index("ix_conflict_evidence_line", "order_line_id"),
    )


class ConflictEvent(db.Model):
    """The case's timeline: opened, evidence added, status changes, assignment, notes, rulings."""

    __tablename__ = "conflict_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("conflict_case.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # NULL: the scanner
    action: Mapped[str] = mapped_column(String(12))
    from_status: Mapped[str | None] = mapped_column(String(14))
    to_status: Mapped[str | None] = mapped_column(String(14))
    count: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)

    actor = relationship("User")

    __table_args__ = (Index("ix_conflict_event_case", "case_id", "at"),)


class ConflictHit(db.Model):
    """Scratch rows of one scan (`scan_key`): every rule writes its findings here with one
    INSERT ... SELECT, then they become cases and evidence and are deleted."""

    __tablename__ = "conflict_hit"

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_key: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(120))
    rule: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(6))
    offender_id: Mapped[int | None]
    harmed_id: Mapped[int | None]
    period: Mapped[str] = mapped_column(String(7))
    province_id: Mapped[int | None]
    ref_kind: Mapped[str] = mapped_column(String(6))
    ref_id: Mapped[int]
    ref2_id: Mapped[int] = mapped_column(default=0)
    seller_id: Mapped[int | None]
    order_line_id: Mapped[int | None]
    scan_id: Mapped[int | None]
    code_id: Mapped[int | None]
    shipment_id: Mapped[int | None]
    registration_id: Mapped[int | None]
    grant_id: Mapped[int | None]
    district_id: Mapped[int | None]
    occurred_on: Mapped[date | None] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    expected_fen: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_conflict_hit_scan", "scan_key", "fingerprint"),)
