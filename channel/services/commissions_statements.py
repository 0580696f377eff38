"""Statements: what one payee earned in one month, and why, line by line.

Access: through channel.services.access (`require_seller`): an agent or rep user sees only
statements of sellers in its own downline; managers, finance, admins and product managers see
all. A statement outside the scope answers NotFound (its existence is not revealed).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from channel.domain.commissions import Tier, next_tier
from channel.domain.periods import Month
from channel.services.access import require_seller, scope_cases, seller_scope
from models import db
from models.commissions import CommissionPlan, LedgerLine
from models.sales import OrderLine, ReturnLine, SalesOrder
from models.tree import Seller
from models.users import User

KINDS = ("base", "tier", "override:1", "override:2", "override:3", "bonus", "clawback", "adjustment",
         "forfeit", "protection_fee", "penalty")


@dataclass
class StatementLine:
    line: LedgerLine
    order_no: str | None
    order_date: object
    source_seller: Seller | None
    plan: CommissionPlan | None


@dataclass
class Statement:
    seller: Seller
    period: str
    lines: list[StatementLine]
    totals: dict[str, int]  # by kind (see KINDS), only kinds present
    total_fen: int
    by_downline: list[tuple[Seller, int]]  # override earned from each downline seller
    net_sales_fen: int
    next_tier: tuple[int, int] | None  # (fen still to sell, rate bp)
    plan: CommissionPlan | None
    notes: list[str] = field(default_factory=list)
    # conflict cases referenced by lines (forfeits, protection fees, penalties, their reversals)
    # that the viewer may open; the others are shown by number only
    visible_cases: set[int] = field(default_factory=set)


def kind_of(line: LedgerLine) -> str:
    return f"override:{line.override_level}" if line.rule == "override" else line.rule


def statement(user: User, seller_id: int, period: str) -> Statement:
    """The statement of `seller_id` for month `period`. NotFound outside the user's scope."""
    seller = require_seller(user, seller_id)
    month = Month.parse(period)
    source = aliased(Seller)
    rows = db.session.execute(
        select(LedgerLine, SalesOrder.order_no, OrderLine.order_date, source, CommissionPlan)
        .outerjoin(OrderLine, OrderLine.id == LedgerLine.order_line_id)
        .outerjoin(SalesOrder, SalesOrder.id == OrderLine.order_id)
        .outerjoin(source, source.id == LedgerLine.source_seller_id)
        .outerjoin(CommissionPlan, CommissionPlan.id == LedgerLine.plan_version_id)
        .where(LedgerLine.payee_id == seller_id, LedgerLine.period == str(month))
        .order_by(LedgerLine.rule, LedgerLine.override_level, LedgerLine.id)
    ).all()
    lines = [StatementLine(*row) for row in rows]
    totals: dict[str, int] = {}
    downline: dict[int, list] = {}
    for item in lines:
        kind = kind_of(item.line)
        totals[kind] = totals.get(kind, 0) + item.line.amount_fen
        if item.line.rule == "override" and item.source_seller is not None:
            entry = downline.setdefault(item.source_seller.id, [item.source_seller, 0])
            entry[1] += item.line.amount_fen
    ordered = {k: totals[k] for k in KINDS if k in totals}
    ordered.update({k: v for k, v in totals.items() if k not in ordered})
    net = net_sales(seller_id, month)
    plan = plan_on(seller, month)
    tiers = tuple(Tier(t.from_fen, t.to_fen, t.rate_bp, t.certification_code) for t in plan.tiers) if plan else ()
    base = net
    if plan is not None and plan.base_kind == "margin":
        tier_line = next((i.line for i in lines if i.line.rule == "tier"), None)
        base = tier_line.base_fen if tier_line is not None else net
    notes = sorted({i.line.note for i in lines if i.line.note and i.line.note.startswith("cert:")})
    return Statement(seller, str(month), lines, ordered, sum(i.line.amount_fen for i in lines),
                     sorted((tuple(v) for v in downline.values()), key=lambda e: -e[1]), net,
                     next_tier(base, tiers) if tiers else None, plan, notes,
                     _visible_cases(user, {i.line.case_id for i in lines if i.line.case_id}))


