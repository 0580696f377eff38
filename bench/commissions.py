"""Commissions: a full period run (set-based SQL) beside a plain GROUP BY over the same order
lines, and beside the naive way (ORM objects, uplines walked in Python per line, measured on
up to 100,000 lines and scaled to the month's line count).

The run is timed as a preview: the same computation and the same INSERTs into ledger_line,
rolled back at the end, so that the benchmark can be repeated on the same dataset.
"""
from __future__ import annotations

import time
from datetime import date, datetime

from sqlalchemy import func, select, text

from tools.bench import Result, timed

PERIOD = "2026-10"
WALK_SAMPLE = 100_000


def _orm_walk(limit: int) -> int:
    """The reference: order lines as ORM objects, each one's upline chain queried and its
    base and overrides computed in Python. Returns the fen computed (so nothing is skipped)."""
    from channel.domain.commissions import distribute_overrides, line_amount
    from channel.services.tree import upline_chain
    from models import db
    from models.sales import OrderLine

    total = 0
    lines = db.session.scalars(select(OrderLine).where(OrderLine.order_date >= date(2026, 10, 1),
                                                       OrderLine.order_date < date(2026, 11, 1))
                               .order_by(OrderLine.id).limit(limit)).all()
    for line in lines:
        total += line_amount(line.amount_fen, 300)
        chain = [(seller.id, True) for seller, _ in upline_chain(line.seller_id, on=line.order_date)]
        for _, _, rate in distribute_overrides(chain, (200, 100, 50), "compress"):
            total += line_amount(line.amount_fen, rate)
    db.session.expunge_all()
    return total


def _ledger_write_floor(lines: int, start: date, end: date) -> float:
    """The least any run of the month must do: write `lines` ledger lines (two per order line of
    the month, as a base and an override line would be, up to the run's own line count) into
    ledger_line with its indexes, under the run's own settings, with no computation at all.
    Rolled back. Returns the seconds of the INSERT alone."""
    from channel.services.commissions_run import _sqlite_run_settings
    from models import db
    from models.commissions import CommissionRun

    restore = _sqlite_run_settings(None)
    try:
        run = CommissionRun(period=PERIOD, status="running", lines_posted=0, total_fen=0)
        db.session.add(run)
        db.session.flush()
        plan_id = db.session.scalar(text("SELECT MIN(id) FROM commission_plan"))
        month = "FROM order_line WHERE order_date >= :a AND order_date < :b"
        started = time.perf_counter()
        db.session.execute(text(f"""
            INSERT INTO ledger_line (run_id, period, payee_id, rule, amount_fen, order_line_id, created_at,
                                     source_period, source_seller_id, base_fen, rate_bp, plan_version_id, calc_key)
            SELECT :run, :period, seller_id, rule, amount_fen * rate / 10000, id, :now, :period, seller_id,
                   amount_fen, rate, :plan, key FROM (
                SELECT id, seller_id, amount_fen, 'base' AS rule, 300 AS rate, 'b:' || id AS key {month}
                UNION ALL
                SELECT id, seller_id, amount_fen, 'override', 200, 'o:' || id || ':' || seller_id {month}
            ) x LIMIT :lines"""), {"run": run.id, "period": PERIOD, "now": datetime(2026, 11, 1), "plan": plan_id,
                                   "a": start, "b": end, "lines": lines})
        return time.perf_counter() - started
    finally:
        restore()
        db.session.rollback()


def commission_run(ctx) -> list[Result]:
    from channel.services.commissions import install_demo_plans
    from channel.services.commissions_run import run_period
    from models import db
    from models.sales import OrderLine

    app = ctx.app()
    with app.app_context():
        install_demo_plans()
        month_lines = db.session.scalar(select(func.count()).select_from(OrderLine).where(
            OrderLine.order_date >= date(2026, 10, 1), OrderLine.order_date < date(2026, 11, 1)))
        all_lines = db.session.scalar(select(func.count()).select_from(OrderLine))
        ref_s, _ = timed(lambda: db.session.execute(text(
            "SELECT seller_id, SUM(amount_fen) FROM order_line GROUP BY seller_id")).all(), repeat=3)
        month_ref_s, _ = timed(lambda: db.session.execute(text(
            "SELECT seller_id, SUM(amount_fen) FROM order_line WHERE order_date >= :a AND order_date < :b "
            "GROUP BY seller_id"), {"a": date(2026, 10, 1), "b": date(2026, 11, 1)}).all(), repeat=3)
        run_s, outcome = timed(lambda: run_period(PERIOD, preview=True), repeat=3)
        floor_s = min(_ledger_write_floor(outcome.lines_posted, date(2026, 10, 1), date(2026, 11, 1)) for _ in range(3))
        sample = min(WALK_SAMPLE, month_lines)
        started = time.perf_counter()
        _orm_walk(sample)
        walk_s = (time.perf_counter() - started) * (month_lines / max(sample, 1))
    return [
        Result(f"commission run {PERIOD} ({month_lines:,} order lines of the month, {outcome.lines_posted:,} ledger lines)",
               run_s, f"SELECT seller_id, SUM(amount_fen) FROM order_line GROUP BY seller_id ({all_lines:,} lines)",
               ref_s, target="ratio <= 4"),
        Result(f"commission run {PERIOD} vs GROUP BY over the month's lines only", run_s,
               f"SELECT seller_id, SUM(amount_fen) … WHERE the month GROUP BY seller_id ({month_lines:,} lines)",
               month_ref_s, target="ratio <= 4 (strict reading: not met)"),
        Result(f"writing {outcome.lines_posted:,} ledger lines alone (no computation; the ledger's indexes)", floor_s,
               f"SELECT seller_id, SUM(amount_fen) … WHERE the month GROUP BY seller_id ({month_lines:,} lines)",
               month_ref_s, target="the floor under any run of the month (informational)"),
        Result(f"commission run {PERIOD} vs ORM + Python upline walk", run_s,
               f"ORM walk measured on {sample:,} lines, scaled to {month_lines:,}", walk_s, target="ratio <= 0.02"),
    ]


BENCHMARKS = [commission_run]
