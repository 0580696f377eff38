"""A commission run for one month: set-based SQL, one transaction, idempotent.

    run_period('2026-10', actor_id=..., preview=False) -> RunOutcome

How it works (every step is one INSERT ... SELECT over the month; no Python loop per order):
 1. `cm_sp`   the plan versions that could apply to each seller in the month (seller-specific
              versions win over channel+level, which win over channel-wide ones);
 2. `cm_sale` each order line sold in the month with its plan (in force on the ORDER DATE),
              its base (revenue or gross margin) and its rate (category rate or base rate);
 3. `cm_ret`  returns dated in the month; `cm_pp` each seller's plan on the month's last day
              (it governs the period aggregates: tiers, bonus); `cm_net` personal net sales and
              base counted by the plans (tiers, personal bonus); `cm_qual` every sale of the
              seller minus its returns (override qualification);
 4. `cm_calc` the lines the month SHOULD have, each with a `calc_key`: base per order line;
              overrides per order line and upline: `cm_chain` first finds, per distinct
              (seller, order date, plan) of the month's sales, the uplines paid and their levels
              and rates from the effective-dated closure ON THE ORDER DATE (skip or compress, by
              the selling line's plan), then every line is joined to its chain; tier and bonus
              per seller; clawbacks per return line at the rates of the lines they undo;
 5. CONFLICT_EFFECTS run (the extension point for the conflicts feature, see below);
 6. `cm_live` the lines already posted for the month and still in force; then posting:
              a live line whose computed amount differs (or vanished) gets a reversal
              (rule 'adjustment', reverses_id = the live line); a computed line with no equal
              live line is posted. So a re-run with nothing changed posts nothing, and posted
              lines are never edited (the database refuses UPDATE/DELETE on ledger_line). When
              nothing is live yet (a month's first run) cm_calc is posted as it is.

On SQLite the run's transaction gets a larger page cache and no per-row foreign-key probes
(see `_sqlite_run_settings`).

Locked months: a run of a locked month is refused. A run of month Q also recomputes the
locked months of the COMMISSION_CORRECTION_MONTHS (default 3) months before it and posts their
corrections in Q (`period` = Q, `source_period` = the locked month).

Preview: the same computation, then a rollback; the outcome lists what would be posted.

Extension point for conflict effects: `CONFLICT_EFFECTS` is a list of callables
`effect(ctx: RunContext) -> None` called after step 4 for every source month. They may INSERT
rows into the temporary table `cm_calc` (columns listed in CALC_COLUMNS; use a calc_key of
their own, e.g. 'f:<case_id>:<order_line_id>:<payee_id>', rule 'forfeit' / 'penalty' with
case_id set) or DELETE rows from it (commission not earned). They run inside the run's
transaction with `ctx.execute(sql, **params)`; what they add is posted, diffed and reversed
like every other line. `CONFLICT_AFTER_POST` callables `hook(ctx)` run once after every source
month is posted, still inside the transaction (`ctx.sources` lists the months computed): that
is where holds are put on the lines just posted (holds are rows in ledger_hold on posted lines).
The conflicts feature registers both at app start (channel/services/conflicts_pay.py).

Lines other features insert into ledger_line themselves must leave `calc_key` NULL (runs then
never touch them) and must NOT reverse (reverses_id) a run's line: a run would see the line
gone and post it again. To take back a run's line, delete it from cm_calc in an effect (the run
then reverses it) or post a separate negative line (rule 'forfeit' / 'penalty', case_id set).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

from flask import current_app
from sqlalchemy import Date, DateTime, bindparam, text

from channel.domain.errors import Conflict, N_
from channel.domain.periods import Month
from channel.services import audit
from models import db, utcnow
from models.commissions import CommissionRun

CALC_COLUMNS = ("calc_key", "payee_id", "rule", "order_line_id", "return_line_id", "source_seller_id",
                "override_level", "base_fen", "rate_bp", "amount_fen", "plan_id", "note", "case_id")
TEMP_TABLES = ("cm_sp", "cm_sale", "cm_ret", "cm_pp", "cm_net", "cm_qual", "cm_chain", "cm_team", "cm_tr", "cm_calc",
               "cm_orig", "cm_live")


@dataclass
class RunContext:
    """What an extension sees: the run, the month computed and the month posted in."""

    run_id: int
    source: Month
    posting: Month
    sources: tuple[Month, ...] = ()

    def execute(self, sql: str, **params):
        return _exec(sql, **params)


CONFLICT_EFFECTS: list[Callable[[RunContext], None]] = []
CONFLICT_AFTER_POST: list[Callable[[RunContext], None]] = []


@dataclass
class RunOutcome:
    run_id: int | None
    period: str
    preview: bool
    lines_posted: int
    total_fen: int
    sources: list[str]
    # (payee_id, payee code, payee name, rule, line count, amount_fen) of what was (or would be) posted
    changes: list[tuple] = field(default_factory=list)


def _rounded(expr: str) -> str:
    """SQL: `expr` (fen × bp, an integer) / 10000 rounded half away from zero, in integers
    (cast first: PostgreSQL's SUM of BIGINT is NUMERIC, whose division is not integral)."""
    expr = f"CAST({expr} AS BIGINT)"
    return f"(CASE WHEN ({expr}) >= 0 THEN (({expr}) + 5000) / 10000 ELSE -((5000 - ({expr})) / 10000) END)"


def _exec(sql: str, **params):
    import re

    used = set(re.findall(r"(?<!:):(\w+)", sql))
    params = {k: v for k, v in params.items() if k in used}
    statement = text(sql)
    binds = []
    for name, value in params.items():
        if isinstance(value, date):
            binds.append(bindparam(name, value, type_=Date))
        elif name == "now":
            binds.append(bindparam(name, value, type_=DateTime))
    if binds:
        statement = statement.bindparams(*binds)
    return db.session.execute(statement, params)


def _create_temp_tables() -> None:
    for name in TEMP_TABLES:
        _exec(f"DROP TABLE IF EXISTS {name}")
    ddl = {
        "cm_sp": "seller_id INTEGER, plan_id INTEGER, valid_from DATE, valid_to DATE, priority INTEGER",
        "cm_sale": "order_line_id INTEGER, seller_id INTEGER, order_date DATE, kind VARCHAR(10), plan_id INTEGER, "
                   "amount_fen BIGINT, base_fen BIGINT, rate_bp INTEGER",
        "cm_ret": "return_line_id INTEGER, order_line_id INTEGER, seller_id INTEGER, return_date DATE, "
                  "kind VARCHAR(10), amount_fen BIGINT, margin_fen BIGINT",
        "cm_pp": "seller_id INTEGER PRIMARY KEY, plan_id INTEGER",
        "cm_net": "seller_id INTEGER PRIMARY KEY, net_fen BIGINT, net_base_fen BIGINT",
        "cm_qual": "seller_id INTEGER PRIMARY KEY, net_fen BIGINT",
        "cm_chain": "seller_id INTEGER, order_date DATE, plan_id INTEGER, payee_id INTEGER, lvl INTEGER, rate_bp INTEGER",
        "cm_team": "seller_id INTEGER PRIMARY KEY, team_fen BIGINT",
        "cm_tr": "seller_id INTEGER, plan_id INTEGER, from_fen BIGINT, to_fen BIGINT, nominal_bp INTEGER, "
                 "certification_code VARCHAR(40), ok INTEGER, eff_bp INTEGER",
        "cm_calc": "calc_key VARCHAR(80), payee_id INTEGER, rule VARCHAR(20), order_line_id INTEGER, "
                   "return_line_id INTEGER, source_seller_id INTEGER, override_level INTEGER, base_fen BIGINT, "
                   "rate_bp INTEGER, amount_fen BIGINT, plan_id INTEGER, note VARCHAR(200), case_id INTEGER",
        "cm_orig": "order_line_id INTEGER, payee_id INTEGER, rule VARCHAR(20), source_seller_id INTEGER, "
                   "override_level INTEGER, rate_bp INTEGER, plan_id INTEGER",
        "cm_live": "id INTEGER, calc_key VARCHAR(80), amount_fen BIGINT",
    }
    for name, columns in ddl.items():
        _exec(f"CREATE TEMPORARY TABLE {name} ({columns})")


def _drop_temp_tables() -> None:
    for name in TEMP_TABLES:
        _exec(f"DROP TABLE IF EXISTS {name}")


def _analyze(*names: str) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        for name in names:
            _exec(f"ANALYZE {name}")


def _compute(source: Month) -> None:
    """Fill cm_calc with the lines `source` should have (steps 1-4)."""
    for name in TEMP_TABLES:
        if name != "cm_live":
            _exec(f"DELETE FROM {name}")
    p = dict(start=source.start, end=source.end, last=source.end - timedelta(days=1))
    _exec("""
        INSERT INTO cm_sp (seller_id, plan_id, valid_from, valid_to, priority)
        SELECT s.id, p.id, p.valid_from, p.valid_to,
               CASE WHEN p.seller_id IS NOT NULL THEN 0 WHEN p.level IS NOT NULL THEN 1 ELSE 2 END
        FROM commission_plan p
        JOIN seller s ON (p.seller_id = s.id
                          OR (p.seller_id IS NULL AND p.channel = s.channel AND (p.level IS NULL OR p.level = s.level)))
        WHERE p.status = 'active' AND p.valid_from < :end AND (p.valid_to IS NULL OR p.valid_to > :start)""", **p)
    # covering: the plan of each sold line is looked up here without touching the table
    _exec("CREATE INDEX IF NOT EXISTS cm_sp_seller ON cm_sp (seller_id, priority, valid_from, valid_to, plan_id)")
    _analyze("cm_sp")
    _exec("""
        INSERT INTO cm_sale (order_line_id, seller_id, order_date, kind, plan_id, amount_fen, base_fen, rate_bp)
        SELECT l.order_line_id, l.seller_id, l.order_date, l.kind, p.id, l.amount_fen,
               CASE WHEN p.base_kind = 'margin' THEN l.margin_fen ELSE l.amount_fen END,
               COALESCE(cr.rate_bp, p.base_rate_bp)
        FROM (
            SELECT ol.id AS order_line_id, ol.seller_id, ol.order_date, ol.kind, ol.amount_fen, ol.product_id,
                   CAST(ol.qty AS BIGINT) * (ol.unit_price_fen - ol.unit_cost_fen) AS margin_fen,
                   (SELECT sp.plan_id FROM cm_sp sp
                     WHERE sp.seller_id = ol.seller_id AND sp.valid_from <= ol.order_date
                       AND (sp.valid_to IS NULL OR sp.valid_to > ol.order_date)
                     ORDER BY sp.priority LIMIT 1) AS plan_id
            FROM order_line ol
            WHERE ol.order_date >= :start AND ol.order_date < :end
        ) l
        JOIN commission_plan p ON p.id = l.plan_id
        LEFT JOIN product pr ON pr.id = l.product_id
        LEFT JOIN plan_category_rate cr ON cr.plan_id = p.id AND cr.category = pr.category
        WHERE p.order_kind = 'all' OR p.order_kind = l.kind""", **p)
    _exec("""
        INSERT INTO cm_ret (return_line_id, order_line_id, seller_id, return_date, kind, amount_fen, margin_fen)
        SELECT rl.id, rl.order_line_id, rl.seller_id, rl.return_date, ol.kind, rl.amount_fen,
               CAST(rl.qty AS BIGINT) * (ol.unit_price_fen - ol.unit_cost_fen)
        FROM return_line rl JOIN order_line ol ON ol.id = rl.order_line_id
        WHERE rl.return_date >= :start AND rl.return_date < :end""", **p)
    _exec("""
        INSERT INTO cm_pp (seller_id, plan_id)
        SELECT sp.seller_id, sp.plan_id FROM cm_sp sp
        WHERE sp.valid_from <= :last AND (sp.valid_to IS NULL OR sp.valid_to > :last)
          AND NOT EXISTS (SELECT 1 FROM cm_sp b WHERE b.seller_id = sp.seller_id AND b.priority < sp.priority
                          AND b.valid_from <= :last AND (b.valid_to IS NULL OR b.valid_to > :last))""", **p)
    _exec("""
        INSERT INTO cm_net (seller_id, net_fen, net_base_fen)
        SELECT seller_id, SUM(amount_fen), SUM(base_fen) FROM (
            SELECT seller_id, amount_fen, base_fen FROM cm_sale
            UNION ALL
            SELECT r.seller_id, -r.amount_fen,
                   -(CASE WHEN p.base_kind = 'margin' THEN r.margin_fen ELSE r.amount_fen END)
            FROM cm_ret r JOIN cm_pp pp ON pp.seller_id = r.seller_id JOIN commission_plan p ON p.id = pp.plan_id
            WHERE p.order_kind = 'all' OR p.order_kind = r.kind
        ) x GROUP BY seller_id""")
    # qualification: an upline's own net sales of the month, every order of every kind it made
    _exec("""
        INSERT INTO cm_qual (seller_id, net_fen)
        SELECT seller_id, SUM(amount_fen) FROM (
            SELECT seller_id, amount_fen FROM order_line WHERE order_date >= :start AND order_date < :end
            UNION ALL SELECT seller_id, -amount_fen FROM cm_ret
        ) x GROUP BY seller_id""", **p)
    _analyze("cm_sale", "cm_ret", "cm_pp", "cm_net", "cm_qual")
    # base: one line per order line sold in the month
    _exec(f"""
        INSERT INTO cm_calc (calc_key, payee_id, rule, order_line_id, source_seller_id, base_fen, rate_bp,
                             amount_fen, plan_id)
        SELECT 'b:' || order_line_id, seller_id, 'base', order_line_id, seller_id, base_fen, rate_bp,
               {_rounded('base_fen * rate_bp')}, plan_id
        FROM cm_sale WHERE rate_bp > 0""")
    # overrides: which uplines earn what depends only on the seller, the day (the closure in
    # force) and the selling line's plan, not on the line: `cm_chain` holds the paid uplines per
    # distinct (seller, day, plan) of the month's sales (a third as many as lines), then every
    # line is joined to its chain
    override_rate = ("CASE {lvl} WHEN 1 THEN p.override_r1_bp WHEN 2 THEN p.override_r2_bp "
                     "WHEN 3 THEN p.override_r3_bp ELSE 0 END")
    qualified = "(p.qualify_min_fen = 0 OR COALESCE(n.net_fen, 0) >= p.qualify_min_fen)"
    in_force = "c.valid_from <= k.order_date AND (c.valid_to IS NULL OR c.valid_to > k.order_date)"
    days = "(SELECT DISTINCT seller_id, order_date, plan_id FROM cm_sale)"
    # skip: the upline at distance d earns r_d when qualified
    _exec(f"""
        INSERT INTO cm_chain (seller_id, order_date, plan_id, payee_id, lvl, rate_bp)
        SELECT seller_id, order_date, plan_id, payee_id, lvl, rate FROM (
            SELECT k.seller_id, k.order_date, k.plan_id, c.ancestor_id AS payee_id, c.depth AS lvl,
                   {override_rate.format(lvl='c.depth')} AS rate
            FROM {days} k
            JOIN commission_plan p ON p.id = k.plan_id
            JOIN seller_closure c ON c.descendant_id = k.seller_id AND c.depth BETWEEN 1 AND 3 AND {in_force}
            LEFT JOIN cm_qual n ON n.seller_id = c.ancestor_id
            WHERE p.qualify_mode <> 'compress'
              AND p.override_r1_bp + p.override_r2_bp + p.override_r3_bp > 0 AND {qualified}
        ) o WHERE rate > 0""")
    # compress: the k-th QUALIFIED upline earns r_k
    _exec(f"""
        INSERT INTO cm_chain (seller_id, order_date, plan_id, payee_id, lvl, rate_bp)
        SELECT seller_id, order_date, plan_id, payee_id, lvl, rate FROM (
            SELECT q.*, {override_rate.format(lvl='q.lvl').replace('p.', 'q.')} AS rate FROM (
                SELECT k.seller_id, k.order_date, k.plan_id, c.ancestor_id AS payee_id,
                       p.override_r1_bp, p.override_r2_bp, p.override_r3_bp,
                       ROW_NUMBER() OVER (PARTITION BY k.seller_id, k.order_date, k.plan_id ORDER BY c.depth) AS lvl
                FROM {days} k
                JOIN commission_plan p ON p.id = k.plan_id
                JOIN seller_closure c ON c.descendant_id = k.seller_id AND c.depth >= 1 AND {in_force}
                LEFT JOIN cm_qual n ON n.seller_id = c.ancestor_id
                WHERE p.qualify_mode = 'compress'
                  AND p.override_r1_bp + p.override_r2_bp + p.override_r3_bp > 0 AND {qualified}
            ) q WHERE q.lvl <= 3
        ) o WHERE rate > 0""")
    _exec("CREATE INDEX IF NOT EXISTS cm_chain_day ON cm_chain (seller_id, order_date, plan_id)")
    _analyze("cm_chain")
    _exec(f"""
        INSERT INTO cm_calc (calc_key, payee_id, rule, order_line_id, source_seller_id, override_level, base_fen,
                             rate_bp, amount_fen, plan_id)
        SELECT 'o:' || s.order_line_id || ':' || ch.payee_id, ch.payee_id, 'override', s.order_line_id, s.seller_id,
               ch.lvl, s.base_fen, ch.rate_bp, {_rounded('s.base_fen * ch.rate_bp')}, s.plan_id
        FROM cm_sale s
        JOIN cm_chain ch ON ch.seller_id = s.seller_id AND ch.order_date = s.order_date AND ch.plan_id = s.plan_id""")
    _tiers_and_bonus(p)
    _clawbacks(source)


def _tiers_and_bonus(p: dict) -> None:
    _exec("""
        INSERT INTO cm_tr (seller_id, plan_id, from_fen, to_fen, nominal_bp, eff_bp, certification_code, ok)
        SELECT n.seller_id, pp.plan_id, t.from_fen, t.to_fen, t.rate_bp, t.rate_bp, t.certification_code,
               CASE WHEN t.certification_code IS NULL OR EXISTS (
                   SELECT 1 FROM certification ce
                   WHERE ce.seller_id = n.seller_id AND ce.code = t.certification_code AND ce.passed
                     AND ce.certified_on <= :last AND (ce.expires_on IS NULL OR ce.expires_on > :last))
               THEN 1 ELSE 0 END
        FROM cm_net n JOIN cm_pp pp ON pp.seller_id = n.seller_id JOIN plan_tier t ON t.plan_id = pp.plan_id
        WHERE n.net_base_fen > 0""", last=p["last"])
    # a gated bracket the seller is not certified for pays the rate of the nearest bracket below it
    # that it may earn (0 if none)
    _exec("CREATE INDEX IF NOT EXISTS cm_tr_seller ON cm_tr (seller_id, from_fen)")
    _exec("""
        UPDATE cm_tr SET eff_bp = COALESCE((
            SELECT t2.nominal_bp FROM cm_tr t2
            WHERE t2.seller_id = cm_tr.seller_id AND t2.from_fen < cm_tr.from_fen AND t2.ok = 1
            ORDER BY t2.from_fen DESC LIMIT 1), 0)
        WHERE ok = 0""")
    reached = "tr.from_fen <= n.net_base_fen AND (tr.to_fen IS NULL OR n.net_base_fen < tr.to_fen)"
    slice_top = "(CASE WHEN tr.to_fen IS NULL OR tr.to_fen > n.net_base_fen THEN n.net_base_fen ELSE tr.to_fen END)"
    _exec(f"""
        INSERT INTO cm_calc (calc_key, payee_id, rule, source_seller_id, base_fen, rate_bp, amount_fen, plan_id, note)
        SELECT 't:' || seller_id, seller_id, 'tier', seller_id, net_base, top_rate, {_rounded('raw')}, plan_id, note
        FROM (
            SELECT tr.seller_id, tr.plan_id, n.net_base_fen AS net_base,
                   SUM(CASE WHEN p.tier_mode = 'whole'
                            THEN (CASE WHEN {reached} THEN n.net_base_fen * tr.eff_bp ELSE 0 END)
                            ELSE (CASE WHEN tr.from_fen < n.net_base_fen
                                       THEN ({slice_top} - tr.from_fen) * tr.eff_bp ELSE 0 END) END) AS raw,
                   MAX(CASE WHEN {reached} THEN tr.eff_bp END) AS top_rate,
                   MAX(CASE WHEN tr.ok = 0 AND ((p.tier_mode = 'whole' AND {reached})
                                                OR (p.tier_mode <> 'whole' AND tr.from_fen < n.net_base_fen))
                            THEN 'cert:' || tr.certification_code END) AS note
            FROM cm_tr tr JOIN cm_net n ON n.seller_id = tr.seller_id
            JOIN commission_plan p ON p.id = tr.plan_id
            GROUP BY tr.seller_id, tr.plan_id, n.net_base_fen
        ) x WHERE raw <> 0""")
    # team net sales (the seller and its downline on each sale's date, every sale of the kinds the
    # team-bonus plan counts) for sellers whose plan pays a team bonus
    _exec("""
        INSERT INTO cm_team (seller_id, team_fen)
        SELECT ancestor_id, SUM(amount_fen) FROM (
            SELECT c.ancestor_id, ol.amount_fen
            FROM cm_pp pp JOIN commission_plan p ON p.id = pp.plan_id
            JOIN seller_closure c ON c.ancestor_id = pp.seller_id
            JOIN order_line ol ON ol.seller_id = c.descendant_id AND ol.order_date >= :start AND ol.order_date < :end
                               AND c.valid_from <= ol.order_date AND (c.valid_to IS NULL OR c.valid_to > ol.order_date)
            WHERE p.bonus_fen > 0 AND p.bonus_scope = 'team' AND (p.order_kind = 'all' OR p.order_kind = ol.kind)
            UNION ALL
            SELECT c.ancestor_id, -r.amount_fen
            FROM cm_pp pp JOIN commission_plan p ON p.id = pp.plan_id
            JOIN seller_closure c ON c.ancestor_id = pp.seller_id
            JOIN cm_ret r ON r.seller_id = c.descendant_id
                          AND c.valid_from <= r.return_date AND (c.valid_to IS NULL OR c.valid_to > r.return_date)
            WHERE p.bonus_fen > 0 AND p.bonus_scope = 'team' AND (p.order_kind = 'all' OR p.order_kind = r.kind)
        ) x
        GROUP BY ancestor_id""", start=p["start"], end=p["end"])
    _exec("""
        INSERT INTO cm_calc (calc_key, payee_id, rule, source_seller_id, base_fen, amount_fen, plan_id, note)
        SELECT 'B:' || pp.seller_id, pp.seller_id, 'bonus', pp.seller_id,
               CASE WHEN p.bonus_scope = 'team' THEN COALESCE(t.team_fen, 0) ELSE COALESCE(n.net_fen, 0) END,
               p.bonus_fen, p.id, p.bonus_scope
        FROM cm_pp pp JOIN commission_plan p ON p.id = pp.plan_id
        LEFT JOIN cm_net n ON n.seller_id = pp.seller_id
        LEFT JOIN cm_team t ON t.seller_id = pp.seller_id
        WHERE p.bonus_fen > 0 AND p.bonus_target_fen > 0
          AND (CASE WHEN p.bonus_scope = 'team' THEN COALESCE(t.team_fen, 0) ELSE COALESCE(n.net_fen, 0) END)
              >= p.bonus_target_fen""")


def _clawbacks(source: Month) -> None:
    """A return claws back every base and override line of its order line, at those lines'
    rates and payees: lines computed now for sales of this month, live posted lines for sales
    of earlier months."""
    _exec("""
        INSERT INTO cm_orig (order_line_id, payee_id, rule, source_seller_id, override_level, rate_bp, plan_id)
        SELECT l.order_line_id, l.payee_id, l.rule, l.source_seller_id, l.override_level, l.rate_bp, l.plan_version_id
        FROM ledger_line l
        WHERE l.order_line_id IN (SELECT order_line_id FROM cm_ret) AND l.rule IN ('base', 'override')
          AND l.source_period <> :period
          AND NOT EXISTS (SELECT 1 FROM ledger_line r WHERE r.reverses_id = l.id)
        UNION ALL
        SELECT c.order_line_id, c.payee_id, c.rule, c.source_seller_id, c.override_level, c.rate_bp, c.plan_id
        FROM cm_calc c WHERE c.rule IN ('base', 'override') AND c.order_line_id IN (SELECT order_line_id FROM cm_ret)
        """, period=str(source))
    base = "(CASE WHEN p.base_kind = 'margin' THEN r.margin_fen ELSE r.amount_fen END)"
    _exec(f"""
        INSERT INTO cm_calc (calc_key, payee_id, rule, order_line_id, return_line_id, source_seller_id, override_level,
                             base_fen, rate_bp, amount_fen, plan_id, note)
        SELECT 'c:' || r.return_line_id || ':' || o.payee_id || ':' || o.rule, o.payee_id, 'clawback', r.order_line_id,
               r.return_line_id, o.source_seller_id, o.override_level, -{base}, o.rate_bp,
               -{_rounded(base + ' * o.rate_bp')}, o.plan_id, o.rule
        FROM cm_ret r JOIN cm_orig o ON o.order_line_id = r.order_line_id
        JOIN commission_plan p ON p.id = o.plan_id""")


def _post(run_id: int, source: Month, posting: Month) -> None:
    """Step 6: reversals for live lines that changed or vanished, then the new lines."""
    _exec("DELETE FROM cm_live")
    _exec("""
        INSERT INTO cm_live (id, calc_key, amount_fen)
        SELECT l.id, l.calc_key, l.amount_fen FROM ledger_line l
        WHERE l.source_period = :source AND l.rule <> 'adjustment'
          AND NOT EXISTS (SELECT 1 FROM ledger_line r WHERE r.reverses_id = l.id)""", source=str(source))
    columns = ("run_id, period, payee_id, rule, amount_fen, order_line_id, case_id, created_at, source_period, "
               "source_seller_id, return_line_id, override_level, base_fen, rate_bp, plan_version_id, reverses_id, "
               "note, calc_key")
    params = dict(run=run_id, posting=str(posting), source=str(source), now=utcnow())
    if _exec("SELECT 1 FROM cm_live LIMIT 1").first() is None:
        # nothing posted for the month yet (its first run): nothing to compare or reverse
        _exec(f"""
            INSERT INTO ledger_line ({columns})
            SELECT :run, :posting, c.payee_id, c.rule, c.amount_fen, c.order_line_id, c.case_id, :now, :source,
                   c.source_seller_id, c.return_line_id, c.override_level, c.base_fen, c.rate_bp, c.plan_id, NULL,
                   c.note, c.calc_key
            FROM cm_calc c WHERE c.amount_fen <> 0""", **params)
        return
    _exec("CREATE INDEX IF NOT EXISTS cm_live_key ON cm_live (calc_key)")
    _exec("CREATE INDEX IF NOT EXISTS cm_calc_key ON cm_calc (calc_key)")
    _analyze("cm_live", "cm_calc")
    _exec(f"""
        INSERT INTO ledger_line ({columns})
        SELECT :run, :posting, l.payee_id, 'adjustment', -l.amount_fen, l.order_line_id, l.case_id, :now, :source,
               l.source_seller_id, l.return_line_id, l.override_level, l.base_fen, l.rate_bp, l.plan_version_id, l.id,
               'reverses:' || l.rule, l.calc_key
        FROM cm_live lv JOIN ledger_line l ON l.id = lv.id
        LEFT JOIN cm_calc c ON c.calc_key = lv.calc_key
        WHERE c.calc_key IS NULL OR c.amount_fen <> lv.amount_fen""", **params)
    _exec(f"""
        INSERT INTO ledger_line ({columns})
        SELECT :run, :posting, c.payee_id, c.rule, c.amount_fen, c.order_line_id, c.case_id, :now, :source,
               c.source_seller_id, c.return_line_id, c.override_level, c.base_fen, c.rate_bp, c.plan_id, NULL,
               c.note, c.calc_key
        FROM cm_calc c LEFT JOIN cm_live lv ON lv.calc_key = c.calc_key
        WHERE c.amount_fen <> 0 AND (lv.id IS NULL OR lv.amount_fen <> c.amount_fen)""", **params)


def _check_own_plans() -> None:
    """Conflict when two active plans of one seller overlap (saving refuses that since session
    13, but a database may hold such a pair from before): the run could not tell which one pays,
    so it stops with both named instead of failing on a constraint of its own tables."""
    pair = _exec("""
        SELECT a.name, a.version, b.name, b.version, s.code FROM commission_plan a
        JOIN commission_plan b ON b.seller_id = a.seller_id AND b.id > a.id AND b.status = 'active'
        JOIN seller s ON s.id = a.seller_id
        WHERE a.status = 'active' AND a.seller_id IS NOT NULL
          AND (b.valid_to IS NULL OR a.valid_from < b.valid_to) AND (a.valid_to IS NULL OR b.valid_from < a.valid_to)
        LIMIT 1""").first()
    if pair is not None:
        raise Conflict(N_("销售方 %(seller)s 的两个专属方案“%(first)s”（第 %(v1)s 版）和“%(second)s”（第 %(v2)s 版）生效期重叠，"
                          "无法确定按哪一个计算：请先结束或修改其中一个，再计算。"),
                       seller=pair[4], first=pair[0], v1=pair[1], second=pair[2], v2=pair[3])


def _sources(period: Month) -> list[Month]:
    """The locked months shortly before `period` (recomputed, corrections posted in `period`),
    oldest first, then `period` itself."""
    months = int(current_app.config.get("COMMISSION_CORRECTION_MONTHS", 3))
    earlier, current = [], period
    for _ in range(months):
        current = current.previous()
        earlier.append(current)
    locked = set(db.session.scalars(text("SELECT period FROM period_lock WHERE period IN :names").bindparams(
        bindparam("names", expanding=True)), {"names": [str(m) for m in earlier]}))
    return sorted(m for m in earlier if str(m) in locked) + [period]


def runnable_month(period: str) -> Month:
    """The month `period` names, if a run (or preview) may compute it: DomainError for a
    malformed period, Conflict (field 'period') for a locked one (`commissions.is_locked`). The
    one check of the run, the run form (which refuses before submitting a job) and the job's
    rerun refusal."""
    from channel.services.commissions import is_locked

    month = Month.parse(period)
    if is_locked(str(month)):
        raise Conflict(N_("期间 %(period)s 已锁定，不能再计算；更正会记入下一个未锁定的期间。"), field="period",
                       period=str(month))
    return month


def run_period(period: str, *, actor_id: int | None = None, preview: bool = False,
               progress: Callable[[str, int, int], None] | None = None) -> RunOutcome:
    """Compute and post (or preview) month `period` ('YYYY-MM') in one transaction.

    `progress(step, done, total)` is told each step as it starts ("2026-10: computing"), with
    the steps done and the steps in the run (two per month computed, one to finish).

    Raises DomainError for a malformed period, Conflict when the month is locked. On any
    failure nothing is posted; a failed (non-preview) run is recorded with its error."""
    month = runnable_month(period)
    say = progress or (lambda step, done, total: None)
    run = CommissionRun(period=str(month), status="running", started_by_id=actor_id, lines_posted=0, total_fen=0)
    restore: Callable[[], None] = lambda: None  # noqa: E731
    try:
        restore = _sqlite_run_settings(actor_id)
        if db.session.get_bind().dialect.name == "postgresql":
            # two runs of one month at once would both post the same difference: the second waits
            # here, then (READ COMMITTED) sees what the first posted and posts nothing new
            _exec("SELECT pg_advisory_xact_lock(:key)", key=7_000_000 + month.year * 100 + month.month)
        db.session.add(run)
        db.session.flush()
        _check_own_plans()
        _create_temp_tables()
        sources = _sources(month)
        steps = 2 * len(sources) + 1
        for number, source in enumerate(sources):
            say(f"{source}: computing", 2 * number, steps)
            _compute(source)
            ctx = RunContext(run.id, source, month, tuple(sources))
            for effect in CONFLICT_EFFECTS:
                effect(ctx)
            say(f"{source}: posting", 2 * number + 1, steps)
            _post(run.id, source, month)
        say("finishing", steps - 1, steps)
        for hook in CONFLICT_AFTER_POST:
            hook(RunContext(run.id, month, month, tuple(sources)))
        count, total = _exec("SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM ledger_line WHERE run_id = :run",
                             run=run.id).one()
        changes = _changes(run.id)
        outcome = RunOutcome(None if preview else run.id, str(month), preview, int(count), int(total),
                             [str(s) for s in sources], changes)
        _drop_temp_tables()
        restore()
        if preview:
            db.session.rollback()
            return outcome
        run.status, run.finished_at, run.lines_posted, run.total_fen = "posted", utcnow(), int(count), int(total)
        if count:
            _refresh_ledger_statistics()
        audit.record(actor_id, "commission.run", "commission_run", run.id, {
            "period": str(month), "sources": outcome.sources, "lines_posted": int(count), "total_fen": int(total),
        })
        db.session.commit()
        say(f"posted {count} lines", steps, steps)
        return outcome
    except Exception as error:
        restore()
        db.session.rollback()
        if not preview:
            _record_failure(str(month), actor_id, error)
        raise


def _refresh_ledger_statistics() -> None:
    """A run adds a month's lines at once. Until statistics are taken again the planners think
    the new period empty and read a statement's page through the period index (PostgreSQL: 33 ms
    instead of 0.1 ms for a 162,000-line month; SQLite likewise, 13 ms instead of 0.1): refresh
    them in the run's transaction. PostgreSQL samples; SQLite is told to (analysis_limit, 5 ms)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        _exec("ANALYZE ledger_line")
    elif connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        previous = raw.execute("PRAGMA analysis_limit").fetchone()[0]
        raw.execute("PRAGMA analysis_limit=1000")
        try:
            raw.execute("ANALYZE ledger_line")
        finally:
            raw.execute(f"PRAGMA analysis_limit={int(previous)}")


RUN_CACHE_KIB = 65536


def _sqlite_run_settings(actor_id: int | None) -> Callable[[], None]:
    """On SQLite, settings for the run's transaction; returns what restores them (call it
    before the commit or rollback, on the same connection). A no-op elsewhere.

    - a 64 MiB page cache (the default 2 MiB makes every index insert of the ledger and every
      closure probe miss the cache);
    - foreign-key enforcement off for this one transaction when it has not started yet (SQLite
      ignores the pragma inside a transaction: then the checks simply stay on). Every id the run
      writes comes from a row the same statement joins (seller, order line, return line, plan
      version, the run itself, the ledger line reversed), so the checks cannot fail; the one id
      from outside, the actor (on the run and its audit event), is checked first, and an unknown
      actor leaves the checks on so that the run fails as it always did. The checks cost a
      B-tree probe per non-null parent id of each posted line (five on a typical line) plus one
      per table referencing ledger_line (four: SQLite rescans them on every row of a multi-row
      INSERT). Every connection turns enforcement back on when it is checked out of the pool
      (models/__init__.py)."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return lambda: None
    raw = connection.connection.dbapi_connection
    previous = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size=-{RUN_CACHE_KIB}")
    actor_known = actor_id is None or raw.execute('SELECT 1 FROM "user" WHERE id = ?', (actor_id,)).fetchone()
    if not raw.in_transaction and actor_known:
        raw.execute("PRAGMA foreign_keys=OFF")

    def restore() -> None:
        raw.execute(f"PRAGMA cache_size={int(previous)}")

    return restore


