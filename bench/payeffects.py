"""Effect on pay: a commission run with many confirmed conflict cases beside the same run with
the conflict effects switched off, measured in the same process.

One confirmed forfeit case (protection fee 5 %, penalty ¥100) per 20 sell-out lines of the month,
each with its line as evidence, is inserted set-based; both runs are previews (rolled back);
the cases are deleted at the end so that the dataset is left as found.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, bindparam, func, select, text

from tools.bench import Result, timed

PERIOD = "2026-10"
EVERY = 20


def _add_cases() -> int:
    from models import db, utcnow

    now = utcnow()
    db.session.execute(text("""
        INSERT INTO conflict_case (fingerprint, rule, severity, status, offender_id, harmed_id, period, evidence_count,
                                   amount_fen, effect_action, protection_fee_fen, penalty_fen, opened_at, updated_at,
                                   closed_at)
        SELECT 'bench-pay:' || ol.id, 'cross_territory', 'high', 'confirmed', ol.seller_id, s.parent_id, :period, 1,
               ol.amount_fen, 'forfeit', (ol.amount_fen * 500 + 5000) / 10000, 10000, :now, :now, :now
        FROM order_line ol JOIN seller s ON s.id = ol.seller_id
        WHERE ol.kind = 'sell_out' AND ol.order_date >= :start AND ol.order_date < :end AND ol.id % :every = 0
    """).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date)), {"period": PERIOD, "now": now, "start": date(2026, 10, 1), "end": date(2026, 11, 1),
                        "every": EVERY})
    db.session.execute(text("""
        INSERT INTO conflict_evidence (case_id, rule, ref_kind, ref_id, ref2_id, seller_id, order_line_id, amount_fen,
                                       created_at)
        SELECT c.id, 'cross_territory', 'bench', CAST(SUBSTR(c.fingerprint, 11) AS INTEGER), 0, c.offender_id,
               CAST(SUBSTR(c.fingerprint, 11) AS INTEGER), c.amount_fen, :now
        FROM conflict_case c WHERE c.fingerprint LIKE 'bench-pay:%'
    """), {"now": now})
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(text("conflict_case")).where(
        text("fingerprint LIKE 'bench-pay:%'")))


def _drop_cases() -> None:
    from models import db

    db.session.execute(text("DELETE FROM conflict_evidence WHERE case_id IN "
                            "(SELECT id FROM conflict_case WHERE fingerprint LIKE 'bench-pay:%')"))
    db.session.execute(text("DELETE FROM conflict_case WHERE fingerprint LIKE 'bench-pay:%'"))
    db.session.commit()


def run_with_conflict_effects(ctx) -> list[Result]:
    from channel.services import commissions_run
    from channel.services.commissions import install_demo_plans, list_plans
    from channel.services.commissions_run import run_period

    app = ctx.app()
    with app.app_context():
        if not list_plans():
            install_demo_plans()
        cases = _add_cases()
        try:
            with_s, outcome = timed(lambda: run_period(PERIOD, preview=True), repeat=3)
            saved = (list(commissions_run.CONFLICT_EFFECTS), list(commissions_run.CONFLICT_AFTER_POST))
            commissions_run.CONFLICT_EFFECTS.clear()
            commissions_run.CONFLICT_AFTER_POST.clear()
            try:
                without_s, plain = timed(lambda: run_period(PERIOD, preview=True), repeat=3)
            finally:
                commissions_run.CONFLICT_EFFECTS[:] = saved[0]
                commissions_run.CONFLICT_AFTER_POST[:] = saved[1]
        finally:
            _drop_cases()
    return [Result(f"commission run {PERIOD} with {cases:,} confirmed forfeit cases "
                   f"({outcome.lines_posted - plain.lines_posted:,} effect lines)", with_s,
                   f"the same run without conflict effects ({plain.lines_posted:,} lines)", without_s,
                   target="ratio <= 1.5")]


BENCHMARKS = [run_with_conflict_effects]
