"""A conflict that reaches pay, on top of tests/world.py and tests/conflicts_fixtures.py.

Plan for every agent: 3 % base, overrides 2 / 1 / 0.5 %. SZ (深圳市代, under GD under N1) sells
1 × ¥3,000 into 越秀 440104 (GZ's exclusive area) on 2026-10-15. That line pays, by hand:
SZ base 3 % = ¥90 (9,000 fen), GD override level 1 2 % = ¥60 (6,000), N1 override level 2
1 % = ¥30 (3,000); N1 is the root, so there is no level 3. The scan opens one 串货 case,
offender SZ, harmed GZ, amount 300,000 fen.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from channel.services import conflicts, conflicts_cases, payouts
from models import db
from models.commissions import LedgerHold, LedgerLine
from models.conflicts import ConflictCase
from models.tree import Seller
from tests.commissions_fixtures import plan
from tests.conflicts_fixtures import sell

SZ_BASE, GD_OVERRIDE, N1_OVERRIDE = 9_000, 6_000, 3_000


def leak(world):
    """The plan, the offending line and its case; returns (line, case)."""
    plan(base_rate_bp=300, override_rates_bp=(200, 100, 50))
    line = sell(world, world.SZ, 440104, day=date(2026, 10, 15))
    conflicts.scan_new(order_line_ids=[line.id])
    case = db.session.scalar(select(ConflictCase).where(ConflictCase.rule == "cross_territory",
                                                        ConflictCase.offender_id == world.SZ.id))
    assert (case.harmed_id, case.amount_fen) == (world.GZ.id, 300_000)
    return line, case


def rule(world, case, *statuses):
    for status in statuses:
        conflicts_cases.change_status(world.user_manager, case.id, status, note="核实")


def on_line(line_id, **where) -> dict:
    """{(payee code, rule): amount} of the ledger lines resting on one order line."""
    query = select(Seller.code, LedgerLine.rule, LedgerLine.amount_fen).join(Seller, Seller.id == LedgerLine.payee_id) \
        .where(LedgerLine.order_line_id == line_id).order_by(LedgerLine.id)
    for key, value in where.items():
        query = query.where(getattr(LedgerLine, key) == value)
    result: dict = {}
    for code, kind, amount in db.session.execute(query):
        result[(code, kind)] = result.get((code, kind), 0) + amount
    return result


def active_holds(case_id) -> set[int]:
    return set(db.session.scalars(select(LedgerHold.ledger_line_id).where(
        LedgerHold.case_id == case_id, LedgerHold.released_at.is_(None))))


def payable_ids(period: str) -> set[int]:
    return {row.id for row in db.session.execute(payouts.payable_lines(period))}


def give_accounts() -> None:
    for seller in db.session.scalars(select(Seller)):
        if not seller.bank_account:
            seller.bank_name, seller.bank_account = "中国工商银行", f"6222020000{seller.id:09d}"
    db.session.commit()


def pay(world, period: str):
    """A batch of `period` (no minimum) created, invoiced, submitted and approved: it locks the month."""
    give_accounts()
    batch = payouts.create_batch(period, world.user_finance.id, minimum=0)
    for row in payouts.batch_rows(batch.id, status="awaiting_invoice", size=1000):
        payouts.record_invoice(row.id, world.user_finance.id, f"INV-{row.id:08d}")
    payouts.submit(batch.id, world.user_finance.id)
    return payouts.approve(batch.id, world.user_finance2.id)
