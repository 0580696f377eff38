"""Helpers for commission tests: plans and extra sales on top of tests/world.py."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from channel.domain.commissions import PlanSpec
from channel.services.commissions import save_plan
from channel.services.orders import LineInput, add_customer, record_order
from models import db
from models.commissions import LedgerLine

_counter = {"n": 0}


def plan(**fields):
    """Save a plan; defaults: agent channel, every level, from 2026-01-01, nothing paid."""
    values = dict(name="测试方案", channel="agent", level=None, valid_from=date(2026, 1, 1))
    values.update(fields)
    return save_plan(PlanSpec(**values))


def sale(w, seller, fen: int, day: date, kind: str = "sell_out"):
    """One order of one unit at `fen` by `seller` on `day`; returns its order line."""
    _counter["n"] += 1
    customer = add_customer(name=f"测试客户{_counter['n']}", owner_seller_id=seller.id, district_id=440305)
    order = record_order(order_no=f"T-{_counter['n']}-{seller.code}", kind=kind, seller_id=seller.id,
                         customer_id=customer.id if kind == "sell_out" else None, ship_to_district_id=440305,
                         order_date=day, lines=[LineInput(w.product.id, 1, fen)])
    return order.lines[0]


def ledger(**where) -> list[LedgerLine]:
    query = select(LedgerLine).order_by(LedgerLine.id)
    for key, value in where.items():
        query = query.where(getattr(LedgerLine, key) == value)
    return list(db.session.scalars(query))


def paid(payee, rule: str | None = None, period: str | None = None) -> int:
    """Sum of the ledger for a payee (optionally one rule, one posting period)."""
    query = select(func.coalesce(func.sum(LedgerLine.amount_fen), 0)).where(LedgerLine.payee_id == payee.id)
    if rule:
        query = query.where(LedgerLine.rule == rule)
    if period:
        query = query.where(LedgerLine.period == period)
    return db.session.scalar(query)


def count_lines() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerLine))


def post_october(w):
    """October posted for tests/world.py: resellers NS and TH earn 3 % base, their uplines
    overrides (2 %, 1 %). Returns the world."""
    from channel.services.commissions_run import run_period

    plan(level=4, base_rate_bp=300, override_rates_bp=(200, 100))
    run_period("2026-10")
    return w
