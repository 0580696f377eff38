"""The effect of conflict rulings on pay, wired into the commission run.

`register()` (called once at app start by the conflicts feature, channel/conflicts/cli.py)
adds `case_effects` to `commissions_run.CONFLICT_EFFECTS` and `after_posting` to
`CONFLICT_AFTER_POST`. Nothing else calls them.

What a run computes is stateless: for every source month it adds to `cm_calc` the lines the
CURRENT rulings call for, and the run's own diff posts, keeps or reverses them. So a re-run
with nothing changed posts nothing; a case dismissed after its effect was posted disappears
from `cm_calc` and the run reverses its lines (rule 'adjustment', case_id kept); a ruling on a
locked month reaches it through the run's correction of locked months and posts in the open
month being run (`period` = that month, `source_period` = the locked month).

Per confirmed case (amounts fixed on the case when it was confirmed, see conflicts_cases):
- forfeit: for each base, override and clawback line computed on an offending order line, a
  'forfeit' line of the opposite amount to the same payee (seller and uplines), `case_id` set,
  `calc_key` 'f:<case>:<calc_key forfeited>', `note` = the rule forfeited. A line offending in
  several confirmed forfeit cases is forfeited once, by the oldest case.
- hold: nothing is added; after posting, every new line on an offending order line is held.
- protection fee (`protection_fee_fen` > 0, harmed party known): one 'protection_fee' line to
  the harmed party in the case's month (`case.period`), calc_key 'pf:<case>'.
- penalty (`penalty_fen` > 0): one negative 'penalty' line to the offender in the case's month,
  calc_key 'pn:<case>'.
Effects live in the month they belong to (the sale's month, the case's month); a month that is
neither run again nor a locked month within COMMISSION_CORRECTION_MONTHS of a run is not reached.
"""
from __future__ import annotations

from channel.services import commissions_run
from channel.services.commissions_run import RunContext

_CALC_COLUMNS = ("calc_key, payee_id, rule, order_line_id, return_line_id, source_seller_id, override_level, "
                 "base_fen, rate_bp, amount_fen, plan_id, note, case_id")


def register() -> None:
    """Add the effect and the after-posting hook to the commission run (once)."""
    if case_effects not in commissions_run.CONFLICT_EFFECTS:
        commissions_run.CONFLICT_EFFECTS.append(case_effects)
    if after_posting not in commissions_run.CONFLICT_AFTER_POST:
        commissions_run.CONFLICT_AFTER_POST.append(after_posting)


def case_effects(ctx: RunContext) -> None:
    """Add to cm_calc the forfeits, protection fees and penalties of confirmed cases for
    `ctx.source` (three INSERT ... SELECT, whatever the number of cases)."""
    ctx.execute(f"""
        INSERT INTO cm_calc ({_CALC_COLUMNS})
        SELECT 'f:' || x.case_id || ':' || c.calc_key, c.payee_id, 'forfeit', c.order_line_id, c.return_line_id,
               c.source_seller_id, c.override_level, c.amount_fen, NULL, -c.amount_fen, c.plan_id, c.rule, x.case_id
        FROM cm_calc c
        JOIN (SELECT e.order_line_id, MIN(k.id) AS case_id
              FROM conflict_evidence e JOIN conflict_case k ON k.id = e.case_id
              WHERE k.status = 'confirmed' AND k.effect_action = 'forfeit' AND e.order_line_id IS NOT NULL
              GROUP BY e.order_line_id) x ON x.order_line_id = c.order_line_id
        WHERE c.rule IN ('base', 'override', 'clawback')""")
    # the harmed party sees neither the offender nor the offending amount on its statement
    ctx.execute(f"""
        INSERT INTO cm_calc ({_CALC_COLUMNS})
        SELECT 'pf:' || k.id, k.harmed_id, 'protection_fee', NULL, NULL, NULL, NULL, NULL, p.protection_fee_bp,
               k.protection_fee_fen, NULL, NULL, k.id
        FROM conflict_case k LEFT JOIN conflict_policy p ON p.id = k.policy_id
        WHERE k.status = 'confirmed' AND k.period = :source AND k.harmed_id IS NOT NULL
          AND k.protection_fee_fen > 0""", source=str(ctx.source))
    ctx.execute(f"""
        INSERT INTO cm_calc ({_CALC_COLUMNS})
        SELECT 'pn:' || k.id, k.offender_id, 'penalty', NULL, NULL, NULL, NULL, NULL, NULL, -k.penalty_fen, NULL,
               NULL, k.id
        FROM conflict_case k
        WHERE k.status = 'confirmed' AND k.period = :source AND k.offender_id IS NOT NULL
          AND k.penalty_fen > 0""", source=str(ctx.source))


def after_posting(ctx: RunContext) -> None:
    """After the run posted: hold its new lines on offending lines of cases under investigation
    or confirmed with 'hold'; release the holds of confirmed forfeit cases on lines of the
    months just computed (their forfeit lines now offset them); record on each case the month
    its effect was posted in (or that it was reversed)."""
    from sqlalchemy import bindparam, text

    from channel.services import conflicts_cases
    from models import db, utcnow

    conflicts_cases.hold_new_ledger_lines(ctx.run_id)
    months = [str(m) for m in ctx.sources] or [str(ctx.posting)]
    db.session.execute(text("""
        UPDATE ledger_hold SET released_at = :now
        WHERE released_at IS NULL
          AND case_id IN (SELECT id FROM conflict_case WHERE status = 'confirmed' AND effect_action = 'forfeit')
          AND EXISTS (SELECT 1 FROM ledger_line l WHERE l.id = ledger_hold.ledger_line_id AND l.source_period IN :months)
    """).bindparams(bindparam("months", expanding=True)), {"now": utcnow(), "months": months})
    rows = db.session.execute(text("""
        SELECT DISTINCT l.case_id, k.status, k.effects_posted_period
        FROM ledger_line l JOIN conflict_case k ON k.id = l.case_id
        WHERE l.run_id = :run"""), {"run": ctx.run_id}).all()
    posted = [case_id for case_id, status, period in rows if status == "confirmed" and period is None]
    reversed_ = [case_id for case_id, status, period in rows if status != "confirmed" and period is not None]
    if posted:
        conflicts_cases.mark_effects_posted(posted, str(ctx.posting))
    if reversed_:
        conflicts_cases.mark_effects_reversed(reversed_)
