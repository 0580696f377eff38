"""Statements: what one payee earned in one month, and why, line by line.

Access: through channel.services.access (`require_seller`): an agent or rep user sees only
statements of sellers in its own downline; managers, finance, admins and product managers see
all. A statement outside the scope answers NotFound (its existence is not revealed).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Callable, Iterator
from datetime import timedelta

from sqlalchemy import BigInteger, and_, case, cast, func, literal_column, or_, select
from sqlalchemy.orm import aliased

from channel.domain.commissions import Tier, locked_tier, missing_certifications, next_tier, tier_rate_now
from channel.domain.errors import N_, NC_
from channel.domain.exports import safe_cell, yuan_amount, yuan_text
from channel.domain.paging import decode_id_cursor
from channel.domain.periods import Month
from channel.services import reports
from channel.services.access import require_seller, scope_cases, seller_scope
from channel.services.selling_enablement import holds_certification
from models import db
from models.commissions import CommissionPlan, LedgerLine
from models.sales import OrderLine, ReturnLine, SalesOrder
from models.tree import Seller
from models.users import User

KINDS = ("base", "tier", "override:1", "override:2", "override:3", "bonus", "clawback", "adjustment",
         "forfeit", "protection_fee", "penalty")


@dataclass(frozen=True)
class SellerName:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class PlanName:
    id: int
    name: str
    version: int
    tier_mode: str = "marginal"
    bonus_target_fen: int = 0  # what a bonus line's base reached (its explanation)


@dataclass
class StatementLine:
    line: LedgerLine
    order_no: str | None
    order_date: object
    source_seller: SellerName | None
    plan: PlanName | None


@dataclass
class Statement:
    seller: Seller
    period: str
    lines: list[StatementLine]  # every line, or one page of them (see `statement`)
    totals: dict[str, int]  # by kind (see KINDS), only kinds present; over EVERY line of the month
    total_fen: int  # the exact sum of every line of the month
    by_downline: list[tuple[SellerName, int]]  # override earned from each downline seller (the first DOWNLINE_SHOWN)
    net_sales_fen: int  # personal net sales of the order kinds the plans count (see `personal_net`)
    next_tier: tuple[int, int] | None  # (fen of tier base still to add, rate bp): see domain next_tier
    plan: CommissionPlan | None
    notes: list[str] = field(default_factory=list)
    # conflict cases referenced by lines (forfeits, protection fees, penalties, their reversals)
    # that the viewer may open; the others are shown by number only
    visible_cases: set[int] = field(default_factory=set)
    line_count: int = 0  # lines of the month (all pages)
    downline_count: int = 0  # downline sellers the payee earns overrides from (all of them)
    kind: str | None = None  # the kind the lines are filtered to, if any
    next_cursor: str | None = None  # the cursor of the next page of lines, None on the last
    kind_counts: dict[str, int] = field(default_factory=dict)  # lines of each kind of the month
    offset: int = 0  # lines (of the kind shown, if any) before this page
    paged: bool = False  # this is not the first page
    tier_base_fen: int = 0  # the net base the tiers rest on: net sales, or net margin for a margin plan
    tier_rate_bp: int = 0  # the rate of the bracket the tier base reaches, as paid (0 without tiers)
    locked_tier: tuple[int, int, str] | None = None  # (fen to add, rate bp, certification): see domain locked_tier
    # (order kind, order lines) of the month that net sales leave out (see `uncounted_order_lines`)
    uncounted_orders: tuple[tuple[str, int], ...] = ()


DOWNLINE_SHOWN = 100


def kind_of(line: LedgerLine) -> str:
    return f"override:{line.override_level or 0}" if line.rule == "override" else line.rule


# the statement index's expression, written as in the index (a bound parameter in its place
# would not match it, and SQLite would sort the payee's whole month instead)
LEVEL = func.coalesce(LedgerLine.override_level, literal_column("0"))


def _kind_filter(kind: str):
    """WHERE clause of the lines of one statement kind ('base', 'override:2', ...)."""
    rule, _sep, level = kind.partition(":")
    if rule == "override":
        return (LedgerLine.rule == "override") & (LEVEL == int(level or 0))
    return LedgerLine.rule == rule


def _parse_cursor(cursor: str | None, kinds: list[str]) -> tuple[int, int] | None:
    """'<kind>~<id>' -> (index of the kind in `kinds`, line id); a malformed cursor or an unknown
    kind means the first page."""
    kind, _sep, line_id = (cursor or "").rpartition("~")
    line_id = decode_id_cursor(line_id)
    if kind not in kinds or not line_id:
        return None
    return kinds.index(kind), line_id


def statement(user: User, seller_id: int, period: str, *, page_size: int | None = None,
              after: str | None = None, kind: str | None = None) -> Statement:
    """The statement of `seller_id` for month `period`. NotFound outside the user's scope.

    Totals, the total, the downline summary and the notes are computed in SQL over every line
    of the month; `lines` holds every line, kind by kind in the totals' order and by id within a
    kind, or with `page_size` one keyset page of them after the cursor `after`
    (`Statement.next_cursor` of the previous page), optionally only of `kind` (a kind the month
    has; another is ignored): a national agent's month can hold tens of thousands of lines. Each
    kind's lines are read straight from the index ix_ledger_statement."""
    seller = require_seller(user, seller_id)
    month = Month.parse(period)
    mine = (LedgerLine.payee_id == seller_id, LedgerLine.period == str(month))
    summary = reports.cached(None, f"statement-{seller_id}", month, lambda: _summary(mine), version=_ledger_version)
    names = {i: SellerName(i, code, name) for i, code, name in db.session.execute(
        select(Seller.id, Seller.code, Seller.name).where(Seller.id.in_([i for i, _a in summary.downline])))}
    by_downline = [(names[i], amount) for i, amount in summary.downline]

    counts = {k: n for k, _fen, n in summary.totals}
    kind = kind if kind in counts else None
    kinds = [kind] if kind else list(counts)
    position = _parse_cursor(after, kinds) if page_size is not None else None
    start, after_id = position or (0, 0)
    offset = sum(counts[k] for k in kinds[:start])
    if after_id:
        offset += db.session.scalar(select(func.count()).select_from(LedgerLine).where(
            *mine, _kind_filter(kinds[start]), LedgerLine.id <= after_id)) or 0
    # the page's line ids, kind after kind from the cursor on (each a range of the index)
    page_ids: list[int] = []
    want = None if page_size is None else page_size + 1
    for number in range(start, len(kinds)):
        query = (select(LedgerLine.id).where(*mine, _kind_filter(kinds[number]))
                 .order_by(LedgerLine.id))
        if number == start and after_id:
            query = query.where(LedgerLine.id > after_id)
        if want is not None:
            query = query.limit(want - len(page_ids))
        page_ids += db.session.scalars(query).all()
        if want is not None and len(page_ids) >= want:
            break
    has_more = want is not None and len(page_ids) >= want
    page_ids = page_ids[:page_size] if page_size is not None else page_ids
    source = aliased(Seller)
    found = {}
    for chunk in range(0, len(page_ids), 5000):
        for row in db.session.execute(
                select(LedgerLine, SalesOrder.order_no, OrderLine.order_date, source.id, source.code, source.name,
                       CommissionPlan.id, CommissionPlan.name, CommissionPlan.version, CommissionPlan.tier_mode,
                       CommissionPlan.bonus_target_fen)
                .outerjoin(OrderLine, OrderLine.id == LedgerLine.order_line_id)
                .outerjoin(SalesOrder, SalesOrder.id == OrderLine.order_id)
                .outerjoin(source, source.id == LedgerLine.source_seller_id)
                .outerjoin(CommissionPlan, CommissionPlan.id == LedgerLine.plan_version_id)
                .where(LedgerLine.id.in_(page_ids[chunk:chunk + 5000]))):
            line, order_no, order_date, s_id, s_code, s_name, p_id, p_name, p_version, p_mode, p_target = row
            found[line.id] = StatementLine(line, order_no, order_date,
                                           SellerName(s_id, s_code, s_name) if s_id else None,
                                           PlanName(p_id, p_name, p_version, p_mode, p_target or 0) if p_id else None)
    lines = [found[i] for i in page_ids]
    next_cursor = f"{kind_of(lines[-1].line)}~{lines[-1].line.id}" if has_more and lines else None

    def sales_and_plan() -> tuple[PersonalNet, int | None, tuple[Tier, ...], frozenset[str], tuple]:
        found = plan_on(seller, month)
        tiers = tuple(Tier(t.from_fen, t.to_fen, t.rate_bp, t.certification_code) for t in found.tiers) if found else ()
        last = month.end - timedelta(days=1)
        certified = frozenset(code for code in {t.certification for t in tiers if t.certification}
                              if holds_certification(seller_id, code, last))
        return (personal_net(seller, month, found), found.id if found else None, tiers, certified,
                uncounted_order_lines(seller, month))

    # net sales move with orders and returns, the plan with plan edits and certifications with
    # their records (both audited): the default version of the figure cache covers them all
    net, plan_id, tiers, certified, uncounted = reports.cached(None, f"statement-plan-{seller_id}", month,
                                                               sales_and_plan)
    plan = db.session.get(CommissionPlan, plan_id) if plan_id else None
    totals = {k: fen for k, fen, _n in summary.totals}
    return Statement(seller, str(month), lines, totals, sum(totals.values()), by_downline, net.sales_fen,
                     next_tier(net.base_fen, tiers, certified) if tiers else None, plan,
                     sorted(set(summary.notes) | {f"cert:{code}" for code in
                                                  missing_certifications(net.base_fen, tiers, certified)}),
                     _visible_cases(user, set(summary.case_ids)), summary.line_count, summary.downline_count,
                     kind, next_cursor, counts, offset, bool(after_id), net.base_fen,
                     tier_rate_now(net.base_fen, tiers, certified),
                     locked_tier(net.base_fen, tiers, certified) if tiers else None, uncounted)


