"""What the conflict pages show: the dashboard's aggregates, the filtered case list (HTML and
CSV), and a case's evidence laid out for the viewer — all scoped by channel/services/access.py.
Aggregates are GROUP BY queries; lists are keyset pages."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from channel.domain import conflicts as rules
from channel.domain.paging import decode_id_cursor
from channel.services.access import CASE_RULERS, require_case, scope_cases, sees_evidence_detail
from channel.services.conflicts import setting
from models import db, utcnow
from models.conflicts import (ACTIVE_STATUSES, RULE_CROSS_TERRITORY, CodeScan, ConflictCase,
                              ConflictEvent, ConflictEvidence, CustomerRegistration, UnitCode)
from models.sales import OrderLine, SalesOrder
from models.territory import Territory
from models.tree import Seller, TerritoryGrant
from models.users import User


@dataclass
class CaseFilters:
    rule: str | None = None
    severity: str | None = None
    status: str | None = None
    seller_id: int | None = None  # offender or harmed party
    period: str | None = None
    overdue: bool = False


def case_query(user: User, filters: CaseFilters) -> Select:
    query = scope_cases(select(ConflictCase), user)
    if filters.rule:
        query = query.where(ConflictCase.rule == filters.rule)
    if filters.severity:
        query = query.where(ConflictCase.severity == filters.severity)
    if filters.status:
        query = query.where(ConflictCase.status == filters.status)
    if filters.seller_id:
        query = query.where((ConflictCase.offender_id == filters.seller_id) | (ConflictCase.harmed_id == filters.seller_id))
    if filters.period:
        query = query.where(ConflictCase.period == filters.period)
    if filters.overdue:
        from datetime import timedelta

        cutoff = utcnow() - timedelta(days=setting("CONFLICT_SLA_DAYS") + 1)
        query = query.where(ConflictCase.status.in_(ACTIVE_STATUSES), ConflictCase.opened_at <= cutoff)
    return query


@dataclass
class CasePage:
    rows: list = field(default_factory=list)
    next_cursor: str | None = None


def cases_page(user: User, filters: CaseFilters, cursor: str | None = None, size: int = 50) -> CasePage:
    query = case_query(user, filters)
    if (before := decode_id_cursor(cursor)) is not None:
        query = query.where(ConflictCase.id < before)
    rows = list(db.session.scalars(query.order_by(ConflictCase.id.desc()).limit(size + 1)))
    page = CasePage(rows=rows[:size])
    if len(rows) > size:
        page.next_cursor = str(rows[size - 1].id)
    return page


CSV_HEADER = ("id", "rule", "severity", "status", "offender_code", "offender", "harmed_code", "harmed", "period",
              "province", "evidence", "amount_yuan", "opened_at_utc", "age_days", "overdue")


def cases_csv_rows(user: User, filters: CaseFilters, batch: int = 1000):
    """CSV rows (header first) of every case matching `filters`, fetched in keyset batches."""
    from channel.domain.money import fen_to_decimal

    yield CSV_HEADER
    sla, now, cursor = setting("CONFLICT_SLA_DAYS"), utcnow(), None
    while True:
        page = cases_page(user, filters, cursor, size=batch)
        for c in page.rows:
            yield (c.id, c.rule, c.severity, c.status, c.offender.code if c.offender else "",
                   c.offender.name if c.offender else "", c.harmed.code if c.harmed else "",
                   c.harmed.name if c.harmed else "", c.period, c.province.name if c.province else "",
                   c.evidence_count, fen_to_decimal(c.amount_fen) if sees_amount(user, c) else "",
                   c.opened_at.isoformat(timespec="seconds"),
                   rules.age_days(c.opened_at, now), "yes" if rules.overdue(c.status, c.opened_at, now, sla) else "")
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def sees_amount(user: User, case: ConflictCase) -> bool:
    """The offending amount is for staff and the offender; the harmed party sees where the
    goods went, not what they were sold for (as on the case page)."""
    return user.sees_everything or (case.offender_id is not None and case.offender_id == user.seller_id)


# ---- dashboard -------------------------------------------------------------------------------

def dashboard(user: User) -> dict:
    """Open (open + investigating) cases by rule and severity and by province, top offenders,
    cases opened per month, and the oldest open cases against the SLA."""
    scoped = scope_cases(select(ConflictCase.id), user).subquery()
    active = (ConflictCase.id.in_(select(scoped.c.id)), ConflictCase.status.in_(ACTIVE_STATUSES))
    by_rule = {}
    for rule, severity, n in db.session.execute(
            select(ConflictCase.rule, ConflictCase.severity, func.count()).where(*active)
            .group_by(ConflictCase.rule, ConflictCase.severity)):
        by_rule.setdefault(rule, {})[severity] = n
    by_province = db.session.execute(
        select(Territory.name, func.count()).select_from(ConflictCase).join(Territory, Territory.id == ConflictCase.province_id)
        .where(*active).group_by(Territory.name).order_by(func.count().desc()).limit(15)).all()
    offenders = db.session.execute(
        select(Seller, func.count(), func.sum(ConflictCase.amount_fen)).select_from(ConflictCase).join(Seller, Seller.id == ConflictCase.offender_id)
        .where(ConflictCase.id.in_(select(scoped.c.id)), ConflictCase.status != "dismissed")
        .group_by(Seller).order_by(func.count().desc(), Seller.id).limit(10)).all()
    trend = db.session.execute(
        select(ConflictCase.period, func.count()).where(ConflictCase.id.in_(select(scoped.c.id)))
        .group_by(ConflictCase.period).order_by(ConflictCase.period.desc()).limit(12)).all()
    oldest = db.session.scalars(select(ConflictCase).where(*active).order_by(ConflictCase.opened_at, ConflictCase.id)
                                .limit(10)).all()
    sla, now = setting("CONFLICT_SLA_DAYS"), utcnow()
    return {
        "by_rule": by_rule,
        "by_province": by_province,
        "offenders": offenders,
        "trend": list(reversed(trend)),
        "oldest": [(c, rules.age_days(c.opened_at, now), rules.overdue(c.status, c.opened_at, now, sla)) for c in oldest],
        "sla_days": sla,
        "open_total": sum(sum(v.values()) for v in by_rule.values()),
    }


# ---- one case --------------------------------------------------------------------------------

@dataclass
class EvidenceRow:
    """One evidence row as the viewer may see it; `detail` False hides the other party's data
    (customer, order number, price, who scanned)."""

    evidence: ConflictEvidence
    detail: bool
    district: Territory | None = None
    order_no: str | None = None
    order_id: int | None = None
    customer: str | None = None
    product: str | None = None
    qty: int | None = None
    unit_price_fen: int | None = None
    code: str | None = None
    scanner_kind: str | None = None
    scanned_by: str | None = None
    registration: CustomerRegistration | None = None


def case_view(user: User, case_id: int, limit: int = 500) -> dict:
    """Everything the case page shows, masked for an agent or rep viewer."""
    case = require_case(user, case_id)
    evidence = db.session.scalars(select(ConflictEvidence).where(ConflictEvidence.case_id == case.id)
                                  .order_by(ConflictEvidence.occurred_on, ConflictEvidence.id).limit(limit)).all()
    rows = []
    for e in evidence:
        detail = sees_evidence_detail(user, e.seller_id)
        row = EvidenceRow(evidence=e, detail=detail, district=db.session.get(Territory, e.district_id) if e.district_id else None)
        if e.order_line_id:
            line = db.session.get(OrderLine, e.order_line_id)
            row.product, row.qty = line.product.name, line.qty
            if detail:
                order = db.session.get(SalesOrder, line.order_id)
                row.order_no, row.order_id, row.unit_price_fen = order.order_no, order.id, line.unit_price_fen
                row.customer = order.customer.name if order.customer else None
        if e.scan_id:
            scan = db.session.get(CodeScan, e.scan_id)
            row.scanner_kind = scan.scanner_kind
            row.scanned_by = scan.scanned_by if user.sees_everything else None
            row.code = scan.code_text
        if e.code_id:
            row.code = db.session.get(UnitCode, e.code_id).code
        if e.registration_id and detail:
            row.registration = db.session.get(CustomerRegistration, e.registration_id)
        rows.append(row)
    events = db.session.scalars(select(ConflictEvent).where(ConflictEvent.case_id == case.id)
                                .order_by(ConflictEvent.at, ConflictEvent.id)).all()
    now, sla = utcnow(), setting("CONFLICT_SLA_DAYS")
    return {
        "case": case,
        "evidence": rows,
        "events": events,
        "event_policies": _event_policies(events),
        "territories": _territories(case, evidence),
        "journeys": _journeys(user, case, evidence),
        "harmed_registration": (harmed := _harmed_registration(user, case, evidence)),
        "harmed_registration_lapsed": protection_lapsed_on(harmed) if harmed else None,
        "age_days": rules.age_days(case.opened_at, now),
        "overdue": rules.overdue(case.status, case.opened_at, now, sla),
        "sla_days": sla,
        "sees_amount": sees_amount(user, case),
    }


def grants_on(seller_id: int, on: date) -> list[TerritoryGrant]:
    return db.session.scalars(select(TerritoryGrant).where(
        TerritoryGrant.seller_id == seller_id, TerritoryGrant.valid_from <= on,
        (TerritoryGrant.valid_to.is_(None)) | (TerritoryGrant.valid_to > on)).order_by(TerritoryGrant.territory_id)).all()


def _event_policies(events) -> dict[str, str]:
    """{note: policy name} of the timeline's policy changes (the event keeps the policy's id as
    its note, so a renamed policy reads by its present name)."""
    from models.conflicts import ConflictPolicy

    ids = {int(ev.note) for ev in events if ev.action == "policy" and (ev.note or "").isdigit()}
    if not ids:
        return {}
    return {str(p.id): p.name for p in db.session.scalars(select(ConflictPolicy).where(ConflictPolicy.id.in_(ids)))}


def _territories(case: ConflictCase, evidence: list[ConflictEvidence]) -> dict | None:
    """Ship-to (or scan) districts against what the offender was granted, and the harmed
    party's grant: the picture of a territory case."""
    if not case.offender_id or not evidence or case.rule not in (RULE_CROSS_TERRITORY, "code_diversion"):
        return None
    first_day = min(e.occurred_on for e in evidence if e.occurred_on)
    districts = sorted({e.district_id for e in evidence if e.district_id})
    harmed_grants = sorted({e.grant_id for e in evidence if e.grant_id})
    return {
        "on": first_day,
        "districts": [db.session.get(Territory, d) for d in districts],
        "offender_grants": grants_on(case.offender_id, first_day),
        "harmed_grants": [db.session.get(TerritoryGrant, g) for g in harmed_grants],
    }