def _visible_cases(user: User, case_ids: set[int]) -> set[int]:
    if not case_ids:
        return set()
    from models.conflicts import ConflictCase

    return set(db.session.scalars(scope_cases(select(ConflictCase.id).where(ConflictCase.id.in_(case_ids)), user)))


def net_sales(seller_id: int, month: Month) -> int:
    """Personal sales minus returns dated in the month (all order kinds the seller's plan counts)."""
    sold = db.session.scalar(select(func.coalesce(func.sum(OrderLine.amount_fen), 0)).where(
        OrderLine.seller_id == seller_id, OrderLine.order_date >= month.start, OrderLine.order_date < month.end))
    returned = db.session.scalar(select(func.coalesce(func.sum(ReturnLine.amount_fen), 0)).where(
        ReturnLine.seller_id == seller_id, ReturnLine.return_date >= month.start, ReturnLine.return_date < month.end))
    return int(sold) - int(returned)


def plan_on(seller: Seller, month: Month) -> CommissionPlan | None:
    """The plan governing the seller's month aggregates (in force on the month's last day)."""
    last = month.end - timedelta(days=1)
    candidates = db.session.scalars(select(CommissionPlan).where(
        CommissionPlan.status == "active", CommissionPlan.channel == seller.channel,
        CommissionPlan.valid_from <= last,
        (CommissionPlan.valid_to.is_(None)) | (CommissionPlan.valid_to > last),
    )).all()
    best = None
    for plan in candidates:
        if plan.seller_id is not None and plan.seller_id != seller.id:
            continue
        if plan.seller_id is None and plan.level is not None and plan.level != seller.level:
            continue
        rank = 0 if plan.seller_id else (1 if plan.level else 2)
        if best is None or rank < best[0]:
            best = (rank, plan)
    return best[1] if best else None


STATEMENT_LINE_HEADER = ["ledger_line_id", "period", "source_period", "rule", "override_level", "order_no",
                         "order_line_id", "return_line_id", "source_seller", "base_fen", "rate_bp", "amount_fen", "plan",
                         "plan_version", "reverses_id", "note", "case_id"]


def statement_line_rows(st: Statement):
    """The statement's lines as rows under STATEMENT_LINE_HEADER (fen and basis points, machine
    keys: a reconciliation format), then an empty row and the total row."""
    for item in st.lines:
        line = item.line
        yield (line.id, line.period, line.source_period, line.rule, line.override_level or "",
               item.order_no or "", line.order_line_id or "", line.return_line_id or "",
               item.source_seller.code if item.source_seller else "", line.base_fen if line.base_fen is not None else "",
               line.rate_bp if line.rate_bp is not None else "", line.amount_fen,
               item.plan.name if item.plan else "", item.plan.version if item.plan else "",
               line.reverses_id or "", line.note or "", line.case_id or "")
    yield ()
    yield ("total", "", "", "", "", "", "", "", "", "", "", st.total_fen)


def statement_csv(st: Statement) -> str:
    """The statement's lines as CSV (UTF-8 with BOM so that Excel reads the Chinese)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(STATEMENT_LINE_HEADER)
    for row in statement_line_rows(st):
        writer.writerow(row)
    return out.getvalue()


def payees_query(user: User, period: str):
    """SELECT (seller, line count, total fen) of every payee of month `period` in the user's
    scope, by seller code: the statement list and its export. DomainError for a bad period."""
    month = Month.parse(period)
    query = (select(Seller, func.count(LedgerLine.id), func.sum(LedgerLine.amount_fen))
             .join(LedgerLine, LedgerLine.payee_id == Seller.id)
             .where(LedgerLine.period == str(month))
             .group_by(Seller.id).order_by(Seller.code))
    scope = seller_scope(user)
    if scope is not None:
        query = query.where(Seller.id.in_(scope))
    return query


def payees(user: User, period: str, after_code: str | None = None, size: int = 100) -> list[tuple[Seller, int, int]]:
    """(seller, line count, total fen) for every payee of the month in the user's scope,
    by seller code, one keyset page after `after_code`."""
    query = payees_query(user, period)
    if after_code:
        query = query.where(Seller.code > after_code)
    query = query.limit(size)
    return [(s, int(n), int(total)) for s, n, total in db.session.execute(query).all()]