@dataclass(frozen=True)
class _Summary:
    """What a statement shows of every line of its month (cached until the ledger grows)."""

    totals: tuple[tuple[str, int, int], ...]  # (kind, fen, lines) in KINDS order
    line_count: int
    downline: tuple[tuple[int, int], ...]  # (source seller id, override fen), the first DOWNLINE_SHOWN by amount
    downline_count: int
    notes: tuple[str, ...]
    case_ids: tuple[int, ...]


def _ledger_version() -> tuple:
    """The ledger is append-only: its highest id moves with every change."""
    return (db.session.scalar(select(func.max(LedgerLine.id))),)


def _summary(mine: tuple) -> _Summary:
    totals: dict[str, list[int]] = {}
    line_count = 0
    for rule, level, count, amount in db.session.execute(
            select(LedgerLine.rule, LedgerLine.override_level, func.count(), func.sum(LedgerLine.amount_fen))
            .where(*mine).group_by(LedgerLine.rule, LedgerLine.override_level)):
        key = f"override:{level or 0}" if rule == "override" else rule
        entry = totals.setdefault(key, [0, 0])
        entry[0] += int(amount)
        entry[1] += int(count)
        line_count += int(count)
    ordered = [(k, *totals[k]) for k in KINDS if k in totals] + sorted((k, *v) for k, v in totals.items() if k not in KINDS)
    earned = func.sum(LedgerLine.amount_fen)
    # net of the reversals of overrides a re-run posted (rule adjustment, note 'reverses:override',
    # the reversed line's source seller): a reversed override and its replacement count once
    override = or_(LedgerLine.rule == "override",
                   and_(LedgerLine.rule == "adjustment", LedgerLine.note == "reverses:override"))
    downline = (select(LedgerLine.source_seller_id, earned)
                .where(*mine, override, LedgerLine.source_seller_id.is_not(None))
                .group_by(LedgerLine.source_seller_id))
    count = db.session.scalar(select(func.count()).select_from(downline.subquery())) or 0
    shown = db.session.execute(downline.order_by(earned.desc(), LedgerLine.source_seller_id).limit(DOWNLINE_SHOWN))
    notes = db.session.scalars(select(LedgerLine.note).distinct().where(*mine, LedgerLine.note.like("cert:%")))
    cases = db.session.scalars(select(LedgerLine.case_id).distinct().where(*mine, LedgerLine.case_id.is_not(None)))
    return _Summary(tuple(ordered), line_count, tuple((int(i), int(a)) for i, a in shown), int(count),
                    tuple(sorted(notes)), tuple(sorted(cases)))


