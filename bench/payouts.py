"""Payouts: draft a batch with one row per seller, then export it (CSV and XLSX, streamed).

The dataset gets one posted ledger line per seller in the current month (set-based, so that the
batch has as many payees as the demo has sellers — 100,000+ at `make bench` full size). The
batch is taken through submit and approve (finance → finance2) and left approved/exported in the
bench database. Each function runs in its own process, so the export's peak memory is its own.
"""
from __future__ import annotations

import tempfile

from sqlalchemy import func, select, text

from tools.bench import Result, peak_mb, timed

def _current_month() -> str:
    """The latest month a batch may be drafted for (a later one has not begun)."""
    from channel.domain.periods import Month
    from channel.services.clock import business_today

    return str(Month.of(business_today()))


PERIOD = _current_month()


def _post_lines() -> int:
    """One posted line per seller for PERIOD; returns how many."""
    from models import db
    from models.commissions import CommissionRun
    from models.tree import Seller

    run = CommissionRun(period=PERIOD, status="posted")
    db.session.add(run)
    db.session.flush()
    db.session.execute(text(
        "INSERT INTO ledger_line (run_id, period, payee_id, rule, amount_fen, created_at) "
        "SELECT :run, :period, id, 'base', 50000 + (id % 1000) * 100, CURRENT_TIMESTAMP FROM seller"),
        {"run": run.id, "period": PERIOD})
    count = db.session.scalar(select(func.count()).select_from(Seller))
    run.lines_posted = count
    db.session.commit()
    return count


def _users():
    from models import db
    from models.users import User

    finance = db.session.scalar(select(User.id).where(User.username == "finance"))
    finance2 = db.session.scalar(select(User.id).where(User.username == "finance2"))
    return finance, finance2


def _approved_batch(timings: dict | None = None) -> int:
    """Post the lines, draft the batch (timed), invoice company rows, submit and approve."""
    from channel.services import payouts
    from models import db
    from models.payouts import BATCH_DRAFT, BATCH_SUBMITTED, PayoutBatch

    finance, finance2 = _users()
    for stale in db.session.scalars(select(PayoutBatch.id).where(PayoutBatch.status.in_((BATCH_DRAFT, BATCH_SUBMITTED)))):
        payouts.cancel(stale, finance, "bench: stale draft")
    _post_lines()
    seconds, batch = timed(lambda: payouts.create_batch(PERIOD, finance, minimum=0))
    if timings is not None:
        timings["create"] = seconds
        timings["payees"] = batch.payees
    # Invoices for every company row at once (the page records them one by one).
    db.session.execute(text(
        "UPDATE payout_row SET invoice_no = 'BENCH' || id, status = 'payable' "
        "WHERE batch_id = :b AND status = 'awaiting_invoice'"), {"b": batch.id})
    db.session.commit()
    payouts.submit(batch.id, finance)
    payouts.approve(batch.id, finance2)
    return batch.id


def payout_batch_create(ctx) -> list[Result]:
    from models import db

    app = ctx.app()
    with app.app_context():
        timings: dict = {}
        _approved_batch(timings)
        ref_s, _ = timed(lambda: db.session.execute(text(
            "SELECT payee_id, sum(amount_fen), count(*) FROM ledger_line GROUP BY payee_id")).all())
    return [Result(f"draft a payout batch ({timings['payees']:,} payees, set-based)", timings["create"],
                   "GROUP BY payee over the whole ledger", ref_s)]


def payout_export(ctx) -> list[Result]:
    from channel.services import payouts, payouts_export
    from models import db
    from models.payouts import BATCH_APPROVED, BATCH_EXPORTED, PayoutBatch, PayoutRow

    app = ctx.app()
    with app.app_context():
        batch_id = db.session.scalar(select(PayoutBatch.id).where(
            PayoutBatch.period == PERIOD, PayoutBatch.status.in_((BATCH_APPROVED, BATCH_EXPORTED)))
            .order_by(PayoutBatch.id.desc()).limit(1))
        note = ""
        if batch_id is None:
            batch_id = _approved_batch()
            note = "batch drafted in this process: peak memory includes drafting"
        finance, _ = _users()
        payouts.start_export(batch_id, finance)
        payees = db.session.scalar(select(func.count()).select_from(PayoutRow).where(PayoutRow.batch_id == batch_id))

        def export_csv():
            size = 0
            for chunk in payouts_export.csv_chunks(batch_id, payouts_export.BANK):
                size += len(chunk)
            for chunk in payouts_export.csv_chunks(batch_id, payouts_export.PAYROLL):
                size += len(chunk)
            return size

        def export_xlsx():
            size = 0
            for file in payouts_export.FILES:
                with tempfile.TemporaryFile() as out:
                    payouts_export.write_xlsx(batch_id, file, out)
                    size += out.tell()
            return size

        csv_s, csv_bytes = timed(export_csv)
        xlsx_s, xlsx_bytes = timed(export_xlsx)
        export_peak = peak_mb()  # before the reference below loads every row at once
        ref_s, _ = timed(lambda: db.session.execute(select(PayoutRow).where(PayoutRow.batch_id == batch_id)
                                                    .execution_options(yield_per=2000)).all())
    return [
        Result(f"export {payees:,} payees as CSV (bank + payroll, {csv_bytes / 1e6:.1f} MB)", csv_s,
               "load the same rows as ORM objects", ref_s, peak_mb=export_peak, note=note, target="< 10 s, < 300 MB"),
        Result(f"export {payees:,} payees as XLSX (streamed, {xlsx_bytes / 1e6:.1f} MB)", xlsx_s,
               "target: 10 s for 100,000 payees (issue #5)", 10.0, peak_mb=export_peak, note=note,
               target="< 10 s, < 300 MB"),
    ]


BENCHMARKS = [payout_batch_create, payout_export]