def _changes(run_id: int, limit: int = 500) -> list[tuple]:
    """(payee_id, code, name, rule, lines, fen) of the first `limit` payees' changes in a run."""
    rows = _exec("""
        SELECT payee_id, rule, COUNT(*), SUM(amount_fen) FROM ledger_line WHERE run_id = :run
        GROUP BY payee_id, rule ORDER BY payee_id, rule LIMIT :limit""", run=run_id, limit=limit).all()
    if not rows:
        return []
    from sqlalchemy import select

    from models.tree import Seller

    names = {i: (c, n) for i, c, n in db.session.execute(
        select(Seller.id, Seller.code, Seller.name).where(Seller.id.in_({r[0] for r in rows})))}
    return sorted(((p, *names[p], rule, int(n), int(total)) for p, rule, n, total in rows), key=lambda r: (r[1], r[3]))


def _record_failure(period: str, actor_id: int | None, error: Exception) -> None:
    """Leave a trace of a failed run (nothing of it was posted)."""
    try:
        failed = CommissionRun(period=period, status="failed", started_by_id=actor_id, lines_posted=0, total_fen=0,
                               finished_at=utcnow(), error=f"{type(error).__name__}: {error}"[:2000])
        db.session.add(failed)
        db.session.flush()
        audit.record(actor_id, "commission.run_failed", "commission_run", failed.id, {"period": period})
        db.session.commit()
    except Exception:  # noqa: BLE001 - the original error matters more
        db.session.rollback()


def runs_query():
    """SELECT of every commission run, newest first (the runs page shows the first 20; the
    export every one)."""
    from sqlalchemy import select

    return select(CommissionRun).order_by(CommissionRun.id.desc())


def recent_runs(limit: int = 20) -> list[CommissionRun]:
    return list(db.session.scalars(runs_query().limit(limit)))