def _visible_cases(user: User, case_ids: set[int]) -> set[int]:
    if not case_ids:
        return set()
    from models.conflicts import ConflictCase

    return set(db.session.scalars(scope_cases(select(ConflictCase.id).where(ConflictCase.id.in_(case_ids)), user)))


@dataclass(frozen=True)
class PersonalNet:
    sales_fen: int  # net revenue: what a personal bonus compares with its target
    base_fen: int  # net base (revenue or margin, per plan): what the tiers rest on


def personal_net(seller: Seller, month: Month, month_plan: CommissionPlan | None) -> PersonalNet:
    """The seller's net sales and net base of the month, as the run's `cm_net` counts them (see
    channel/services/commissions_run.py, steps 2-3): each order line of the month counts if the
    plan in force on its ORDER DATE counts its kind (sell_out / sell_in / all), its base being
    revenue or margin (qty × (unit price − unit cost)) as that plan says; each return dated in
    the month is taken off if `month_plan` (the plan on the month's last day, `plan_on`) counts
    the returned line's kind, at that plan's base. No plan, nothing counted. Fen."""
    plan = aliased(CommissionPlan)
    plan_of_line = _plan_in_force(seller, OrderLine.order_date)
    margin = cast(OrderLine.qty, BigInteger) * (OrderLine.unit_price_fen - OrderLine.unit_cost_fen)
    sold_base = case((plan.base_kind == "margin", margin), else_=OrderLine.amount_fen)
    sold, sold_base = db.session.execute(
        select(func.coalesce(func.sum(OrderLine.amount_fen), 0), func.coalesce(func.sum(sold_base), 0))
        .select_from(OrderLine).join(plan, plan.id == plan_of_line)
        .where(*_month_orders(seller, month), _counts_line(plan))).one()
    returned = returned_base = 0
    if month_plan is not None:
        query = (select(func.coalesce(func.sum(ReturnLine.amount_fen), 0),
                        func.coalesce(func.sum(cast(ReturnLine.qty, BigInteger) * (OrderLine.unit_price_fen - OrderLine.unit_cost_fen)
                                               if month_plan.base_kind == "margin" else ReturnLine.amount_fen), 0))
                 .join(OrderLine, OrderLine.id == ReturnLine.order_line_id)
                 .where(ReturnLine.seller_id == seller.id, ReturnLine.return_date >= month.start,
                        ReturnLine.return_date < month.end))
        if month_plan.order_kind != "all":
            query = query.where(OrderLine.kind == month_plan.order_kind)
        returned, returned_base = db.session.execute(query).one()
    return PersonalNet(int(sold) - int(returned), int(sold_base) - int(returned_base))