def _journeys(user: User, case: ConflictCase, evidence: list[ConflictEvidence], most: int = 20) -> list[dict]:
    """For code cases: each code's journey shipment → scans (at most `most` codes)."""
    from channel.services.conflicts_cases import code_journey

    codes = []
    for e in evidence:
        if e.code_id and e.code_id not in codes:
            codes.append(e.code_id)
    journeys = []
    for code_id in codes[:most]:
        journey = code_journey(code_id)
        journey["shipments"] = [s for s in journey["shipments"] if sees_evidence_detail(user, s.agent_id)] \
            if not user.sees_everything else journey["shipments"]
        journeys.append(journey)
    return journeys


def _harmed_registration(user: User, case: ConflictCase, evidence: list[ConflictEvidence]):
    """For a duplicate claim: the harmed party's registration — its own data, so shown to it
    and to staff only, never to the offender."""
    if case.rule != "duplicate_claim":
        return None
    for e in evidence:
        if e.ref_kind in ("claim", "reg"):
            registration = db.session.get(CustomerRegistration, e.ref_id)
            return registration if sees_evidence_detail(user, registration.seller_id) else None
    return None


def registrations_query(user: User) -> Select:
    """SELECT of the customer registrations of the sellers `user` may see, newest first (the
    registrations page and its export)."""
    from channel.services.access import scope_by_seller

    return scope_by_seller(select(CustomerRegistration), user, CustomerRegistration.seller_id).order_by(
        CustomerRegistration.id.desc())


