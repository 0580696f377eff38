"""Conflict use cases: unit codes and scans, customer registrations, case rulings, and the
effect of a ruling on pay (ledger holds, and the effects the commission run posts).

Each public use case commits once (or not at all with `commit=False`). Access decisions come
from channel/services/access.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import literal, select, text, update

from channel.domain import conflicts as rules
from channel.domain.customers import clean_credit_code, normalize_name, normalize_phone
from channel.domain.errors import Conflict, DomainError, N_, NotFound
from channel.domain.money import MAX_AMOUNT_FEN, format_fen
from channel.domain.periods import Month
from channel.services import conflicts as detection
from channel.services.access import CASE_RULERS, require_case, require_case_ruler
from channel.services.audit import record
from channel.services.clock import business_today
from models import db, utcnow
from models.commissions import LedgerHold, LedgerLine
from models.conflicts import (ACTION_FORFEIT, ACTION_HOLD, ACTIVE_STATUSES, CODE_CASE, CODE_UNIT, SCANNER_KINDS,
                              STATUS_CONFIRMED, STATUS_DISMISSED, STATUS_INVESTIGATING, CodeScan, CodeShipment,
                              ConflictCase, ConflictEvent, ConflictEvidence, ConflictPolicy, CustomerRegistration,
                              UnitCode)
from models.sales import OrderLine
from models.territory import Territory
from models.tree import Seller
from models.users import User

# ---- unit codes (一物一码) ------------------------------------------------------------------


def add_codes(product_id: int, codes: list[str], case_code: str | None = None, commit: bool = True) -> list[int]:
    """Create unit codes of `product_id`, packed into a new case code when `case_code` is given.
    Returns the unit ids. Conflict when a code already exists."""
    if not codes:
        raise DomainError(N_("至少需要一个码。"), field="codes")
    wanted = list(codes) + ([case_code] if case_code else [])
    if len(set(wanted)) != len(wanted):
        raise DomainError(N_("码不能重复。"), field="codes")
    taken = db.session.scalars(select(UnitCode.code).where(UnitCode.code.in_(wanted)).limit(1)).first()
    if taken:
        raise Conflict(N_("码 %(code)s 已存在。"), field="codes", code=taken)
    case_id = None
    if case_code:
        case = UnitCode(code=case_code, kind=CODE_CASE, product_id=product_id)
        db.session.add(case)
        db.session.flush()
        case_id = case.id
    units = [UnitCode(code=c, kind=CODE_UNIT, product_id=product_id, case_id=case_id) for c in codes]
    db.session.add_all(units)
    db.session.flush()
    ids = [u.id for u in units]
    if commit:
        db.session.commit()
    return ids


def ship_codes(agent_id: int, codes: list[str], shipped_on: date, order_line_id: int | None = None,
               commit: bool = True) -> list[int]:
    """Bind unit or case codes to the agent receiving them (a sell-in). Returns shipment ids."""
    agent = db.session.get(Seller, agent_id)
    if agent is None or agent.channel != "agent":
        raise DomainError(N_("收货方必须是代理。"), field="agent_id")
    if order_line_id is not None:
        line = db.session.get(OrderLine, order_line_id)
        if line is None or line.kind != "sell_in" or line.seller_id != agent_id:
            raise DomainError(N_("订单行必须是这个代理的进货单。"), field="order_line_id")
    found = dict(db.session.execute(select(UnitCode.code, UnitCode.id).where(UnitCode.code.in_(codes))).all())
    missing = [c for c in codes if c not in found]
    if missing:
        raise DomainError(N_("没有码 %(code)s。"), field="codes", code=missing[0])
    shipments = [CodeShipment(code_id=found[c], agent_id=agent_id, order_line_id=order_line_id, shipped_on=shipped_on)
                 for c in codes]
    db.session.add_all(shipments)
    db.session.flush()
    ids = [s.id for s in shipments]
    if commit:
        db.session.commit()
    return ids


@dataclass(frozen=True)
class ScanInput:
    code: str
    district_id: int
    scanned_at: datetime  # naive UTC
    scanner_kind: str
    scanned_by: str | None = None


def record_scans(scans: list[ScanInput], detect: bool = True, commit: bool = True) -> list[int]:
    """Store scans (an unknown code is stored too: it is evidence of a fake) and, unless
    `detect` is False, run the rules over them at once. Returns the scan ids."""
    from channel.web import SHANGHAI
    from datetime import timezone

    known = dict(db.session.execute(select(UnitCode.code, UnitCode.id).where(
        UnitCode.code.in_({s.code for s in scans}))).all())
    districts = set(db.session.scalars(select(Territory.id).where(Territory.id.in_({s.district_id for s in scans}))))
    rows = []
    for number, scan in enumerate(scans, start=1):
        if scan.scanner_kind not in SCANNER_KINDS:
            raise DomainError(N_("第 %(n)s 行：扫码人类型必须是 retailer、inspector 或 consumer。"), field="scanner_kind", n=number)
        if scan.district_id not in districts:
            raise DomainError(N_("第 %(n)s 行：没有这个行政区划。"), field="district_id", n=number)
        local_day = scan.scanned_at.replace(tzinfo=timezone.utc).astimezone(SHANGHAI).date()
        rows.append(CodeScan(code_text=scan.code, code_id=known.get(scan.code), district_id=scan.district_id,
                             scanned_at=scan.scanned_at, scanned_on=local_day, scanner_kind=scan.scanner_kind,
                             scanned_by=scan.scanned_by))
    db.session.add_all(rows)
    db.session.flush()
    ids = [r.id for r in rows]
    detection.bind_new_scans(ids)
    if detect:
        detection.scan_new(scan_ids=ids, commit=False)
    if commit:
        db.session.commit()
    return ids


def code_journey(code_id: int) -> dict:
    """A unit's journey: the code, its case, shipments (of it or its case) and scans (of it or
    its case), oldest first."""
    unit = db.session.get(UnitCode, code_id)
    if unit is None:
        raise NotFound(N_("没有这个码。"))
    ids = [unit.id] + ([unit.case_id] if unit.case_id else [])
    shipments = db.session.scalars(select(CodeShipment).where(CodeShipment.code_id.in_(ids))
                                   .order_by(CodeShipment.shipped_on, CodeShipment.id)).all()
    scans = db.session.scalars(select(CodeScan).where(CodeScan.code_id.in_(ids))
                               .order_by(CodeScan.scanned_at, CodeScan.id)).all()
    return {"unit": unit, "case": db.session.get(UnitCode, unit.case_id) if unit.case_id else None,
            "shipments": shipments, "scans": scans}


# ---- customer registrations (客户报备) -------------------------------------------------------

@dataclass
class Clash:
    registration: CustomerRegistration
    score: int
    reason: str


def check_registration(seller_id: int, name: str, phone: str | None, credit_code: str | None,
                       on: date, protection_days: int | None = None) -> list[Clash]:
    """Registrations of other sellers that protect the same customer on `on`, one per seller (its
    best match), best first (nothing saved). A deactivated seller's registrations protect nobody
    from the day of its deactivation (detection.registration_clashes).
    DomainError on 'registered_on' when `on` is in the future or older than
    CONFLICT_REGISTRATION_MAX_AGE_DAYS (domain.conflicts.check_registration_date). Conflict on
    'name' when `seller_id` itself already registered the same customer for a protection period
    overlapping the new one (from `on` for `protection_days`, else CONFLICT_PROTECTION_DAYS):
    one seller holds one registration of a customer at a time, so a re-registration neither
    stretches the protection nor opens a second 撞单 case for one sale."""
    rules.check_registration_date(on, business_today(), detection.setting("CONFLICT_REGISTRATION_MAX_AGE_DAYS"))
    code = clean_credit_code(credit_code)
    name_norm, phone_norm = normalize_name(name), normalize_phone(phone)
    until = rules.protected_until(on, protection_days or detection.setting("CONFLICT_PROTECTION_DAYS"))
    own = detection.own_registrations_overlapping(seller_id, name_norm, phone_norm, code, on, until)
    if own:
        held = db.session.get(CustomerRegistration, own[0][0])
        raise Conflict(N_("这个销售方已报备过该客户（%(name)s，%(on)s 报备，保护期至 %(until)s），保护期内不能重复报备。"),
                       field="name", name=held.customer_name, on=held.registered_on.isoformat(),
                       until=held.protected_until.isoformat())
    clashes: dict[int, Clash] = {}  # one per other seller (its best match): the list names each seller once
    for reg, score, reason in detection.registration_clashes(seller_id, name_norm, phone_norm, code, on):
        registration = db.session.get(CustomerRegistration, reg)
        clashes.setdefault(registration.seller_id, Clash(registration, score, reason))
    return list(clashes.values())


def register_customer(*, seller_id: int, name: str, phone: str | None = None, credit_code: str | None = None,
                      district_id: int | None = None, customer_id: int | None = None, on: date,
                      created_by_id: int | None = None, accept_clash: bool = False,
                      protection_days: int | None = None, commit: bool = True) -> CustomerRegistration:
    """Register a prospect for `seller_id` from `on` for the configured protection period.

    DomainError on 'seller_id' for an unknown or deactivated seller; the checks of
    check_registration (dates, the seller's own running registration of the customer) apply.
    When another seller already protects the same customer, Conflict is raised unless
    `accept_clash` (the user saw the clash and registers anyway): then the registration is saved
    and a duplicate-claim case opened against it at once."""
    if not name or not name.strip():
        raise DomainError(N_("客户名称不能为空。"), field="name")
    seller = db.session.get(Seller, seller_id)
    if seller is None:
        raise DomainError(N_("没有这个销售方。"), field="seller_id")
    if not seller.active:  # it sells no more: it protects no new customer against those who do
        raise DomainError(N_("销售方 %(code)s 已停用，不能报备客户。"), field="seller_id", code=seller.code)
    if district_id is not None and db.session.get(Territory, district_id) is None:
        raise DomainError(N_("没有这个行政区划。"), field="district_id")
    code = clean_credit_code(credit_code)
    clashes = check_registration(seller_id, name, phone, code, on, protection_days)
    if clashes and not accept_clash:
        raise Conflict(N_("该客户已被其他销售方报备，保护期至 %(until)s。"), field="name",
                       until=clashes[0].registration.protected_until.isoformat())
    days = protection_days or detection.setting("CONFLICT_PROTECTION_DAYS")
    registration = CustomerRegistration(
        seller_id=seller_id, customer_name=name.strip(), name_norm=normalize_name(name), phone=phone,
        phone_norm=normalize_phone(phone) or None, credit_code=code, district_id=district_id, customer_id=customer_id,
        registered_on=on, protected_until=rules.protected_until(on, days), created_by_id=created_by_id)
    db.session.add(registration)
    db.session.flush()
    record(created_by_id, "conflicts.register_customer", "customer_registration", registration.id,
           {"seller_id": seller_id, "clashes": [c.registration.id for c in clashes]})
    detection.scan_new(registration_ids=[registration.id], actor_id=created_by_id, commit=False)
    if commit:
        db.session.commit()
    return registration


# ---- policies --------------------------------------------------------------------------------

def add_policy(*, name: str, action: str, rule: str | None = None, protection_fee_bp: int = 0, penalty_fen: int = 0,
               plan_id: int | None = None, actor_id: int | None = None, commit: bool = True) -> ConflictPolicy:
    """A new active policy. Refused: an empty name, or the name of an active policy for the same
    rule (or for all rules); a fee outside 0–10000 bp; a penalty below 0 or above MAX_AMOUNT_FEN."""
    name = (name or "").strip()
    if not name:
        raise DomainError(N_("政策名称不能为空。"), field="name")
    rule = rule or None
    _refuse_an_active_namesake(name, rule)
    if action not in (ACTION_HOLD, ACTION_FORFEIT):
        raise DomainError(N_("处理方式必须是暂扣或没收。"), field="action")
    if not 0 <= protection_fee_bp <= 10000:
        raise DomainError(N_("区域保护费比例必须在 0 到 10000 个基点之间。"), field="protection_fee_bp")
    if penalty_fen < 0:
        raise DomainError(N_("罚款不能为负数。"), field="penalty_fen")
    if penalty_fen > MAX_AMOUNT_FEN:
        raise DomainError(N_("金额过大：最多 %(max)s。"), field="penalty_fen", max=format_fen(MAX_AMOUNT_FEN))
    policy = ConflictPolicy(name=name, action=action, rule=rule, protection_fee_bp=protection_fee_bp,
                            penalty_fen=penalty_fen, plan_id=plan_id, active=True)
    db.session.add(policy)
    db.session.flush()
    record(actor_id, "conflicts.add_policy", "conflict_policy", policy.id,
           {"action": action, "rule": rule, "fee_bp": protection_fee_bp, "penalty_fen": penalty_fen})
    if commit:
        db.session.commit()
    return policy


def _refuse_an_active_namesake(name: str, rule: str | None, policy_id: int | None = None) -> None:
    """Conflict on 'name' when another active policy (not `policy_id`) has `name` for `rule`."""
    same_rule = ConflictPolicy.rule.is_(None) if rule is None else ConflictPolicy.rule == rule
    if db.session.scalar(select(ConflictPolicy.id).where(ConflictPolicy.active.is_(True), ConflictPolicy.name == name,
                                                         same_rule, ConflictPolicy.id != (policy_id or 0))
                         .limit(1)) is not None:
        raise Conflict(N_("已有同名的生效政策适用于这条规则：请换一个名称。"), field="name")


def set_policy_active(user: User, policy_id: int, active: bool, commit: bool = True) -> ConflictPolicy:
    """Deactivate a policy (it is offered for no new ruling, `policy_for` skips it, the cases it
    ruled keep it and their effects) or reactivate it. Admins and channel managers only
    (Forbidden); NotFound for an unknown id; Conflict on 'name' when reactivating would make two
    active policies of one name for one rule. Audit-logged (conflicts.deactivate_policy /
    conflicts.reactivate_policy); setting the state it has already changes and logs nothing."""
    require_case_ruler(user)
    policy = db.session.get(ConflictPolicy, policy_id)
    if policy is None:
        raise NotFound(N_("没有这个政策。"))
    if policy.active == active:
        return policy
    if active:
        _refuse_an_active_namesake(policy.name, policy.rule, policy.id)
    policy.active = active
    record(user.id, "conflicts.reactivate_policy" if active else "conflicts.deactivate_policy", "conflict_policy",
           policy.id, {"name": policy.name, "rule": policy.rule})
    if commit:
        db.session.commit()
    return policy


def policies_offered(case: ConflictCase) -> list[ConflictPolicy]:
    """The policies a ruler may set on `case`: active, written for its rule or for every rule."""
    return list(db.session.scalars(select(ConflictPolicy).where(
        ConflictPolicy.active.is_(True), (ConflictPolicy.rule == case.rule) | ConflictPolicy.rule.is_(None))
        .order_by(ConflictPolicy.id)))


def _check_fits(case: ConflictCase, policy: ConflictPolicy, field: str) -> None:
    rules.check_policy_fits(case.rule, policy.name, policy.rule, policy.active, field=field)


def policy_for(case: ConflictCase) -> ConflictPolicy | None:
    """The case's own policy, else the newest active policy for its rule, else for every rule."""
    if case.policy_id:
        return db.session.get(ConflictPolicy, case.policy_id)
    return db.session.scalar(
        select(ConflictPolicy).where(ConflictPolicy.active.is_(True),
                                     (ConflictPolicy.rule == case.rule) | ConflictPolicy.rule.is_(None))
        .order_by(ConflictPolicy.rule.is_(None), ConflictPolicy.id.desc()).limit(1))


# ---- case rulings -----------------------------------------------------------------------------

def _event(case: ConflictCase, actor_id: int | None, action: str, *, from_status=None, to_status=None, note=None):
    db.session.add(ConflictEvent(case_id=case.id, actor_id=actor_id, action=action, from_status=from_status,
                                 to_status=to_status, note=note, at=utcnow()))
    case.updated_at = utcnow()


def change_status(user: User, case_id: int, new_status: str, note: str | None = None,
                  commit: bool = True) -> ConflictCase:
    """Move a case along open → investigating → confirmed | dismissed (see domain TRANSITIONS).

    Investigating holds the commission on the offending lines; confirming fixes the policy's
    effect on the case (hold: the holds stay; forfeit: the holds stay until the commission run
    posts the forfeit lines and releases them) and its fee and penalty; dismissing releases
    every hold. The run applies (or, after a dismissal, reverses) the effect: conflicts_pay.
    Confirming and dismissing change pay: they need a `note` saying why (DomainError on 'note').
    A policy set on the case must still be active and written for its rule to confirm it
    (DomainError on 'status'; nothing changes). Confirmations and dismissals are audit-logged."""
    require_case_ruler(user)
    case = require_case(user, case_id)
    rules.check_transition(case.status, new_status, note)
    chosen = db.session.get(ConflictPolicy, case.policy_id) if case.policy_id else None
    if new_status == STATUS_CONFIRMED and chosen is not None:  # set by hand: still active, for this rule?
        _check_fits(case, chosen, "status")
    note = (note or "").strip() or None
    old = case.status
    case.status = new_status
    if new_status == STATUS_INVESTIGATING:
        hold_case_lines(case, user.id)
        case.closed_at = None
    elif new_status == STATUS_CONFIRMED:
        policy = policy_for(case)
        case.policy_id = policy.id if policy else None
        case.effect_action = policy.action if policy else ACTION_HOLD
        case.protection_fee_fen = rules.protection_fee_fen(case.amount_fen, policy.protection_fee_bp) \
            if policy and case.harmed_id else 0
        case.penalty_fen = policy.penalty_fen if policy and case.offender_id else 0
        # forfeit too: released by the run once the forfeit lines offset the held lines, so that
        # no payout between the ruling and the run pays the forfeited commission
        hold_case_lines(case, user.id)
        case.closed_at, case.ruled_by_id = utcnow(), user.id
    elif new_status == STATUS_DISMISSED:
        release_case_holds(case, user.id)
        case.closed_at, case.ruled_by_id = utcnow(), user.id
    else:
        case.closed_at = None
    _event(case, user.id, "status", from_status=old, to_status=new_status, note=note)
    if new_status in (STATUS_CONFIRMED, STATUS_DISMISSED):
        record(user.id, f"conflicts.{new_status}", "conflict_case", case.id,
               {"from": old, "effect": case.effect_action, "protection_fee_fen": case.protection_fee_fen,
                "penalty_fen": case.penalty_fen, "note": note})
    if commit:
        db.session.commit()
    return case


def assign(user: User, case_id: int, assignee_id: int | None, commit: bool = True) -> ConflictCase:
    """Assign the case to an active admin or channel manager (those who rule it), or to nobody
    (None); DomainError on 'assignee_id' otherwise."""
    require_case_ruler(user)
    case = require_case(user, case_id)
    if assignee_id is not None:  # the people the case page offers (conflicts_reports.staff_users)
        assignee = db.session.get(User, assignee_id)
        if assignee is None or not assignee.active or assignee.role not in CASE_RULERS:
            raise DomainError(N_("只能指派给在用的管理员或渠道经理。"), field="assignee_id")
    case.assignee_id = assignee_id
    _event(case, user.id, "assign", note=db.session.get(User, assignee_id).display_name if assignee_id else None)
    if commit:
        db.session.commit()
    return case


def add_note(user: User, case_id: int, note: str, commit: bool = True) -> ConflictCase:
    require_case_ruler(user)
    case = require_case(user, case_id)
    if not note or not note.strip():
        raise DomainError(N_("备注不能为空。"), field="note")
    _event(case, user.id, "note", note=note.strip())
    if commit:
        db.session.commit()
    return case


def set_policy(user: User, case_id: int, policy_id: int | None, commit: bool = True) -> ConflictCase:
    """The policy a confirmation of the open or investigating case will apply (None: chosen by
    rule, policy_for). DomainError on 'policy_id': a closed case, an unknown policy, a
    deactivated one, or one written for another rule (domain.conflicts.check_policy_fits).
    Audit-logged (conflicts.set_policy, with the policy before and after); setting the policy
    the case already has changes and logs nothing."""
    require_case_ruler(user)
    case = require_case(user, case_id)
    if case.status not in ACTIVE_STATUSES:
        raise DomainError(N_("已结案的案件不能更换政策。"), field="policy_id")
    policy = None
    if policy_id is not None:
        policy = db.session.get(ConflictPolicy, policy_id)
        if policy is None:
            raise DomainError(N_("没有这个政策。"), field="policy_id")
        _check_fits(case, policy, "policy_id")
    if case.policy_id == policy_id:
        return case
    old = case.policy_id
    case.policy_id = policy_id
    _event(case, user.id, "policy", note=str(policy_id) if policy_id else None)
    record(user.id, "conflicts.set_policy", "conflict_case", case.id,
           {"from": old, "to": policy_id, "name": policy.name if policy else None})
    if commit:
        db.session.commit()
    return case


# ---- holds on the ledger (contract: models/commissions.py) ------------------------------------

def _offending_lines(case_id: int):
    return select(ConflictEvidence.order_line_id).where(ConflictEvidence.case_id == case_id,
                                                        ConflictEvidence.order_line_id.is_not(None))


def hold_case_lines(case: ConflictCase, actor_id: int | None) -> int:
    """Hold every ledger line (the seller's commission and the uplines' overrides) resting on
    the case's offending order lines that this case does not hold yet. Returns rows added."""
    active = select(LedgerHold.id).where(LedgerHold.ledger_line_id == LedgerLine.id, LedgerHold.case_id == case.id,
                                         LedgerHold.released_at.is_(None))
    source = select(LedgerLine.id, literal(f"conflict case #{case.id}"), literal(case.id),
                    literal(utcnow()), literal(actor_id, type_=db.Integer)) \
        .where(LedgerLine.order_line_id.in_(_offending_lines(case.id)), ~active.exists())
    result = db.session.execute(LedgerHold.__table__.insert().from_select(
        ["ledger_line_id", "reason", "case_id", "created_at", "created_by_id"], source))
    return result.rowcount


def release_case_holds(case: ConflictCase, actor_id: int | None) -> int:
    result = db.session.execute(update(LedgerHold).where(LedgerHold.case_id == case.id, LedgerHold.released_at.is_(None))
                                .values(released_at=utcnow(), released_by_id=actor_id))
    return result.rowcount


def hold_new_ledger_lines(run_id: int) -> int:
    """For the commission run, after it posts `run_id`: hold its lines that rest on offending
    lines of cases under investigation or confirmed with the 'hold' policy. Returns rows added."""
    now = utcnow()
    return db.session.execute(text("""
        INSERT INTO ledger_hold (ledger_line_id, reason, case_id, created_at)
        SELECT DISTINCT l.id, 'conflict case #' || c.id, c.id, :now
        FROM ledger_line l
        JOIN conflict_evidence e ON e.order_line_id = l.order_line_id
        JOIN conflict_case c ON c.id = e.case_id
        WHERE l.run_id = :run AND (c.status = 'investigating' OR (c.status = 'confirmed' AND c.effect_action = 'hold'))
          AND NOT EXISTS (SELECT 1 FROM ledger_hold h WHERE h.ledger_line_id = l.id AND h.case_id = c.id
                          AND h.released_at IS NULL)
    """), {"run": run_id, "now": now}).rowcount


# ---- effects on pay, for the commission run ----------------------------------------------------

@dataclass
class CaseEffect:
    """One case's pending effect on pay, for a to-do list (the commission run itself computes the
    effects of the current rulings directly: channel/services/conflicts_pay.py).

    kind 'apply': a case confirmed by the end of the period whose effect is not posted yet —
      action 'forfeit': post a forfeit line (rule 'forfeit', case_id) reversing every ledger line
      resting on `order_line_ids` (seller and overrides); action 'hold': nothing to post, the lines
      stay held (call hold_new_ledger_lines for lines posted later);
      `protection_fee_fen` > 0: credit the harmed party (rule 'protection_fee');
      `penalty_fen` > 0: charge the offender (rule 'penalty', a negative line).
    kind 'reverse': a case dismissed after its effect was posted: reverse the lines carrying
      `case_id` (rule 'adjustment', reverses_id) in this open period.
    Then call mark_effects_posted / mark_effects_reversed with the case ids.
    """

    case_id: int
    kind: str
    action: str
    offender_id: int | None
    harmed_id: int | None
    order_line_ids: list[int] = field(default_factory=list)
    offending_amount_fen: int = 0
    protection_fee_fen: int = 0
    penalty_fen: int = 0


def conflict_effects_for(period: str | Month) -> list[CaseEffect]:
    month = period if isinstance(period, Month) else Month.parse(period)
    end = datetime(month.end.year, month.end.month, month.end.day)
    cases = db.session.scalars(select(ConflictCase).where(
        ((ConflictCase.status == STATUS_CONFIRMED) & ConflictCase.effects_posted_period.is_(None))
        | ((ConflictCase.status == STATUS_DISMISSED) & ConflictCase.effects_posted_period.is_not(None)),
        ConflictCase.closed_at < end).order_by(ConflictCase.id)).all()
    effects = []
    for case in cases:
        lines = sorted(set(db.session.scalars(_offending_lines(case.id))))
        effects.append(CaseEffect(
            case_id=case.id, kind="apply" if case.status == STATUS_CONFIRMED else "reverse",
            action=case.effect_action or ACTION_HOLD, offender_id=case.offender_id, harmed_id=case.harmed_id,
            order_line_ids=lines, offending_amount_fen=case.amount_fen, protection_fee_fen=case.protection_fee_fen,
            penalty_fen=case.penalty_fen))
    return effects


def mark_effects_posted(case_ids: list[int], period: str, commit: bool = False) -> None:
    db.session.execute(update(ConflictCase).where(ConflictCase.id.in_(case_ids)).values(effects_posted_period=period))
    if commit:
        db.session.commit()


def mark_effects_reversed(case_ids: list[int], commit: bool = False) -> None:
    db.session.execute(update(ConflictCase).where(ConflictCase.id.in_(case_ids)).values(effects_posted_period=None))
    if commit:
        db.session.commit()