def _month_orders(seller: Seller, month: Month) -> tuple:
    return OrderLine.seller_id == seller.id, OrderLine.order_date >= month.start, OrderLine.order_date < month.end


def _counts_line(plan):
    """SQL: `plan` (the plan in force on the line's order date) counts the order line's kind."""
    return or_(plan.order_kind == "all", plan.order_kind == OrderLine.kind)


def uncounted_order_lines(seller: Seller, month: Month) -> tuple[tuple[str, int], ...]:
    """(order kind, lines) of the seller's order lines of the month that `personal_net` leaves
    out: no plan in force on the order date, or one that counts other kinds (a reseller's sell-in
    under a sell-out plan). By kind; empty when every line counts."""
    plan = aliased(CommissionPlan)
    rows = db.session.execute(
        select(OrderLine.kind, func.count()).select_from(OrderLine)
        .outerjoin(plan, plan.id == _plan_in_force(seller, OrderLine.order_date))
        .where(*_month_orders(seller, month), or_(plan.id.is_(None), ~_counts_line(plan)))
        .group_by(OrderLine.kind).order_by(OrderLine.kind))
    return tuple((kind, int(n)) for kind, n in rows)


def _plan_in_force(seller: Seller, day):
    """SQL: the id of the plan version governing `seller` on `day` (a date or a column) — a
    seller's own plan wins over its level's, which wins over its channel's (the run's cm_sp)."""
    sp = aliased(CommissionPlan)
    priority = case((sp.seller_id.is_not(None), 0), (sp.level.is_not(None), 1), else_=2)
    return (select(sp.id).where(
        sp.status == "active",
        or_(sp.seller_id == seller.id,
            and_(sp.seller_id.is_(None), sp.channel == seller.channel, or_(sp.level.is_(None), sp.level == seller.level))),
        sp.valid_from <= day, or_(sp.valid_to.is_(None), sp.valid_to > day))
        .order_by(priority).limit(1).scalar_subquery())


