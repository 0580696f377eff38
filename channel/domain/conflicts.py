"""Channel-conflict rules that need no database: case life cycle, customer identity matching,
distances between districts, SLA age, and the money a ruling moves.

The set-based detection itself lives in channel/services/conflicts.py (SQL); what SQL cannot
do well (fuzzy names, great-circle distance) is here, applied to the few candidates SQL found.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rapidfuzz import fuzz, process

from channel.domain.errors import DomainError, Label, N_
from channel.domain.money import apply_rate_bp

SEVERITIES = ("low", "medium", "high")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

# open → investigating → confirmed | dismissed. A case may be dismissed straight from open (a
# false alarm), a confirmed case may still be dismissed on appeal, a dismissed one reopened.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("investigating", "dismissed"),
    "investigating": ("confirmed", "dismissed", "open"),
    "confirmed": ("dismissed",),
    "dismissed": ("investigating",),
}


# A case status as people read it (msgids: the pages translate them, errors name them).
STATUS_LABELS = {"open": N_("待处理"), "investigating": N_("调查中"), "confirmed": N_("已确认"), "dismissed": N_("已驳回")}
# Rulings that change people's pay: they need a written reason.
RULINGS_NEEDING_NOTE = ("confirmed", "dismissed")


def status_label(status: str) -> Label:
    return Label(STATUS_LABELS.get(status, status))


# A conflict rule as people read it (msgids: the pages translate them, errors name them).
RULE_LABELS = {"cross_territory": N_("串货（跨区销售）"), "code_diversion": N_("一物一码窜货"),
               "fake_code": N_("假码 / 复制码"), "duplicate_claim": N_("撞单"), "price_violation": N_("乱价")}
ALL_RULES_LABEL = N_("全部规则")


def rule_label(rule: str | None) -> Label:
    return Label(RULE_LABELS.get(rule, rule) if rule else ALL_RULES_LABEL)


def check_policy_fits(case_rule: str, policy_name: str, policy_rule: str | None, policy_active: bool,
                      field: str = "policy_id") -> None:
    """A case is ruled only by an active policy written for its rule or for every rule (rule
    None): DomainError on `field` otherwise. A deactivated policy keeps the cases it ruled; it
    rules no new one."""
    if not policy_active:
        raise DomainError(N_("政策“%(name)s”已停用，不能再用于处理案件：请另选政策。"), field=field, name=policy_name)
    if policy_rule is not None and policy_rule != case_rule:
        raise DomainError(N_("政策“%(name)s”适用于“%(policy_rule)s”，本案件属于“%(case_rule)s”：请选择适用于该规则或全部规则的政策。"),
                          field=field, name=policy_name, policy_rule=rule_label(policy_rule),
                          case_rule=rule_label(case_rule))


def check_transition(current: str, new: str, note: str | None = None) -> None:
    """Raise DomainError unless a case may go from `current` to `new` (field 'status'), and
    unless a confirmation or a dismissal says why (field 'note')."""
    if new not in TRANSITIONS.get(current, ()):
        raise DomainError(N_("案件不能从“%(current)s”改为“%(new)s”。"), field="status",
                          current=status_label(current), new=status_label(new))
    if new in RULINGS_NEEDING_NOTE and not (note or "").strip():
        raise DomainError(N_("确认或驳回案件会影响佣金：请写明理由。"), field="note")


def worse(a: str, b: str) -> str:
    return a if SEVERITY_RANK[a] >= SEVERITY_RANK[b] else b


EARTH_RADIUS_KM = 6371.0088


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (haversine) distance between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# ---- customer identity (撞单) ---------------------------------------------------------------

@dataclass(frozen=True)
class Identity:
    """A customer or a registered prospect, already normalised (customers.normalize_name /
    normalize_phone / clean_credit_code)."""

    key: int
    name_norm: str
    phone_norm: str = ""
    credit_code: str | None = None


NAME_WEIGHT, PHONE_WEIGHT = 60, 40  # percent, when both sides have a phone


def match_score(a: Identity, b: Identity) -> tuple[int, str]:
    """How sure we are that `a` and `b` are one customer, 0..100, and why.

    The same credit code is 100 ('credit_code') whatever the names say; two different credit
    codes are 0. Otherwise ('name_phone') the rapidfuzz ratio of the normalised names, blended
    60/40 with phone equality when both have a phone (a missing phone neither helps nor hurts).
    """
    if a.credit_code and b.credit_code:
        return (100, "credit_code") if a.credit_code == b.credit_code else (0, "credit_code")
    name = fuzz.ratio(a.name_norm, b.name_norm)
    if a.phone_norm and b.phone_norm:
        phone = 100 if a.phone_norm == b.phone_norm else 0
        return round((NAME_WEIGHT * name + PHONE_WEIGHT * phone) / 100), "name_phone"
    return round(name), "name_phone"


def matches(candidates: list[Identity], registered: list[Identity], threshold: int) -> list[tuple[int, int, int, str]]:
    """Every (candidate key, registered key, score, reason) with score >= `threshold`.

    Names are compared with rapidfuzz's `process.extract` (C speed, one call per candidate over
    every registered name); only the pairs whose name ratio could reach the threshold, or that
    share a credit code, are scored one by one.
    """
    if not candidates or not registered:
        return []
    found: list[tuple[int, int, int, str]] = []
    # With a phone both sides, the name must reach (threshold - 40) / 0.6 to pass at all.
    name_floor = max(0.0, (threshold - PHONE_WEIGHT) * 100 / NAME_WEIGHT)
    names = [r.name_norm for r in registered]
    by_credit: dict[str, list[int]] = {}
    for j, reg in enumerate(registered):
        if reg.credit_code:
            by_credit.setdefault(reg.credit_code, []).append(j)
    for cand in candidates:
        close = process.extract(cand.name_norm, names, scorer=fuzz.ratio, score_cutoff=name_floor, limit=None)
        columns = {index for _name, _score, index in close}
        columns.update(by_credit.get(cand.credit_code or "", ()))
        for j in sorted(columns):
            score, reason = match_score(cand, registered[j])
            if score >= threshold:
                found.append((cand.key, registered[j].key, score, reason))
    return found


def check_registration_date(on: date, today: date, max_age_days: int) -> None:
    """A registration is dated today or up to `max_age_days` back (a late report of a visit), never
    in the future: DomainError on 'registered_on' otherwise. `today` is the business day
    (Asia/Shanghai)."""
    if on > today:
        raise DomainError(N_("报备日期不能晚于今天（%(today)s）。"), field="registered_on", today=today.isoformat())
    first = today - timedelta(days=max_age_days)
    if on < first:
        raise DomainError(N_("报备日期不能早于 %(first)s：只能补报 %(days)s 天内的报备。"), field="registered_on",
                          first=first.isoformat(), days=max_age_days)


def protected_until(registered_on: date, days: int) -> date:
    """The first day a registration no longer protects (exclusive end)."""
    if days <= 0:
        raise DomainError(N_("保护期必须大于 0 天。"), field="protection_days")
    return registered_on + timedelta(days=days)


def protection_lapses_on(registered_on: date, protected_until: date, seller_active: bool,
                         seller_deactivated_on: date | None) -> date | None:
    """The day a registration stopped protecting its customer because its seller was deactivated
    before the protection period ended, else None. The row stays (history) but protects nobody
    from the day of the deactivation: it blocks no other seller's registration and is no 撞单
    claim. An inactive seller with no deactivation date never protected."""
    if seller_active:
        return None
    day = max(seller_deactivated_on or registered_on, registered_on)
    return day if day < protected_until else None


def protects_on(registered_on: date, protected_until: date, lapses_on: date | None, on: date) -> bool:
    """Whether a registration protects its customer on `on` (lapses_on: protection_lapses_on)."""
    return registered_on <= on < protected_until and (lapses_on is None or on < lapses_on)


# ---- cases ----------------------------------------------------------------------------------

def age_days(opened_at: datetime, now: datetime) -> int:
    return max(0, (now - opened_at).days)


def overdue(status: str, opened_at: datetime, now: datetime, sla_days: int) -> bool:
    """An open or investigating case older than the SLA."""
    return status in ("open", "investigating") and age_days(opened_at, now) > sla_days


def protection_fee_fen(offending_amount_fen: int, fee_bp: int) -> int:
    """The territory-protection fee credited to the harmed party: basis points of the offending
    lines' amount, rounded half-up once."""
    return apply_rate_bp(offending_amount_fen, fee_bp) if fee_bp else 0
