"""Commission plans as pure rules: validation with the compliance guardrails, tier arithmetic
(marginal and whole), override distribution (skip / compress) and half-up rounding.

Units: money in integer fen, rates in basis points (1 bp = 0.01 %, 10000 bp = 100 %).
Every amount is rounded once, half away from zero, on the ledger line it becomes.

These functions are the reference the set-based SQL of `channel.services.commissions_run`
follows; unit tests pin them with hand-computed examples, integration tests check the SQL
against them.
"""
from __future__ import annotations

import re

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from channel.domain.errors import DomainError, N_
from channel.domain.money import MAX_AMOUNT_FEN, format_fen, round_half_up
from channel.domain.periods import DAY_OUT_OF_RANGE, DAY_RANGE, day_in_years

FULL_RATE_BP = 10000
MAX_OVERRIDE_DEPTH = 3  # 《禁止传销条例》: overrides only a few levels deep, on real goods flow
DEFAULT_DIRECT_CAP_BP = 3000  # 《直销管理条例》: at most 30 % of a direct seller's own sales
# MAX_AMOUNT_FEN (channel/domain/money.py) bounds a plan's amounts (qualification minimum, bonus
# target and amount, tier bounds); MAX_AMOUNT_FEN × FULL_RATE_BP must fit SQL BIGINT.
MAX_SHOWN_CHARS = 24  # a value echoed in a message is cut to this length
# the lengths of the plan's text columns (models/commissions.py): longer is refused, not truncated or
# left to the database (PostgreSQL raises, SQLite keeps it)
MAX_PLAN_NAME_CHARS, MAX_CATEGORY_CHARS, MAX_CERTIFICATION_CHARS = 100, 64, 40

BASE_REVENUE = "revenue"
BASE_MARGIN = "margin"
BASE_KINDS = (BASE_REVENUE, BASE_MARGIN)
TIER_MARGINAL = "marginal"
TIER_WHOLE = "whole"
TIER_MODES = (TIER_MARGINAL, TIER_WHOLE)
QUALIFY_SKIP = "skip"
QUALIFY_COMPRESS = "compress"
QUALIFY_MODES = (QUALIFY_SKIP, QUALIFY_COMPRESS)
BONUS_PERSONAL = "personal"
BONUS_TEAM = "team"
BONUS_SCOPES = (BONUS_PERSONAL, BONUS_TEAM)
ORDER_KINDS = ("sell_out", "sell_in", "all")
CHANNELS = ("agent", "direct")


@dataclass(frozen=True)
class Tier:
    """A bracket of period net sales [from_fen, to_fen) (to_fen None = no upper end).
    `certification`: a code the seller must hold on the period's last day to be paid this
    bracket's rate; without it the bracket is paid at the rate of the bracket below."""

    from_fen: int
    to_fen: int | None
    rate_bp: int
    certification: str | None = None