def plan_on(seller: Seller, month: Month) -> CommissionPlan | None:
    """The plan governing the seller's month aggregates (in force on the month's last day)."""
    plan_id = db.session.scalar(select(_plan_in_force(seller, month.end - timedelta(days=1))))
    return db.session.get(CommissionPlan, plan_id) if plan_id is not None else None


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


# the statement as people read it (the Excel download): yuan, percentages, the kind's label
STATEMENT_SHEET_COLUMNS = (NC_("ledger line", "行号"), N_("类别"), N_("来源订单"), N_("订单日期"), N_("销售方"), N_("基数（元）"),
                           N_("费率 %"), N_("金额（元）"), N_("方案"), N_("版本号"), N_("冲销行"), N_("来源期间"),
                           NC_("one case", "冲突案件"), N_("说明"))


def statement_sheet_rows(st: Statement, label: Callable[[str], str], total: str,
                         notes: Callable[[StatementLine], str] = lambda item: "") -> Iterator[tuple]:
    """The statement's lines under STATEMENT_SHEET_COLUMNS — `label(kind)` names a kind in the
    reader's language, `notes(item)` says why the line is what it is (the page's 说明: a tier's
    mode, a missing certification, a clawback's rule…) — then an empty row and the total row
    (`total` its caption): the same
    lines and the same exact total as the CSV, amounts in yuan as exact Decimals (number cells
    with the format 0.00, so SUM works; never float), rates as percentage text."""
    for item in st.lines:
        line = item.line
        yield (line.id, label(kind_of(line)), item.order_no or "", item.order_date or "",
               item.source_seller.code if item.source_seller else "",
               yuan_amount(line.base_fen), yuan_text(line.rate_bp) if line.rate_bp is not None else "",
               yuan_amount(line.amount_fen),
               item.plan.name if item.plan else "", item.plan.version if item.plan else "",
               line.reverses_id or "", line.source_period if line.source_period != line.period else "",
               line.case_id or "", notes(item))
    yield ()
    yield (total, "", "", "", "", "", "", yuan_amount(st.total_fen))


def statement_csv(st: Statement) -> str:
    """The statement's lines as CSV (UTF-8 with BOM so that Excel reads the Chinese); text cells
    (order numbers, plan names, notes) made formula-safe by `safe_cell`."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(STATEMENT_LINE_HEADER)
    for row in statement_line_rows(st):
        writer.writerow([safe_cell(cell) for cell in row])
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
