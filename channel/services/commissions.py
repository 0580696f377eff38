"""Commission plans: save (with guardrails and versioning), read, export / import as JSON,
period locks, and the demo plan set.

A plan row is one version. Saving changes to a version that no ledger line uses edits it in
place; saving changes to a used version adds a new version (same `family_id`, version + 1) and
ends or supersedes the old one, so that posted lines keep pointing at the rates they used.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date

from flask import current_app
from sqlalchemy import exists, func, or_, select

from channel.domain.commissions import (
    DEFAULT_DIRECT_CAP_BP, Check, PlacedPlan, PlanRefused, PlanSpec, Tier, bp_to_percent, mixed_month_rate,
    shorten, shown_percent, validate_plan,
)
from channel.domain.errors import Conflict, DomainError, N_, NotFound
from channel.domain.periods import Month
from channel.services import audit
from channel.services.tree import seller_by_code
from models import db
from models.commissions import CommissionPlan, LedgerLine, PeriodLock, PlanCategoryRate, PlanTier
from models.tree import Seller

EXPORT_FORMAT = "qudao-plans/1"


def direct_cap_bp() -> int:
    return int(current_app.config.get("COMMISSION_DIRECT_CAP_BP", DEFAULT_DIRECT_CAP_BP))


def channel_levels() -> dict[str, int]:
    """How many levels each channel has (the configured AGENT_LEVELS / DIRECT_LEVELS)."""
    return {"agent": len(current_app.config["AGENT_LEVELS"]), "direct": len(current_app.config["DIRECT_LEVELS"])}


def spec_of(plan: CommissionPlan) -> PlanSpec:
    """The PlanSpec a stored version says."""
    rates = (plan.override_r1_bp, plan.override_r2_bp, plan.override_r3_bp)
    while rates and not rates[-1]:
        rates = rates[:-1]
    return PlanSpec(
        name=plan.name, channel=plan.channel, level=plan.level, valid_from=plan.valid_from,
        valid_to=plan.valid_to, seller_code=plan.seller.code if plan.seller_id else None,
        order_kind=plan.order_kind, base_kind=plan.base_kind, base_rate_bp=plan.base_rate_bp,
        category_rates={c.category: c.rate_bp for c in plan.category_rates}, tier_mode=plan.tier_mode,
        tiers=tuple(Tier(t.from_fen, t.to_fen, t.rate_bp, t.certification_code) for t in plan.tiers),
        override_rates_bp=tuple(rates), qualify_min_fen=plan.qualify_min_fen, qualify_mode=plan.qualify_mode,
        bonus_scope=plan.bonus_scope, bonus_target_fen=plan.bonus_target_fen, bonus_fen=plan.bonus_fen,
    )


def checks_of(plan: CommissionPlan) -> list[Check]:
    """Why a stored plan passes the guardrails (the passed checks with their reasons)."""
    from channel.domain.commissions import check_plan

    return [c for c in check_plan(spec_of(plan), direct_cap_bp(), channel_levels()) if c.passed]


def _seller_for(spec: PlanSpec) -> Seller | None:
    if not spec.seller_code:
        return None
    seller = seller_by_code(spec.seller_code)
    if seller is None:
        raise DomainError(N_("没有编码为 %(code)s 的销售方。"), field="seller_code", code=spec.seller_code)
    if seller.channel != spec.channel:
        raise DomainError(N_("销售方 %(code)s 不属于这个渠道。"), field="seller_code", code=spec.seller_code)
    return seller


def is_used(plan_id: int) -> bool:
    """True when a posted ledger line used this version."""
    return db.session.scalar(select(exists().where(LedgerLine.plan_version_id == plan_id)))


def posted_through(plan_ids: list[int]) -> Month | None:
    """The latest month (source_period) of posted ledger lines that used one of these plan
    versions, or None when none did. Read backwards along ix_ledger_source_period: the newest
    months come first, so a version used lately is found at once."""
    if not plan_ids:
        return None
    period = db.session.scalar(select(LedgerLine.source_period).where(
        LedgerLine.plan_version_id.in_(plan_ids), LedgerLine.source_period.is_not(None))
        .order_by(LedgerLine.source_period.desc()).limit(1))
    return Month.parse(period) if period else None


def _check_not_retroactive(spec: PlanSpec, replaced: list[CommissionPlan]) -> None:
    """Conflict (field valid_from) when the new version would take over days of months whose
    posted lines used a version it replaces (`replaced`: the version it ends or supersedes): a
    re-run of those months would re-price them, and the next run would post corrections of the
    locked (paid) ones. Such a change is saved only when asked for explicitly (`retroactive`)."""
    for version in replaced:
        through = posted_through([version.id])
        if through is not None and spec.valid_from < through.end:
            raise Conflict(N_("方案“%(name)s”第 %(version)s 版已用于 %(period)s 及以前已记账的提成：新版本从 %(start)s "
                              "起生效，会追溯改变这些提成（重新计算时调整，已锁定的期间在下一次计算中更正）。请把生效日期设为 "
                              "%(next)s 或以后；确需追溯调整时，请确认“追溯调整已记账的提成”。"),
                           field="valid_from", name=version.name, version=version.version, period=str(through),
                           start=spec.valid_from.isoformat(), next=through.end.isoformat())


def _check_overlap(spec: PlanSpec, seller_id: int | None, ignore_ids: set[int]) -> None:
    """Two active versions for the same target may not be in force on the same day. A seller's
    own plans have the seller as their target whatever level they name: the plan in force for a
    seller is its own plan first, with no rank among several (statements' _plan_in_force, the
    run's cm_sp), so two of them never overlap."""
    if seller_id is not None:
        target = (CommissionPlan.seller_id == seller_id,)
    else:
        target = (CommissionPlan.channel == spec.channel, CommissionPlan.seller_id.is_(None),
                  CommissionPlan.level.is_(None) if spec.level is None else CommissionPlan.level == spec.level)
    query = select(CommissionPlan).where(
        CommissionPlan.status == "active", *target,
        or_(CommissionPlan.valid_to.is_(None), CommissionPlan.valid_to > spec.valid_from),
    )
    if spec.valid_to is not None:
        query = query.where(CommissionPlan.valid_from < spec.valid_to)
    for other in db.session.scalars(query):
        if other.id not in ignore_ids:
            raise Conflict(N_("与方案“%(name)s”（第 %(version)s 版，%(start)s 起）的生效期重叠。"), field="valid_from",
                           name=other.name, version=other.version, start=other.valid_from.isoformat())


def _check_direct_months(spec: PlanSpec, seller: Seller | None, gone: set[int], ends: dict[int, date]) -> None:
    """The direct channel's cap (per cent of a seller's own sales) holds in a month two plans
    share, too: a sale's base is paid by the plan in force on its date, tiers and bonus by the
    plan of the month's last day, so a version starting mid-month adds its tiers to the base of
    the plan before it — each passing check_plan alone. PlanRefused (field valid_from) when the
    plan being saved (as if saved: `gone` versions superseded, `ends` {id: new valid_to}) makes
    such a month exceed the cap for some seller."""
    if spec.channel != "direct":
        return
    new = PlacedPlan("new", spec, seller.id if seller else None, None if seller else spec.level, spec.valid_from,
                     spec.valid_to)
    placed = [new]
    for plan in db.session.scalars(select(CommissionPlan).where(CommissionPlan.channel == "direct",
                                                                CommissionPlan.status == "active")):
        if plan.id not in gone:
            placed.append(PlacedPlan(plan.id, spec_of(plan), plan.seller_id, None if plan.seller_id else plan.level,
                                     plan.valid_from, ends.get(plan.id, plan.valid_to)))
    own = {p.seller_id for p in placed if p.seller_id is not None}
    seller_levels = dict(db.session.execute(select(Seller.id, Seller.level).where(Seller.id.in_(own))).all()) if own else {}
    if new.seller_id is not None:
        profiles = [(seller_levels[new.seller_id], new.seller_id)]
    else:
        levels = [new.level] if new.level is not None else range(1, channel_levels()["direct"] + 1)
        profiles = [(level, None) for level in levels]
        profiles += [(level, sid) for sid, level in sorted(seller_levels.items()) if level in levels]
    # the months some plan starts or ends in (not on the 1st) while the new one is in force
    months = {Month.of(day) for p in placed for day in (p.valid_from, p.valid_to) if day is not None and day.day != 1}
    months = sorted(m for m in months if new.valid_from < m.end and (new.valid_to is None or new.valid_to > m.start))
    cap = direct_cap_bp()

    def named(p: PlacedPlan) -> str:
        return p.spec.name.strip() if p.key == "new" else f"{p.spec.name} v{db.session.get(CommissionPlan, p.key).version}"

    for month in months:
        for level, seller_id in profiles:
            mixed = mixed_month_rate(placed, month.start, month.end, level, seller_id)
            if mixed is None or mixed[0] <= cap or "new" not in (mixed[1].key, mixed[2].key):
                continue
            rate, base, end = mixed
            raise PlanRefused([Check("valid_from", N_(
                "%(month)s 有两个方案先后生效：按“%(base)s”的基础费率，加上月末方案“%(end)s”的阶梯和奖励，直销人员该月的报酬"
                "最多可达本人销售额的 %(rate)s%%，超过了 %(cap)s%% 的上限（《直销管理条例》）。请让新版本从月初开始，或降低费率。"),
                {"month": str(month), "base": named(base), "end": named(end), "rate": shown_percent(rate),
                 "cap": bp_to_percent(cap)}, False)])


def _fill(plan: CommissionPlan, spec: PlanSpec, seller: Seller | None) -> None:
    rates = list(spec.override_rates_bp) + [0, 0, 0]
    plan.name, plan.channel, plan.level = spec.name.strip(), spec.channel, spec.level
    plan.seller_id = seller.id if seller else None
    plan.valid_from, plan.valid_to = spec.valid_from, spec.valid_to
    plan.order_kind, plan.base_kind, plan.base_rate_bp = spec.order_kind, spec.base_kind, spec.base_rate_bp
    plan.tier_mode = spec.tier_mode
    plan.override_r1_bp, plan.override_r2_bp, plan.override_r3_bp = rates[:3]
    plan.qualify_min_fen, plan.qualify_mode = spec.qualify_min_fen, spec.qualify_mode
    plan.bonus_scope, plan.bonus_target_fen, plan.bonus_fen = spec.bonus_scope, spec.bonus_target_fen, spec.bonus_fen
    plan.tiers = [PlanTier(from_fen=t.from_fen, to_fen=t.to_fen, rate_bp=t.rate_bp, certification_code=t.certification)
                  for t in sorted(spec.tiers, key=lambda t: t.from_fen)]
    plan.category_rates = [PlanCategoryRate(category=c, rate_bp=r) for c, r in sorted(spec.category_rates.items())]


def _same(plan: CommissionPlan, spec: PlanSpec, seller: Seller | None) -> bool:
    """True when saving `spec` would change nothing of version `plan`."""
    overrides = tuple(spec.override_rates_bp)
    while overrides and not overrides[-1]:
        overrides = overrides[:-1]
    wanted = replace(spec, name=spec.name.strip(), seller_code=seller.code if seller else None,
                     tiers=tuple(sorted(spec.tiers, key=lambda t: t.from_fen)), override_rates_bp=overrides)
    return spec_of(plan) == wanted


def _next_version(family_id: int) -> int:
    return (db.session.scalar(select(func.max(CommissionPlan.version)).where(
        CommissionPlan.family_id == family_id)) or 0) + 1


def _end_after_room(old: CommissionPlan, start: date) -> date | None:
    """Version `old`'s end once it gives way to a new version starting `start`: that day when it
    was in force then, its own end when it had already ended (an ended version is never
    extended); None when the new one starts on or before its own start (it is superseded)."""
    if start <= old.valid_from:
        return None
    return start if old.valid_to is None or old.valid_to > start else old.valid_to


def _make_room(old: CommissionPlan, start: date) -> None:
    """Version `old` gives way to a new version starting `start` (`_end_after_room`)."""
    end = _end_after_room(old, start)
    if end is None:
        old.status = "superseded"
    else:
        old.valid_to = end


def _family_room(family_id: int, spec: PlanSpec) -> tuple[CommissionPlan | None, list[CommissionPlan]]:
    """For a new version of family `family_id` in force over [spec.valid_from, spec.valid_to):
    the family's version in force on its first day that started earlier (it will end that day),
    and the versions starting within the new one's span and ending within it (the new version
    supersedes them). A version reaching past the new one's end stays, and the overlap check
    then refuses the import."""
    versions = db.session.scalars(select(CommissionPlan).where(
        CommissionPlan.family_id == family_id, CommissionPlan.status == "active")).all()
    start, end = spec.valid_from, spec.valid_to
    earlier = next((v for v in versions if v.valid_from < start and (v.valid_to is None or v.valid_to > start)), None)
    covered = [v for v in versions if v.valid_from >= start and (end is None or (v.valid_to is not None and v.valid_to <= end))]
    return earlier, covered


def check_editable(plan: CommissionPlan) -> None:
    """Conflict when version `plan` may not be changed any more (superseded): the edit page says
    so before anything is typed, and save_plan refuses it."""
    if plan.status != "active":
        raise Conflict(N_("这是一个已被取代的旧版本，不能修改：请修改最新版本。"))


def save_plan(spec: PlanSpec, *, plan_id: int | None = None, actor_id: int | None = None,
              commit: bool = True, family: CommissionPlan | None = None, retroactive: bool = False) -> CommissionPlan:
    """Create a plan, or change version `plan_id`. Raises PlanRefused (every failed guardrail),
    Conflict (dates overlap another active version for the same target), NotFound.

    Saving a version unchanged does nothing. Changing a version some ledger line used makes a
    new version (the family's highest number + 1) from `spec.valid_from`; the old version then
    ends that day if it was still in force (or, when the new one starts on or before the old
    one's start, is superseded entirely: re-runs of its months then post adjustments). A version
    is never extended. `family` (for imports): add `spec` as a new version of that plan's family
    instead of creating a new plan; the family's version in force on `spec.valid_from` makes
    room the same way. A new version taking over days of a month whose posted lines used the
    version it replaces is refused (Conflict on valid_from) unless `retroactive`."""
    validate_plan(spec, direct_cap_bp(), channel_levels())
    seller = _seller_for(spec)
    old = None
    if plan_id is not None:
        old = db.session.get(CommissionPlan, plan_id)
        if old is None:
            raise NotFound(N_("没有这个提成方案。"))
        check_editable(old)
        if _same(old, spec, seller):
            return old
    covered: list[CommissionPlan] = []
    if family is not None:
        old, covered = _family_room(family.family_id, spec)
    _check_overlap(spec, seller.id if seller else None, {v.id for v in [old, *covered] if v is not None})
    in_place = plan_id is not None and not is_used(old.id)
    gone, ends = {v.id for v in covered}, {}  # the family as it will be once saved
    if old is not None:
        end = None if in_place else _end_after_room(old, spec.valid_from)
        if end is None:
            gone.add(old.id)
        else:
            ends[old.id] = end
    _check_direct_months(spec, seller, gone, ends)
    if not in_place and not retroactive:
        _check_not_retroactive(spec, [v for v in [old, *covered] if v is not None])
    if in_place:
        _fill(old, spec, seller)
        plan, action = old, "plan.edit"
    else:
        plan = CommissionPlan(version=1, status="active", created_by_id=actor_id)
        _fill(plan, spec, seller)
        action = "plan.create"
        kin = old or family
        if kin is not None:
            plan.family_id, plan.version, action = kin.family_id, _next_version(kin.family_id), "plan.new_version"
        if old is not None:
            _make_room(old, spec.valid_from)
        for version in covered:
            version.status = "superseded"
        db.session.add(plan)
        db.session.flush()
        if plan.family_id is None:
            plan.family_id = plan.id
    db.session.flush()
    audit.record(actor_id, action, "commission_plan", plan.id, {
        "family_id": plan.family_id, "version": plan.version, "replaces": old.id if old else None,
        "plan": plan_to_json(plan),
    })
    if commit:
        db.session.commit()
    return plan


def unknown_certifications(plan: CommissionPlan) -> list[str]:
    """The certification codes the plan's tiers require that no seller holds and no training
    grants: such a bracket cannot be earned yet (a typo, or a course still to be set up). The
    plan page and the import say so; the plan is saved all the same."""
    from models.selling import Certification, Training

    wanted = {t.certification_code for t in plan.tiers if t.certification_code}
    if not wanted:
        return []
    known = set(db.session.scalars(select(Certification.code).where(Certification.code.in_(wanted)).distinct()))
    known |= set(db.session.scalars(select(Training.certification_code).where(
        Training.certification_code.in_(wanted)).distinct()))
    return sorted(wanted - known)


def unknown_categories(plan: CommissionPlan) -> list[str]:
    """The categories the plan rates that no product has: such a rate is never applied (a typo,
    or products still to be imported). The plan form and the import say so; the plan is saved
    all the same."""
    from models.catalog import Product

    wanted = {c.category for c in plan.category_rates}
    if not wanted:
        return []
    known = set(db.session.scalars(select(Product.category).where(Product.category.in_(wanted)).distinct()))
    return sorted(wanted - known)


def get_plan(plan_id: int) -> CommissionPlan:
    plan = db.session.get(CommissionPlan, plan_id)
    if plan is None:
        raise NotFound(N_("没有这个提成方案。"))
    return plan


def plans_query(include_superseded: bool = False):
    """SELECT of the plans by channel, level, family and version (the plan list and its export)."""
    query = select(CommissionPlan).order_by(CommissionPlan.channel, CommissionPlan.level, CommissionPlan.family_id,
                                            CommissionPlan.version)
    if not include_superseded:
        query = query.where(CommissionPlan.status == "active")
    return query


def list_plans(include_superseded: bool = False) -> list[CommissionPlan]:
    return list(db.session.scalars(plans_query(include_superseded)))


def versions_of(plan: CommissionPlan) -> list[CommissionPlan]:
    return list(db.session.scalars(select(CommissionPlan).where(CommissionPlan.family_id == plan.family_id)
                                   .order_by(CommissionPlan.version)))


# --- JSON -------------------------------------------------------------------------------------

def plan_to_json(plan: CommissionPlan) -> dict:
    spec = spec_of(plan)
    return {
        "name": spec.name, "version": plan.version, "channel": spec.channel, "level": spec.level,
        "seller_code": spec.seller_code, "valid_from": spec.valid_from.isoformat(),
        "valid_to": spec.valid_to.isoformat() if spec.valid_to else None, "order_kind": spec.order_kind,
        "base_kind": spec.base_kind, "base_rate_bp": spec.base_rate_bp, "category_rates": spec.category_rates,
        "tier_mode": spec.tier_mode,
        "tiers": [{"from_fen": t.from_fen, "to_fen": t.to_fen, "rate_bp": t.rate_bp, "certification": t.certification}
                  for t in spec.tiers],
        "override_rates_bp": list(spec.override_rates_bp), "qualify_min_fen": spec.qualify_min_fen,
        "qualify_mode": spec.qualify_mode, "bonus_scope": spec.bonus_scope,
        "bonus_target_fen": spec.bonus_target_fen, "bonus_fen": spec.bonus_fen, "recruit_bonus_fen": 0,
    }


def export_plans() -> dict:
    """Every active version, in the documented format (docs/plans-json.md)."""
    return {"format": EXPORT_FORMAT, "plans": [plan_to_json(p) for p in list_plans()]}


def spec_from_json(data: dict, index: int = 1) -> PlanSpec:
    """A PlanSpec from one plan object; DomainError naming the plan and the field when malformed."""
    def need(key, kind, default=...):
        value = data.get(key, default)
        if value is ... or (value is None and default is ...):
            raise DomainError(N_("第 %(n)s 个方案缺少字段 %(key)s。"), field=key, n=index, key=key)
        # null only where the field may be empty (default None): "tiers": null is not a list
        if value is None and default is not None or value is not None and not isinstance(value, kind) \
                or isinstance(value, bool):
            raise DomainError(N_("第 %(n)s 个方案的字段 %(key)s 类型不对。"), field=key, n=index, key=key)
        return value

    def whole(value, key: str, optional: bool = False) -> int | None:
        """A whole number as JSON writes it (1250, not 1250.5, "1250" or true)."""
        if value is None and optional:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise DomainError(N_("第 %(n)s 个方案的 %(key)s 必须是整数（%(value)s）。"), field=key, n=index, key=key,
                              value=shorten(json.dumps(value, ensure_ascii=False)))
        return value

    def day(key, optional=False):
        raw = need(key, str, None if optional else ...)
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise DomainError(N_("第 %(n)s 个方案的日期 %(key)s 应写成 YYYY-MM-DD。"), field=key, n=index, key=key) from None

    tiers = []
    for number, t in enumerate(need("tiers", list, []), start=1):
        if not isinstance(t, dict) or "from_fen" not in t or "rate_bp" not in t:
            raise DomainError(N_("第 %(n)s 个方案的第 %(tier)s 档格式不对：需要 from_fen、to_fen、rate_bp。"), field="tiers",
                              n=index, tier=number)
        certification = t.get("certification")
        if certification is not None and not isinstance(certification, str):
            raise DomainError(N_("第 %(n)s 个方案的字段 %(key)s 类型不对。"), field="tiers", n=index,
                              key="tiers.certification")
        tiers.append(Tier(whole(t["from_fen"], "tiers.from_fen"), whole(t.get("to_fen"), "tiers.to_fen", optional=True),
                          whole(t["rate_bp"], "tiers.rate_bp"), certification or None))
    categories = {str(k): whole(v, "category_rates") for k, v in need("category_rates", dict, {}).items()}
    overrides = tuple(whole(r, "override_rates_bp") for r in need("override_rates_bp", list, []))
    return PlanSpec(
        name=need("name", str), channel=need("channel", str), level=need("level", int, None),
        valid_from=day("valid_from"), valid_to=day("valid_to", optional=True),
        seller_code=need("seller_code", str, None), order_kind=need("order_kind", str, "sell_out"),
        base_kind=need("base_kind", str, "revenue"), base_rate_bp=need("base_rate_bp", int, None),
        category_rates=categories, tier_mode=need("tier_mode", str, "marginal"), tiers=tuple(tiers),
        override_rates_bp=overrides, qualify_min_fen=need("qualify_min_fen", int, 0),
        qualify_mode=need("qualify_mode", str, "skip"), bonus_scope=need("bonus_scope", str, "personal"),
        bonus_target_fen=need("bonus_target_fen", int, 0), bonus_fen=need("bonus_fen", int, 0),
        recruit_bonus_fen=need("recruit_bonus_fen", int, 0),
    )


@dataclass(frozen=True)
class ImportedPlan:
    """A plan of an import file and what became of it: 'created' (a new plan), 'new_version'
    (of a plan with its name and target), 'changed' (a version no ledger line used, edited in
    place) or 'unchanged'."""

    plan: CommissionPlan
    action: str


def import_plans(payload: dict | str | bytes, *, actor_id: int | None = None,
                 commit: bool = True, retroactive: bool = False) -> list[ImportedPlan]:
    """Import plans from the export format, all or nothing, in the file's order. A plan is
    matched to an active version of the same name and target (channel, level, seller):
    - one starting the same day: unchanged when equal, else changed as the plan form would
      change it (in place if no ledger line used it, else a new version replacing it);
    - else it becomes a new version of that plan (the version in force on its first day ends
      then), or a new plan when no plan has that name and target.
    So an installation's own export imports as no change, and an export with several versions
    of a plan recreates them all elsewhere. A version re-pricing months already posted is refused
    unless `retroactive` (as in save_plan). Raises DomainError (the message names the plan's
    position) and leaves nothing saved."""
    payload = _read_payload(payload)
    saved: list[ImportedPlan] = []
    try:
        for index, data in enumerate(payload["plans"], start=1):
            try:
                saved.append(_import_one(data, index, actor_id, retroactive))
            except DomainError as error:
                error.params = {**error.params, "n": error.params.get("n", index)}
                error.plan_index = index  # see plan_position: a check's own n (a tier's number) is not it
                raise
        if not commit:
            return saved
        audit.record(actor_id, "plan.import", "commission_plan", None, {
            "plans": [i.plan.id for i in saved], "actions": [i.action for i in saved]})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return saved


def _read_payload(payload: dict | str | bytes) -> dict:
    """The parsed export document: bytes are read as UTF-8 (with or without a BOM), else GB18030
    (files saved by Chinese Windows tools); DomainError when not JSON or not the format."""
    if isinstance(payload, bytes):
        try:
            payload = payload.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                payload = payload.decode("gb18030")
            except UnicodeDecodeError:
                raise DomainError(N_("文件编码无法识别：请保存为 UTF-8。"), field="file") from None
    if isinstance(payload, str):
        try:
            payload = json.loads(payload.lstrip("\ufeff"))
        except json.JSONDecodeError:
            raise DomainError(N_("文件不是有效的 JSON。"), field="file") from None
    if not isinstance(payload, dict) or payload.get("format") != EXPORT_FORMAT or not isinstance(payload.get("plans"), list):
        raise DomainError(N_("文件格式不对：需要 {\"format\": \"%(format)s\", \"plans\": [...]}。"), field="file",
                          format=EXPORT_FORMAT)
    return payload


def _import_one(data, index: int, actor_id: int | None, retroactive: bool) -> ImportedPlan:
    if not isinstance(data, dict):
        raise DomainError(N_("第 %(n)s 个方案不是一个对象。"), field="file", n=index)
    spec = spec_from_json(data, index)
    seller = _seller_for(spec)
    same_target = (
        CommissionPlan.status == "active", CommissionPlan.name == spec.name.strip(),
        CommissionPlan.channel == spec.channel,
        CommissionPlan.level.is_(None) if spec.level is None else CommissionPlan.level == spec.level,
        CommissionPlan.seller_id.is_(None) if seller is None else CommissionPlan.seller_id == seller.id,
    )
    same_start = db.session.scalar(select(CommissionPlan).where(
        *same_target, CommissionPlan.valid_from == spec.valid_from).limit(1))
    if same_start is not None:
        if _same(same_start, spec, seller):
            return ImportedPlan(same_start, "unchanged")
        plan = save_plan(spec, plan_id=same_start.id, actor_id=actor_id, commit=False, retroactive=retroactive)
        return ImportedPlan(plan, "changed" if plan.id == same_start.id else "new_version")
    family = db.session.scalar(select(CommissionPlan).where(*same_target)
                               .order_by(CommissionPlan.valid_from.desc()).limit(1))
    plan = save_plan(spec, family=family, actor_id=actor_id, commit=False, retroactive=retroactive)
    return ImportedPlan(plan, "new_version" if family is not None else "created")


def plan_position(error: DomainError) -> int | None:
    """The file position of the plan an import error is about, when its message does not say it
    already (the plan page and the CLI then put "第 n 个方案：" before it). A guardrail's message
    never names the plan, even when it numbers something of its own ("第 1 档与第 2 档重叠")."""
    index = getattr(error, "plan_index", None)
    if index is None or (not isinstance(error, PlanRefused) and "%(n)s" in error.message):
        return None
    return index


def what_if(period: str, payload: dict | str | bytes, *, actor_id: int | None = None):
    """Preview month `period` as if the plans in `payload` (the export format) were saved:
    they are saved in the run's transaction, which the preview then rolls back. Returns the
    RunOutcome: what would be posted compared with what is posted."""
    from channel.services.commissions_run import run_period

    try:
        import_plans(payload, actor_id=actor_id, commit=False, retroactive=True)  # re-pricing is the point
        return run_period(period, actor_id=actor_id, preview=True)
    finally:
        db.session.rollback()


# --- Period locks -------------------------------------------------------------------------------

def is_locked(period: str) -> bool:
    return db.session.get(PeriodLock, period) is not None


def lock_period(period: str, *, actor_id: int | None = None, reason: str | None = None, commit: bool = True) -> PeriodLock:
    """Lock a month (the payouts feature calls this on approval): no run posts in it any more."""
    from channel.domain.periods import Month

    period = str(Month.parse(period))
    if is_locked(period):
        raise Conflict(N_("期间 %(period)s 已经锁定。"), field="period", period=period)
    lock = PeriodLock(period=period, locked_by_id=actor_id, reason=reason)
    db.session.add(lock)
    audit.record(actor_id, "period.lock", "period", period, {"reason": reason})
    if commit:
        db.session.commit()
    return lock


# --- Demo -------------------------------------------------------------------------------------

def demo_plan_specs(start: date) -> list[PlanSpec]:
    """A modest, compliant policy: stepped rebates for city agents and resellers with overrides
    to three upline levels, and a capped plan for direct reps."""
    return [
        PlanSpec(name="分销商返利", channel="agent", level=4, valid_from=start, base_rate_bp=300,
                 tier_mode="marginal", tiers=(Tier(0, 5_000_000, 0), Tier(5_000_000, 20_000_000, 100),
                                             Tier(20_000_000, None, 200)),
                 override_rates_bp=(200, 100, 50), qualify_min_fen=1_000_000, qualify_mode="compress"),
        PlanSpec(name="市代返利", channel="agent", level=3, valid_from=start, base_rate_bp=400,
                 tier_mode="whole", tiers=(Tier(0, 10_000_000, 0), Tier(10_000_000, None, 100, "PRODUCT-101")),
                 override_rates_bp=(200, 100), qualify_min_fen=0, qualify_mode="skip",
                 bonus_scope="team", bonus_target_fen=50_000_000, bonus_fen=500_000),
        PlanSpec(name="直销代表提成", channel="direct", level=3, valid_from=start, base_rate_bp=500,
                 tiers=(Tier(0, 10_000_000, 0), Tier(10_000_000, None, 200)), override_rates_bp=(100, 50),
                 bonus_target_fen=5_000_000, bonus_fen=100_000),
    ]


def install_demo_plans(start: date = date(2025, 1, 1), *, commit: bool = True) -> list[CommissionPlan]:
    """Install the demo plan set (idempotent: does nothing when plans exist)."""
    if db.session.scalar(select(CommissionPlan.id).limit(1)) is not None:
        return []
    plans = [save_plan(spec, commit=False) for spec in demo_plan_specs(start)]
    if commit:
        db.session.commit()
    return plans