@dataclass(frozen=True)
class PlanSpec:
    """What a plan says, independent of storage (the form, the JSON import and the database
    row all become one of these before anything is checked)."""

    name: str
    channel: str
    level: int | None
    valid_from: date
    valid_to: date | None = None
    seller_code: str | None = None
    order_kind: str = "sell_out"
    base_kind: str = BASE_REVENUE
    base_rate_bp: int | None = 0  # None: not given (refused; 0 is a legitimate rate)
    category_rates: dict[str, int] = field(default_factory=dict)
    tier_mode: str = TIER_MARGINAL
    tiers: tuple[Tier, ...] = ()
    override_rates_bp: tuple[int, ...] = ()
    qualify_min_fen: int = 0
    qualify_mode: str = QUALIFY_SKIP
    bonus_scope: str = BONUS_PERSONAL
    bonus_target_fen: int = 0
    bonus_fen: int = 0
    recruit_bonus_fen: int = 0  # always refused when > 0; present so an import cannot hide it

    def override_rate(self, level: int) -> int:
        return self.override_rates_bp[level - 1] if 0 < level <= len(self.override_rates_bp) else 0

    def best_base_rate_bp(self) -> int:
        """The best base or category rate (paid by the plan in force on the order's date)."""
        return max([self.base_rate_bp or 0, *self.category_rates.values()])

    def max_own_rate_on_sale_bp(self) -> int:
        """The highest share of one sale the seller itself can earn on it: best base or
        category rate plus the best tier rate (tiers pay on top of the base)."""
        return self.best_base_rate_bp() + self.best_tier_rate_bp()

    def best_tier_rate_bp(self) -> int:
        return max([t.rate_bp for t in self.tiers], default=0)

    def max_month_end_rate_bp(self) -> int:
        """What the plan adds on a sale as the plan of the month's last day (it governs the
        month's aggregates): the best tier rate plus the bonus as a share of its target."""
        bonus = 0
        if self.bonus_fen and self.bonus_target_fen:
            bonus = -(-self.bonus_fen * FULL_RATE_BP // self.bonus_target_fen)  # rounded up
        return self.best_tier_rate_bp() + bonus

    def max_personal_rate_bp(self) -> int:
        """The highest share of a sale the seller itself can earn: best base or category rate,
        plus the best tier rate, plus the bonus as a share of its target."""
        return self.best_base_rate_bp() + self.max_month_end_rate_bp()


@dataclass(frozen=True)
class Check:
    """One guardrail or rule, passed or failed, with the words that explain it."""

    field: str
    message: str  # a msgid (N_) with %(name)s placeholders
    params: dict
    passed: bool


class PlanRefused(DomainError):
    """The plan breaks one or more rules; `problems` lists every failed Check."""

    def __init__(self, problems: list[Check]):
        first = problems[0]
        super().__init__(first.message, field=first.field, **first.params)
        self.problems = problems


def shorten(text: object, limit: int = MAX_SHOWN_CHARS) -> str:
    """`text` as a string of at most `limit` characters (cut with "…"): for values echoed in messages."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")  # \d: full-width digits too, as Decimal reads them


def percent_to_bp(text: str | int | Decimal, field_name: str = "rate") -> int:
    """'2.5' (percent) -> 250 bp. At most two decimals; refuses anything not a plain decimal
    number (as the money parser does: '1e2' or '1_0' are not read as 100 % or 10 %), and numbers
    of absurd size (beyond 10^12 %) before they become huge integers."""
    raw = str(text).strip().rstrip("%").strip()
    if raw and not PLAIN_NUMBER.fullmatch(raw):
        raise DomainError(N_("“%(value)s” 不是一个百分比。"), field=field_name, value=shorten(text))
    try:
        value = Decimal(raw or "0")
    except InvalidOperation:
        raise DomainError(N_("“%(value)s” 不是一个百分比。"), field=field_name, value=shorten(text)) from None
    if not value.is_finite() or (value and value.adjusted() > 12):
        raise DomainError(N_("“%(value)s” 不是一个百分比。"), field=field_name, value=shorten(text))
    value *= 100
    if value != value.to_integral_value():
        raise DomainError(N_("百分比最多两位小数：“%(value)s”。"), field=field_name, value=shorten(text))
    return int(value)


def bp_to_percent(rate_bp: int) -> str:
    """250 -> '2.5'; 1000 -> '10'."""
    text = f"{Decimal(rate_bp) / 100:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def shown_percent(rate_bp: int) -> str:
    """bp_to_percent for messages: an absurd rate in short scientific notation (1.00E+309)."""
    text = bp_to_percent(rate_bp)
    return text if len(text) <= 12 else f"{Decimal(rate_bp) / 100:.2E}"


def check_plan(spec: PlanSpec, direct_cap_bp: int = DEFAULT_DIRECT_CAP_BP,
               levels: dict[str, int] | None = None) -> list[Check]:
    """Every rule and guardrail, each as a passed or failed Check (in the order a form shows them).
    `levels`: the number of levels of each channel ({"agent": 4, "direct": 3}, from the
    configuration); without it a level is only checked to be at least 1."""
    checks: list[Check] = []

    def add(ok: bool, field_name: str, bad: str, good: str | None = None, **params) -> None:
        check = Check(field_name, good if ok else bad, params, ok)
        if (ok and good is None) or check in checks:  # the same refusal once (e.g. two tier bounds)
            return
        checks.append(check)

    add(bool(spec.name and spec.name.strip()), "name", N_("方案名称不能为空。"))
    add(len(spec.name or "") <= MAX_PLAN_NAME_CHARS, "name", N_("方案名称最多 %(max)s 个字符。"),
        max=MAX_PLAN_NAME_CHARS)
    for category in spec.category_rates:
        add(bool(category.strip()), "category_rates", N_("品类名称不能为空。"))
        add(len(category) <= MAX_CATEGORY_CHARS, "category_rates",
            N_("品类名称最多 %(max)s 个字符：“%(category)s”。"), max=MAX_CATEGORY_CHARS, category=shorten(category))
    for tier in spec.tiers:
        add(tier.certification is None or len(tier.certification) <= MAX_CERTIFICATION_CHARS, "tiers",
            N_("认证代码最多 %(max)s 个字符：“%(code)s”。"), max=MAX_CERTIFICATION_CHARS,
            code=shorten(tier.certification))
    add(spec.channel in CHANNELS, "channel", N_("渠道必须是 agent 或 direct。"))
    top_level = (levels or {}).get(spec.channel)
    if top_level is None:
        add(spec.level is None or spec.level >= 1, "level", N_("层级必须大于等于 1。"))
    else:
        add(spec.level is None or 1 <= spec.level <= top_level, "level",
            N_("该渠道的层级只能是 1 到 %(max)s（现在是 %(level)s）。"), max=top_level, level=shorten(spec.level))
    add(spec.order_kind in ORDER_KINDS, "order_kind", N_("计提的订单类型必须是 sell_out、sell_in 或 all。"))
    add(spec.base_kind in BASE_KINDS, "base_kind", N_("计提基数必须是 revenue（销售额）或 margin（毛利）。"))
    add(spec.tier_mode in TIER_MODES, "tier_mode", N_("阶梯方式必须是 marginal（超额累进）或 whole（全额累进）。"))
    add(spec.qualify_mode in QUALIFY_MODES, "qualify_mode", N_("不达标处理必须是 skip（跳过）或 compress（压缩）。"))
    add(spec.bonus_scope in BONUS_SCOPES, "bonus_scope", N_("奖励范围必须是 personal（个人）或 team（团队）。"))
    for field_name, day in (("valid_from", spec.valid_from), ("valid_to", spec.valid_to)):
        # the years every other date keeps to (periods.check_day): 0001-01-01 is a slip, and a
        # month of it could never be run
        add(day is None or day_in_years(day), field_name, DAY_OUT_OF_RANGE, **DAY_RANGE)
    add(spec.valid_to is None or spec.valid_to > spec.valid_from, "valid_to",
        N_("结束日期必须晚于开始日期。"))

    add(spec.base_rate_bp is not None, "base_rate", N_("请填写基础费率（不按基础费率提成时填 0）。"))
    rates = [("category_rates", r) for r in spec.category_rates.values()]
    if spec.base_rate_bp is not None:
        rates.insert(0, ("base_rate", spec.base_rate_bp))
    rates += [("tiers", t.rate_bp) for t in spec.tiers] + [("override_rates", r) for r in spec.override_rates_bp]
    for field_name, rate in rates:
        add(rate >= 0, field_name, N_("费率不能为负数（%(rate)s%%）。"), rate=shown_percent(rate))
        add(rate <= FULL_RATE_BP, field_name, N_("费率不能超过 100%%（%(rate)s%%）。"), rate=shown_percent(rate))
    amounts = [("qualify_min", spec.qualify_min_fen), ("bonus_target", spec.bonus_target_fen), ("bonus", spec.bonus_fen)]
    amounts += [("tiers", edge) for t in spec.tiers for edge in (t.from_fen, t.to_fen) if edge is not None]
    for field_name, amount in amounts:
        add(amount >= 0, field_name, N_("金额不能为负数。"))
        add(amount <= MAX_AMOUNT_FEN, field_name, N_("金额过大：最多 %(max)s。"), max=format_fen(MAX_AMOUNT_FEN))
    add(not spec.bonus_fen or spec.bonus_target_fen > 0, "bonus_target", N_("有目标奖励时必须设定目标销售额。"))
    checks.extend(check_tiers(spec.tiers))

    # Compliance guardrails: refused with the reason, and shown with the reason when they pass.
    deepest = max((i + 1 for i, r in enumerate(spec.override_rates_bp) if r), default=0)
    add(deepest <= MAX_OVERRIDE_DEPTH, "override_rates",
        N_("上级提成最多 %(max)s 层：本方案给到第 %(depth)s 层。按《禁止传销条例》，按下线层级计酬不能无限延伸。"),
        N_("上级提成 %(depth)s 层，不超过 %(max)s 层的上限，且只按真实销售计提。"),
        max=MAX_OVERRIDE_DEPTH, depth=deepest)
    own, overrides = spec.max_own_rate_on_sale_bp(), sum(spec.override_rates_bp)
    add(own + overrides <= FULL_RATE_BP, "override_rates",
        N_("一笔销售最多要支付其计提基数的 %(rate)s%%（本人 %(own)s%% + 各层上级提成 %(overrides)s%%），超过了 100%%。"),
        N_("一笔销售最多支付其计提基数的 %(rate)s%%（本人 %(own)s%% + 各层上级提成 %(overrides)s%%），不超过 100%%。"),
        rate=shown_percent(own + overrides), own=shown_percent(own), overrides=shown_percent(overrides))
    add(spec.recruit_bonus_fen == 0, "recruit_bonus",
        N_("不能为发展下线或下线加入支付任何报酬（《禁止传销条例》）：请把拉人头奖励设为 0。"),
        N_("没有拉人头奖励：所有报酬都来自真实销售。"))
    if spec.channel == "direct":
        best = spec.max_personal_rate_bp()
        add(best <= direct_cap_bp, "base_rate",
            N_("直销人员的报酬最多可达本人销售额的 %(rate)s%%，超过了 %(cap)s%% 的上限（《直销管理条例》）。"),
            N_("直销人员的报酬最多为本人销售额的 %(rate)s%%，不超过 %(cap)s%% 的上限（《直销管理条例》）。"),
            rate=shown_percent(best), cap=bp_to_percent(direct_cap_bp))
    return checks


@dataclass(frozen=True)
class PlacedPlan:
    """A plan version where it applies: its target (a seller's own plan, a level's, the
    channel's) and its days [valid_from, valid_to). `key` tells versions apart."""

    key: object
    spec: PlanSpec
    seller_id: int | None
    level: int | None
    valid_from: date
    valid_to: date | None

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


def plan_for(plans: list[PlacedPlan], day: date, level: int, seller_id: int | None) -> PlacedPlan | None:
    """The plan a seller (at `level`; `seller_id` None: a seller without plans of its own) is
    paid by on `day`: its own plan over its level's over its channel's (the run's cm_sp)."""
    fitting = [p for p in plans if p.in_force(day)
               and (p.seller_id == seller_id if p.seller_id is not None else p.level in (None, level))]
    return min(fitting, key=lambda p: 0 if p.seller_id is not None else 1 if p.level is not None else 2, default=None)


def mixed_month_rate(plans: list[PlacedPlan], start: date, end: date, level: int,
                     seller_id: int | None) -> tuple[int, PlacedPlan, PlacedPlan] | None:
    """The most a direct seller can earn on one sale of the month [start, end) when more than
    one plan pays it that month: a sale's base comes from the plan in force on its date, tiers
    and bonus from the plan of the month's last day, so a version starting mid-month adds its
    tiers to the base of the version before it. (rate, the plan with the best base, the
    month-end plan), or None when one plan (or none) pays the whole month (check_plan covers it)."""
    days = sorted({start} | {d for p in plans for d in (p.valid_from, p.valid_to) if d and start < d < end})
    paying = [p for p in (plan_for(plans, d, level, seller_id) for d in days) if p is not None]
    last = plan_for(plans, end - timedelta(days=1), level, seller_id)
    if len({p.key for p in paying}) < 2 or last is None:
        return None
    best = max(paying, key=lambda p: p.spec.best_base_rate_bp())
    return best.spec.best_base_rate_bp() + last.spec.max_month_end_rate_bp(), best, last


def check_tiers(tiers: tuple[Tier, ...]) -> list[Check]:
    """Brackets must start at 0, follow each other without gap or overlap, and only the last
    may be open-ended."""
    problems: list[Check] = []
    if not tiers:
        return problems
    ordered = sorted(tiers, key=lambda t: t.from_fen)
    if ordered[0].from_fen != 0:
        problems.append(Check("tiers", N_("第一档必须从 0 开始（现在从 %(start)s 开始，中间有空档）。"),
                              {"start": format_fen(ordered[0].from_fen)}, False))
    for index, (tier, following) in enumerate(zip(ordered, ordered[1:] + [None]), start=1):
        if tier.to_fen is not None and tier.to_fen <= tier.from_fen:
            problems.append(Check("tiers", N_("第 %(n)s 档的上限必须大于下限。"), {"n": index}, False))
        if following is None:
            continue
        if tier.to_fen is None or following.from_fen < tier.to_fen:
            problems.append(Check("tiers", N_("第 %(n)s 档与第 %(m)s 档重叠。"), {"n": index, "m": index + 1}, False))
        elif following.from_fen > tier.to_fen:
            problems.append(Check("tiers", N_("第 %(n)s 档与第 %(m)s 档之间有空档。"), {"n": index, "m": index + 1}, False))
    return problems


def validate_plan(spec: PlanSpec, direct_cap_bp: int = DEFAULT_DIRECT_CAP_BP,
                  levels: dict[str, int] | None = None) -> list[Check]:
    """The passed guardrail checks (to show why the plan passes); PlanRefused if any fails."""
    checks = check_plan(spec, direct_cap_bp, levels)
    failed = [c for c in checks if not c.passed]
    if failed:
        raise PlanRefused(failed)
    return checks


def effective_tier_rates(tiers: tuple[Tier, ...], certified: set[str] | frozenset = frozenset()) -> list[int]:
    """The rate each bracket actually pays: a bracket gated on a certification the seller lacks
    pays the rate of the bracket below (0 for the first)."""
    rates: list[int] = []
    for tier in sorted(tiers, key=lambda t: t.from_fen):
        allowed = tier.certification is None or tier.certification in certified
        rates.append(tier.rate_bp if allowed else (rates[-1] if rates else 0))
    return rates


def tier_amount(net_fen: int, tiers: tuple[Tier, ...], mode: str,
                certified: set[str] | frozenset = frozenset()) -> int:
    """The tier commission on period net sales, rounded half-up once.

    marginal: each slice of `net_fen` inside a bracket at that bracket's rate;
    whole: all of `net_fen` at the rate of the bracket it reaches (a bracket's lower edge
    belongs to it: exactly on the edge pays the higher bracket). Zero for net <= 0.
    """
    if net_fen <= 0 or not tiers:
        return 0
    ordered = sorted(tiers, key=lambda t: t.from_fen)
    rates = effective_tier_rates(tuple(ordered), certified)
    if mode == TIER_WHOLE:
        for tier, rate in zip(ordered, rates):
            if tier.from_fen <= net_fen and (tier.to_fen is None or net_fen < tier.to_fen):
                return round_half_up(Decimal(net_fen) * rate / FULL_RATE_BP)
        return 0
    total = 0
    for tier, rate in zip(ordered, rates):
        top = net_fen if tier.to_fen is None else min(net_fen, tier.to_fen)
        if top > tier.from_fen:
            total += (top - tier.from_fen) * rate
    return round_half_up(Decimal(total) / FULL_RATE_BP)


def missing_certifications(net_fen: int, tiers: tuple[Tier, ...],
                           certified: set[str] | frozenset = frozenset()) -> list[str]:
    """The certification codes of the brackets `net_fen` reached that the seller lacks (such a
    bracket paid the rate below it): what the statement explains, also when that rate is 0 and
    no tier line was posted to carry the note."""
    if net_fen <= 0:
        return []
    return sorted({t.certification for t in tiers
                   if t.certification and t.certification not in certified and t.from_fen <= net_fen})


def next_tier(net_fen: int, tiers: tuple[Tier, ...],
              certified: set[str] | frozenset = frozenset()) -> tuple[int, int] | None:
    """The next bracket worth reaching: (fen of base still to add, its rate in bp), or None.

    `net_fen` is the period net base the tiers rest on (revenue or margin, net of returns, of
    the order kinds the plan counts). A bracket is offered only if its lower edge is above
    `net_fen`, the seller may earn it (no certification, or one in `certified`: a gated bracket
    the seller lacks the certification for pays only the rate below it) and its rate is above
    the rate paid now (0 at net <= 0, where no tier is paid). So a 0 % bracket is never offered,
    and below zero the gap counts the returns still to make up first."""
    current = tier_rate_now(net_fen, tiers, certified)
    for tier in sorted(tiers, key=lambda t: t.from_fen):
        if tier.from_fen <= net_fen or (tier.certification is not None and tier.certification not in certified):
            continue
        if tier.rate_bp > current:
            return tier.from_fen - net_fen, tier.rate_bp
    return None


def tier_rate_now(net_fen: int, tiers: tuple[Tier, ...], certified: set[str] | frozenset = frozenset()) -> int:
    """The rate (bp) of the bracket `net_fen` reaches, as it is paid (a gated bracket without its
    certification pays the rate below); 0 at net <= 0, where no tier is paid, or without tiers.
    For marginal tiers this is the rate of the top slice."""
    current = 0
    if net_fen > 0:
        ordered = sorted(tiers, key=lambda t: t.from_fen)
        for tier, rate in zip(ordered, effective_tier_rates(tuple(ordered), certified)):
            if tier.from_fen <= net_fen:
                current = rate
    return current


def locked_tier(net_fen: int, tiers: tuple[Tier, ...],
                certified: set[str] | frozenset = frozenset()) -> tuple[int, int, str] | None:
    """The first bracket above `net_fen` that would pay more than the rate now but is gated on a
    certification the seller lacks, when it comes before the bracket `next_tier` offers (or there
    is none): (fen of base still to add, its rate in bp, the certification code). What the
    statement names so that a seller below a gated bracket knows why it is not a goal."""
    current = tier_rate_now(net_fen, tiers, certified)
    goal = next_tier(net_fen, tiers, certified)
    goal_from = net_fen + goal[0] if goal else None
    for tier in sorted(tiers, key=lambda t: t.from_fen):
        if tier.from_fen <= net_fen or (goal_from is not None and tier.from_fen >= goal_from):
            continue
        if tier.certification is not None and tier.certification not in certified and tier.rate_bp > current:
            return tier.from_fen - net_fen, tier.rate_bp, tier.certification
    return None


def distribute_overrides(chain: list[tuple[int, bool]], rates_bp: tuple[int, ...], mode: str) -> list[tuple[int, int, int]]:
    """Who earns which override on one sale.

    `chain`: the seller's uplines on the order date, nearest first, as (seller_id, qualified).
    skip: the upline at distance d earns r_d if qualified; an unqualified one's share is not paid.
    compress: the k-th qualified upline earns r_k; unqualified uplines are passed over.
    Returns [(seller_id, override level, rate_bp)] for rates > 0, at most MAX_OVERRIDE_DEPTH.
    """
    paid: list[tuple[int, int, int]] = []
    if mode == QUALIFY_COMPRESS:
        qualified = [seller for seller, ok in chain if ok]
        for level, seller in enumerate(qualified[:len(rates_bp)], start=1):
            paid.append((seller, level, rates_bp[level - 1]))
    else:
        for level, (seller, ok) in enumerate(chain[:len(rates_bp)], start=1):
            if ok:
                paid.append((seller, level, rates_bp[level - 1]))
    return [p for p in paid if p[2] > 0 and p[1] <= MAX_OVERRIDE_DEPTH]


def line_amount(base_fen: int, rate_bp: int) -> int:
    """One ledger line: base × rate, half-up to the fen (negative bases round away from zero)."""
    return round_half_up(Decimal(base_fen) * rate_bp / FULL_RATE_BP)


# --- Reading plans typed by people (forms) ---------------------------------------------------

def parse_override_rates(text: str) -> tuple[int, ...]:
    """'2, 1, 0.5' (percent, nearest upline first) -> (200, 100, 50). A rate's place is its level,
    so an empty place before the last rate ('2, , 1') is refused rather than closed up (which
    would pay level 3's rate at level 2); trailing separators are ignored."""
    parts = (text or "").replace("，", ",").replace("、", ",").split(",")
    while parts and not parts[-1].strip():
        parts.pop()
    for level, part in enumerate(parts, start=1):
        if not part.strip():
            raise DomainError(N_("上级提成第 %(n)s 层是空的：不发这一层时写 0（例如“2, 0, 1”）。"),
                              field="override_rates", n=level)
    return tuple(percent_to_bp(p, "override_rates") for p in parts)


def parse_category_rates(text: str) -> dict[str, int]:
    """One 'category = percent' per line -> {category: bp}. A category named twice is refused."""
    rates: dict[str, int] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        if "=" not in line:
            raise DomainError(N_("品类费率第 %(n)s 行应写成“品类 = 百分比”。"), field="category_rates", n=number)
        category, rate = (part.strip() for part in line.split("=", 1))
        if not category:
            raise DomainError(N_("品类费率第 %(n)s 行缺少品类。"), field="category_rates", n=number)
        if category in rates:
            raise DomainError(N_("品类“%(category)s”写了两次。"), field="category_rates", category=category)
        rates[category] = percent_to_bp(rate, "category_rates")
    return rates


def tier_parts(line: str) -> list[str]:
    """The parts of one tier line. Parts are separated by a comma with a space beside it, a
    full-width comma or a semicolon — then a bound may group thousands ("0, 1,000, 2" is 0 to
    ¥1,000 at 2%); a line with none of those is split at every comma ("0,5000,2"), so a bound
    there is written without grouping."""
    if re.search(r"\s,|,\s|[，;；]", line):
        parts = re.split(r"\s*[，;；]\s*|\s*,\s+|\s+,\s*", line.strip())
    else:
        parts = line.split(",")
    return [p.strip() for p in parts]


def parse_tiers(text: str) -> tuple[Tier, ...]:
    """One bracket per line: 'from_yuan, to_yuan (empty = no limit), percent[, certification]'."""
    from channel.domain.money import parse_amount_fen

    tiers: list[Tier] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = tier_parts(line)
        if len(parts) < 3 or len(parts) > 4:
            raise DomainError(N_("阶梯第 %(n)s 行应写成“起点, 终点（可空）, 百分比[, 认证代码]”。"), field="tiers", n=number)
        start = parse_amount_fen(parts[0], "tiers")
        end = parse_amount_fen(parts[1], "tiers") if parts[1] else None
        certification = parts[3] if len(parts) == 4 and parts[3] else None
        tiers.append(Tier(start, end, percent_to_bp(parts[2], "tiers"), certification))
    return tuple(tiers)


def format_tiers(tiers: tuple[Tier, ...]) -> str:
    from channel.domain.money import fen_to_decimal

    lines = []
    for t in tiers:
        end = "" if t.to_fen is None else str(fen_to_decimal(t.to_fen))
        cert = f", {t.certification}" if t.certification else ""
        lines.append(f"{fen_to_decimal(t.from_fen)}, {end}, {bp_to_percent(t.rate_bp)}{cert}")
    return "\n".join(lines)