@dataclass
class RegistrationPage(CasePage):
    lapsed: dict = field(default_factory=dict)  # registration id → the day its protection lapsed


def protection_lapsed_on(registration: CustomerRegistration) -> date | None:
    """The day the registration stopped protecting because its seller was deactivated, else None
    (domain.conflicts.protection_lapses_on)."""
    seller = registration.seller
    return rules.protection_lapses_on(registration.registered_on, registration.protected_until, seller.active,
                                      seller.deactivated_on)


def registrations_page(user: User, cursor: str | None = None, size: int = 50) -> RegistrationPage:
    query = registrations_query(user).options(joinedload(CustomerRegistration.seller))
    if (before := decode_id_cursor(cursor)) is not None:
        query = query.where(CustomerRegistration.id < before)
    rows = list(db.session.scalars(query.limit(size + 1)))
    page = RegistrationPage(rows=rows[:size], next_cursor=str(rows[size - 1].id) if len(rows) > size else None)
    page.lapsed = {r.id: day for r in page.rows if (day := protection_lapsed_on(r)) is not None}
    return page


def staff_users() -> list[User]:
    """The active users who may rule cases: the assignees the case page offers (assign checks the same)."""
    return db.session.scalars(select(User).where(User.role.in_(CASE_RULERS), User.active.is_(True))
                              .order_by(User.username)).all()


def policies_query() -> Select:
    """SELECT of the conflict policies by id (the policies page and its export; case rulers only:
    the caller's rule)."""
    from models.conflicts import ConflictPolicy

    return select(ConflictPolicy).order_by(ConflictPolicy.id)
