"""Conflict detection: every rule is one set-based INSERT ... SELECT into `conflict_hit`, then
the hits become cases and evidence in three more statements. Nothing loops over order lines.

Two entry points, both one transaction:
- `scan_period(month)` — every sell-out line, code scan and registration of a month
  (`flask --app app conflicts scan --period 2026-10`, the dashboard's button);
- `scan_new(order_line_ids=..., scan_ids=..., registration_ids=...)` — only the given new rows;
  imports and the API call it right after inserting.

A finding's evidence row is unique per (rule, referenced rows), so scanning again adds nothing;
evidence whose fingerprint matches an open or investigating case is appended to that case,
otherwise a new case is opened.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from flask import current_app, has_app_context
from sqlalchemy import Date, DateTime, bindparam, select, text

from channel.domain import conflicts as rules
from channel.domain.customers import normalize_phone
from channel.domain.periods import Month
from models import db, sql_day, utcnow
from models.conflicts import (RULE_CROSS_TERRITORY, RULE_DIVERSION, RULE_DUPLICATE_CLAIM, RULE_FAKE_CODE,
                              RULE_PRICE, ConflictHit)
from models.sales import Customer
from models.territory import Territory

DEFAULTS = {
    "CONFLICT_PROTECTION_DAYS": 90,  # 客户报备 protection period
    "CONFLICT_MATCH_THRESHOLD": 85,  # 0..100, see domain.conflicts.match_score
    "CONFLICT_COPY_KM": 300,  # one code scanned this far apart = a copied code
    "CONFLICT_SLA_DAYS": 14,  # an open case older than this is overdue
    "CONFLICT_REGISTRATION_MAX_AGE_DAYS": 365,  # a registration may be dated this far back, never ahead
}


def setting(name: str) -> int:
    if has_app_context():
        return int(current_app.config.get(name, DEFAULTS[name]))
    return DEFAULTS[name]


@dataclass
class ScanResult:
    hits: dict[str, int] = field(default_factory=dict)
    cases_opened: int = 0
    evidence_added: int = 0


class _Scope:
    """Which rows a scan looks at: a date range, or explicit ids of new rows."""

    def __init__(self, start: date | None = None, end: date | None = None, line_ids=None, scan_ids=None,
                 registration_ids=None):
        self.start, self.end = start, end
        self.line_ids = list(line_ids or [])
        self.scan_ids = list(scan_ids or [])
        self.registration_ids = list(registration_ids or [])
        self.by_period = start is not None

    def lines(self, alias: str = "ol") -> str:
        if self.by_period:
            return f"{alias}.order_date >= :start AND {alias}.order_date < :end"
        return f"{alias}.id IN :line_ids" if self.line_ids else "1 = 0"

    def scans(self, alias: str = "s") -> str:
        if self.by_period:
            return f"{alias}.scanned_on >= :start AND {alias}.scanned_on < :end"
        return f"{alias}.id IN :scan_ids" if self.scan_ids else "1 = 0"

    def registrations(self, alias: str = "r") -> str:
        if self.by_period:
            return f"{alias}.registered_on >= :start AND {alias}.registered_on < :end"
        return f"{alias}.id IN :registration_ids" if self.registration_ids else "1 = 0"

    def params(self) -> dict:
        return {"start": self.start, "end": self.end, "line_ids": self.line_ids or [0],
                "scan_ids": self.scan_ids or [0], "registration_ids": self.registration_ids or [0]}


def _execute(sql: str, params: dict):
    """Run `sql`, binding dates as dates, timestamps as timestamps (a datetime is a date too: bound
    as a Date it lost its time) and lists as expanding IN lists."""
    statement = text(sql)
    binds = []
    for name, value in params.items():
        if f":{name}" not in sql:
            continue
        if isinstance(value, (list, tuple)):
            binds.append(bindparam(name, expanding=True))
        elif isinstance(value, datetime):
            binds.append(bindparam(name, type_=DateTime))
        elif isinstance(value, date):
            binds.append(bindparam(name, type_=Date))
    if binds:
        statement = statement.bindparams(*binds)
    used = {k: v for k, v in params.items() if f":{k}" in sql}
    return db.session.execute(statement, used)


def _month(column: str) -> str:
    if db.session.get_bind().dialect.name == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"substr({column}, 1, 7)"


def _whole_table(table: str, alias: str, scope: "_Scope") -> str:
    """`table alias`, read sequentially on SQLite when the scope spans more than a quarter: reading
    most of a table through a date index costs about twice a plain scan."""
    wide = scope.by_period and (scope.end - scope.start).days > 92
    if wide and db.session.get_bind().dialect.name == "sqlite":
        return f"{table} {alias} NOT INDEXED"
    return f"{table} {alias}"


def _covered(seller: str, district: str, day: str) -> str:
    """SQL: a grant of `seller` in force on `day` covers district alias `district`."""
    return (f"EXISTS (SELECT 1 FROM territory_grant g WHERE g.seller_id = {seller} "
            f"AND g.territory_id IN ({district}.id, {district}.city_id, {district}.province_id, 100000) "
            f"AND g.valid_from <= {day} AND (g.valid_to IS NULL OR g.valid_to > {day}))")


def _seller_protects(registration: str, day: str) -> str:
    """SQL: the seller of registration alias `registration` still protected its customers on
    `day`: active, or deactivated after `day` (domain.conflicts.protection_lapses_on; binds :yes)."""
    return (f"EXISTS (SELECT 1 FROM seller rs WHERE rs.id = {registration}.seller_id "
            f"AND (rs.active = :yes OR rs.deactivated_on > {day}))")


def _exclusive_holder(not_seller: str, district: str, day: str, district_id: str | None = None) -> str:
    """SQL: the id of another seller's exclusive grant covering the district on `day`, or NULL.
    Exclusive grants never overlap (tree.grant_territory refuses it), so there is at most one."""
    return (f"(SELECT eg.id FROM territory_grant eg WHERE eg.exclusive = :yes AND eg.seller_id <> {not_seller} "
            f"AND eg.territory_id IN ({district_id or district + '.id'}, {district}.city_id, {district}.province_id, 100000) "
            f"AND eg.valid_from <= {day} AND (eg.valid_to IS NULL OR eg.valid_to > {day}) ORDER BY eg.id LIMIT 1)")


def _not_yet(rule: str, kind: str, ref: str, ref2: str = "0") -> str:
    return (f"NOT EXISTS (SELECT 1 FROM conflict_evidence e WHERE e.rule = '{rule}' AND e.ref_kind = '{kind}' "
            f"AND e.ref_id = {ref} AND e.ref2_id = {ref2})")


NI = "CAST(NULL AS INTEGER)"  # a typed NULL: PostgreSQL cannot guess the type of a bare NULL in a UNION

HIT_COLUMNS = ("scan_key, fingerprint, rule, severity, offender_id, harmed_id, period, province_id, ref_kind, ref_id, "
               "ref2_id, seller_id, order_line_id, scan_id, code_id, shipment_id, registration_id, grant_id, "
               "district_id, occurred_on, amount_fen, expected_fen")


# ---- the rules ------------------------------------------------------------------------------

def _line_rules(scope: _Scope, params: dict) -> None:
    """串货 and 乱价 in one pass over the sell-out lines (a CTE materialises the few flagged ones).

    串货: shipped outside every territory granted to the seller on the order date. Inside another
    seller's exclusive grant → high (that seller is harmed), else medium.
    乱价: unit price below the floor price in force on the order date (equal is fine); more than
    10% below is high, else medium."""
    floor = """(SELECT p.price_fen FROM product_price p WHERE p.product_id = ol.product_id AND p.kind = 'floor'
                 AND p.level IS NULL AND p.valid_from <= ol.order_date ORDER BY p.valid_from DESC LIMIT 1)"""
    covered = _covered("ol.seller_id", "d", "ol.order_date")
    month = _month("x.order_date")
    # First a GROUP BY over the lines: (seller, district) pairs with their date span, and whether
    # any line is below the highest floor its product ever had. Only the pairs not covered by one
    # grant over the whole span, or possibly below a floor, are looked at line by line.
    _execute(f"""
        WITH pairs AS MATERIALIZED (
            SELECT ol.seller_id, ol.ship_to_district_id AS district_id, MIN(ol.order_date) AS d0,
                   MAX(ol.order_date) AS d1, MAX(CASE WHEN ol.unit_price_fen < pf.top THEN 1 ELSE 0 END) AS maybe_below
            FROM {_whole_table('order_line', 'ol', scope)}
            LEFT JOIN (SELECT product_id, MAX(price_fen) AS top FROM product_price
                       WHERE kind = 'floor' AND level IS NULL GROUP BY product_id) pf ON pf.product_id = ol.product_id
            WHERE ol.kind = 'sell_out' AND {scope.lines()}
            GROUP BY ol.seller_id, ol.ship_to_district_id),
        suspect AS MATERIALIZED (
            SELECT p.* FROM pairs p JOIN territory d ON d.id = p.district_id
            WHERE p.maybe_below = 1 OR NOT EXISTS (
                SELECT 1 FROM territory_grant g WHERE g.seller_id = p.seller_id
                  AND g.territory_id IN (d.id, d.city_id, d.province_id, 100000)
                  AND g.valid_from <= p.d0 AND (g.valid_to IS NULL OR g.valid_to > p.d1))),
        x AS MATERIALIZED (
            SELECT ol.id, ol.seller_id, ol.order_date, ol.amount_fen, ol.unit_price_fen, d.id AS district_id,
                   d.city_id, d.province_id,
                   CASE WHEN {covered} THEN 0 ELSE 1 END AS outside, {floor} AS floor_fen
            FROM suspect sp CROSS JOIN order_line ol JOIN territory d ON d.id = ol.ship_to_district_id
            WHERE ol.seller_id = sp.seller_id AND ol.ship_to_district_id = sp.district_id
              AND ol.order_date >= sp.d0 AND ol.order_date <= sp.d1
              AND ol.kind = 'sell_out' AND {scope.lines()} AND (NOT {covered} OR ol.unit_price_fen < {floor})),
        h AS MATERIALIZED (
            SELECT x.*, {_exclusive_holder('x.seller_id', 'x', 'x.order_date', district_id='x.district_id')} AS grant_id
            FROM x WHERE x.outside = 1)
        INSERT INTO conflict_hit ({HIT_COLUMNS})
        SELECT :key, '{RULE_CROSS_TERRITORY}:' || h.seller_id || ':' || COALESCE(hg.seller_id, 0) || ':' || {month.replace('x.', 'h.')},
               '{RULE_CROSS_TERRITORY}', CASE WHEN hg.id IS NULL THEN 'medium' ELSE 'high' END,
               h.seller_id, hg.seller_id, {month.replace('x.', 'h.')}, h.province_id, 'line', h.id, 0, h.seller_id, h.id,
               {NI}, {NI}, {NI}, {NI}, hg.id, h.district_id, h.order_date, h.amount_fen, {NI}
        FROM h LEFT JOIN territory_grant hg ON hg.id = h.grant_id
        WHERE {_not_yet(RULE_CROSS_TERRITORY, 'line', 'h.id')}
        UNION ALL
        SELECT :key, '{RULE_PRICE}:' || x.seller_id || ':' || {month}, '{RULE_PRICE}',
               CASE WHEN x.unit_price_fen * 10 < x.floor_fen * 9 THEN 'high' ELSE 'medium' END,
               x.seller_id, {NI}, {month}, x.province_id, 'line', x.id, 0, x.seller_id, x.id, {NI}, {NI}, {NI}, {NI},
               {NI}, x.district_id, x.order_date, x.amount_fen, x.floor_fen
        FROM x WHERE x.unit_price_fen < x.floor_fen AND {_not_yet(RULE_PRICE, 'line', 'x.id')}
    """, params)


def bind_scans(scope: "_Scope", params: dict) -> int:
    """Bind every unbound scan in `scope` to the shipment its code came from: the code's own last
    shipment on or before the scan, else the last shipment of the case it is packed in. Done
    when scans are stored (and again by each scan, for shipments recorded late); set-based.
    Returns the rows bound."""
    own = """(SELECT sh.id FROM code_shipment sh WHERE sh.code_id = s2.code_id AND sh.shipped_on <= s2.scanned_on
              ORDER BY sh.shipped_on DESC LIMIT 1)"""
    via_case = """(SELECT sh.id FROM unit_code u JOIN code_shipment sh ON sh.code_id = u.case_id
                   WHERE u.id = s2.code_id AND sh.shipped_on <= s2.scanned_on ORDER BY sh.shipped_on DESC LIMIT 1)"""
    # One UPDATE ... FROM, so that each row is rewritten once (PostgreSQL rewrites a row per UPDATE).
    bound = _execute(f"""
        UPDATE code_scan AS s SET shipment_id = b.shipment_id, agent_id = sh.agent_id
        FROM (SELECT s2.id, COALESCE({own}, {via_case}) AS shipment_id FROM code_scan s2
              WHERE s2.agent_id IS NULL AND s2.code_id IS NOT NULL AND {scope.scans('s2')}) b
        JOIN code_shipment sh ON sh.id = b.shipment_id
        WHERE s.id = b.id
    """, params).rowcount
    return bound


def _scan_rules(scope: _Scope, params: dict) -> None:
    """一物一码 in one pass over the scans (CTEs materialise the few flagged ones).

    Diversion: a scan outside every territory of the agent its code was shipped to (bound by
    `bind_scans`); a scan of a case code covers its units, one evidence row per unit.
    Evidence chain: shipment (and its sell-in line) → scan.
    Fake: the scanned text is no known code, or the code (and its case) had not been shipped."""
    bind_scans(scope, params)
    covered = _covered("s.agent_id", "d", "s.scanned_on")
    month = _month("v.scanned_on")
    # As for the lines: a GROUP BY gives the (agent, district) pairs and their date span; only
    # scans of pairs no single grant covers over the span, and unbound scans, are read one by one.
    _execute(f"""
        WITH pairs AS MATERIALIZED (
            SELECT s.agent_id, s.district_id, MIN(s.scanned_on) AS d0, MAX(s.scanned_on) AS d1
            FROM {_whole_table('code_scan', 's', scope)} WHERE s.agent_id IS NOT NULL AND {scope.scans()}
            GROUP BY s.agent_id, s.district_id),
        suspect AS MATERIALIZED (
            SELECT p.* FROM pairs p JOIN territory d ON d.id = p.district_id
            WHERE NOT EXISTS (SELECT 1 FROM territory_grant g WHERE g.seller_id = p.agent_id
                                AND g.territory_id IN (d.id, d.city_id, d.province_id, 100000)
                                AND g.valid_from <= p.d0 AND (g.valid_to IS NULL OR g.valid_to > p.d1))),
        f AS MATERIALIZED (
            SELECT s.id AS scan_id, s.code_id, s.code_text, s.scanned_on, s.shipment_id, s.agent_id,
                   d.id AS district_id, d.city_id, d.province_id
            FROM suspect sp CROSS JOIN code_scan s JOIN territory d ON d.id = s.district_id
            WHERE s.agent_id = sp.agent_id AND s.scanned_on >= sp.d0 AND s.scanned_on <= sp.d1
              AND s.district_id = sp.district_id AND {scope.scans()} AND NOT {covered}
            UNION ALL
            SELECT s.id, s.code_id, s.code_text, s.scanned_on, s.shipment_id, s.agent_id, d.id, d.city_id, d.province_id
            FROM code_scan s JOIN territory d ON d.id = s.district_id
            WHERE s.agent_id IS NULL AND {scope.scans()}),
        fu AS MATERIALIZED (
            SELECT f.*, COALESCE(m.id, u.id) AS unit_id
            FROM f LEFT JOIN unit_code u ON u.id = f.code_id
            LEFT JOIN unit_code m ON m.case_id = u.id AND u.kind = 'case'),
        v AS MATERIALIZED (
            SELECT fu.*, sh.order_line_id,
                   {_exclusive_holder('fu.agent_id', 'fu', 'fu.scanned_on', district_id='fu.district_id')} AS grant_id
            FROM fu JOIN code_shipment sh ON sh.id = fu.shipment_id)
        INSERT INTO conflict_hit ({HIT_COLUMNS})
        SELECT :key, '{RULE_DIVERSION}:' || v.agent_id || ':' || COALESCE(hg.seller_id, 0) || ':' || {month},
               '{RULE_DIVERSION}', CASE WHEN hg.id IS NULL THEN 'medium' ELSE 'high' END,
               v.agent_id, hg.seller_id, {month}, v.province_id, 'scan', v.scan_id, v.unit_id,
               v.agent_id, v.order_line_id, v.scan_id, v.unit_id, v.shipment_id, {NI}, hg.id, v.district_id,
               v.scanned_on, 0, {NI}
        FROM v LEFT JOIN territory_grant hg ON hg.id = v.grant_id
        WHERE {_not_yet(RULE_DIVERSION, 'scan', 'v.scan_id', 'v.unit_id')}
        UNION ALL
        SELECT :key, '{RULE_FAKE_CODE}:' || COALESCE(fu.unit_id, 0) || ':' || fu.code_text, '{RULE_FAKE_CODE}', 'high',
               {NI}, {NI}, {month.replace('v.', 'fu.')}, fu.province_id, 'fake', fu.scan_id, COALESCE(fu.unit_id, 0),
               {NI}, {NI}, fu.scan_id, fu.unit_id, {NI}, {NI}, {NI}, fu.district_id, fu.scanned_on, 0, {NI}
        FROM fu WHERE fu.shipment_id IS NULL
          AND {_not_yet(RULE_FAKE_CODE, 'fake', 'fu.scan_id', 'COALESCE(fu.unit_id, 0)')}
    """, params)


def _copied(scope: _Scope, params: dict) -> None:
    """A copied code: one scanned code (a unit or a case) scanned in two cities more than
    CONFLICT_COPY_KM apart. A GROUP BY finds the codes scanned in more than one district; SQL pairs
    their scans; the great-circle distance, from the districts' longitude/latitude, is computed
    for those few pairs only."""
    if scope.by_period:  # one ordered pass over the scans (by the code index), no join
        multi = (f"SELECT s.code_id FROM code_scan s WHERE s.code_id IS NOT NULL GROUP BY s.code_id "
                 f"HAVING MIN(s.district_id) <> MAX(s.district_id) "
                 f"AND MAX(CASE WHEN {scope.scans('s')} THEN 1 ELSE 0 END) = 1")
    else:  # only the codes of the new scans
        multi = (f"SELECT s.code_id FROM code_scan s WHERE s.code_id IN (SELECT a2.code_id FROM code_scan a2 "
                 f"WHERE {scope.scans('a2')}) GROUP BY s.code_id HAVING MIN(s.district_id) <> MAX(s.district_id)")
    pairs = _execute(f"""
        SELECT a.id, a.code_id, a.district_id, a.scanned_on, da.province_id, da.longitude, da.latitude,
               db.longitude, db.latitude, c.code
        FROM code_scan a
        JOIN code_scan b ON b.code_id = a.code_id AND b.id <> a.id AND b.district_id <> a.district_id
        JOIN territory da ON da.id = a.district_id
        JOIN territory db ON db.id = b.district_id
        JOIN unit_code c ON c.id = a.code_id
        WHERE {scope.scans('a')}
          AND a.code_id IN ({multi})
          AND COALESCE(da.city_id, da.id) <> COALESCE(db.city_id, db.id)
          AND {_not_yet(RULE_FAKE_CODE, 'copy', 'a.id', 'a.code_id')}
    """, params).all()
    limit = setting("CONFLICT_COPY_KM")
    rows, seen = [], set()
    for scan_id, unit_id, district_id, scanned_on, province_id, lon1, lat1, lon2, lat2, code in pairs:
        if None in (lon1, lat1, lon2, lat2) or (scan_id, unit_id) in seen:
            continue
        if rules.distance_km(lon1, lat1, lon2, lat2) <= limit:
            continue
        seen.add((scan_id, unit_id))
        period = scanned_on[:7] if isinstance(scanned_on, str) else scanned_on.strftime("%Y-%m")
        rows.append(dict(scan_key=params["key"], fingerprint=f"{RULE_FAKE_CODE}:{unit_id}:{code}", rule=RULE_FAKE_CODE,
                         severity="high", period=period, province_id=province_id, ref_kind="copy", ref_id=scan_id,
                         ref2_id=unit_id, scan_id=scan_id, code_id=unit_id, district_id=district_id,
                         occurred_on=sql_day(scanned_on),
                         amount_fen=0))
    if rows:
        db.session.execute(ConflictHit.__table__.insert(), rows)


def _claims_on_sales(scope: _Scope, params: dict) -> None:
    """撞单 on a sale: a seller sells to a customer that another seller registered and still
    protects on the order date. SQL narrows to the customers of lines sold while some other
    seller's registration was running; rapidfuzz decides which of them are the registered prospect
    (stored in registration_match); one more INSERT ... SELECT makes the hits."""
    window = ("registered_on < :end AND protected_until > :start" if scope.by_period else "1 = 1")
    if _execute(f"SELECT 1 FROM customer_registration WHERE {window} LIMIT 1", params).first() is None:
        return  # nobody protects anybody in this window: nothing to match
    candidates = _execute(f"""
        SELECT DISTINCT c.id, c.name_norm, c.phone, c.credit_code
        FROM order_line ol JOIN sales_order so ON so.id = ol.order_id JOIN customer c ON c.id = so.customer_id
        WHERE ol.kind = 'sell_out' AND {scope.lines()}
          AND EXISTS (SELECT 1 FROM customer_registration r WHERE r.seller_id <> ol.seller_id
                      AND r.registered_on <= ol.order_date AND r.protected_until > ol.order_date
                      AND {_seller_protects('r', 'ol.order_date')})
    """, params).all()
    if not candidates:
        return
    registrations = db.session.execute(text(
        "SELECT id, name_norm, phone_norm, credit_code FROM customer_registration")).all()
    known = {tuple(row) for row in db.session.execute(text(
        "SELECT registration_id, customer_id FROM registration_match")).all()}
    found = rules.matches(
        [rules.Identity(c.id, c.name_norm, normalize_phone(c.phone), c.credit_code) for c in candidates],
        [rules.Identity(r.id, r.name_norm, r.phone_norm or "", r.credit_code) for r in registrations],
        setting("CONFLICT_MATCH_THRESHOLD"),
    )
    new = [dict(registration_id=reg, customer_id=cust, score=score, reason=reason)
           for cust, reg, score, reason in found if (reg, cust) not in known]
    if new:
        from models.conflicts import RegistrationMatch

        db.session.execute(RegistrationMatch.__table__.insert(), new)
    month = _month("ol.order_date")
    _execute(f"""
        INSERT INTO conflict_hit ({HIT_COLUMNS})
        SELECT :key, '{RULE_DUPLICATE_CLAIM}:' || ol.seller_id || ':' || r.seller_id || ':' || r.id,
               '{RULE_DUPLICATE_CLAIM}', 'medium', ol.seller_id, r.seller_id, {month}, d.province_id, 'claim', r.id,
               ol.id, ol.seller_id, ol.id, NULL, NULL, NULL, r.id, NULL, d.id, ol.order_date, ol.amount_fen, NULL
        FROM order_line ol JOIN sales_order so ON so.id = ol.order_id
        JOIN registration_match m ON m.customer_id = so.customer_id
        JOIN customer_registration r ON r.id = m.registration_id
        JOIN territory d ON d.id = ol.ship_to_district_id
        WHERE ol.kind = 'sell_out' AND {scope.lines()} AND r.seller_id <> ol.seller_id
          AND r.registered_on <= ol.order_date AND r.protected_until > ol.order_date
          AND {_seller_protects('r', 'ol.order_date')}
          -- one registrant, one claim: two running registrations of one customer by one seller
          -- (stored before register_customer refused them) make a single case, on the first
          AND NOT EXISTS (SELECT 1 FROM registration_match m2
                          JOIN customer_registration r2 ON r2.id = m2.registration_id
                          WHERE m2.customer_id = so.customer_id AND r2.seller_id = r.seller_id
                            AND r2.registered_on <= ol.order_date AND r2.protected_until > ol.order_date
                            AND (r2.registered_on < r.registered_on
                                 OR (r2.registered_on = r.registered_on AND r2.id < r.id)))
          AND {_not_yet(RULE_DUPLICATE_CLAIM, 'claim', 'r.id', 'ol.id')}
    """, params)


def registration_clashes(seller_id: int, name_norm: str, phone_norm: str, credit_code: str | None,
                         on: date, exclude_id: int | None = None) -> list[tuple[int, int, str]]:
    """Other sellers' registrations protecting the same customer on `on` (a deactivated seller's
    protect nobody from the day of its deactivation): [(registration id, score, reason)], best first."""
    running = _execute(
        "SELECT r.id, r.name_norm, r.phone_norm, r.credit_code FROM customer_registration r "
        "WHERE r.seller_id <> :seller AND r.registered_on <= :on AND r.protected_until > :on AND r.id <> :exclude "
        f"AND {_seller_protects('r', ':on')}",
        {"seller": seller_id, "on": on, "exclude": exclude_id or 0, "yes": True}).all()
    return _same_customer(running, name_norm, phone_norm, credit_code)


def own_registrations_overlapping(seller_id: int, name_norm: str, phone_norm: str, credit_code: str | None,
                                  start: date, until: date) -> list[tuple[int, int, str]]:
    """`seller_id`'s own registrations of the same customer whose protection overlaps
    [`start`, `until`): [(registration id, score, reason)], best first. Two of them would each
    open a 撞单 case for one sale by another seller, and a re-registration would stretch the
    protection period: register_customer refuses them."""
    overlapping = db.session.execute(text(
        "SELECT id, name_norm, phone_norm, credit_code FROM customer_registration "
        "WHERE seller_id = :seller AND registered_on < :until AND protected_until > :start"
    ).bindparams(bindparam("start", type_=Date), bindparam("until", type_=Date)),
        {"seller": seller_id, "start": start, "until": until}).all()
    return _same_customer(overlapping, name_norm, phone_norm, credit_code)


def similar_customers(name_norm: str, phone_norm: str, credit_code: str | None, province_id: int | None,
                      exclude_id: int | None = None) -> list[tuple[int, int, str]]:
    """Stored customers that are probably the given one, by the registrations' matcher
    (`_same_customer`, CONFLICT_MATCH_THRESHOLD): [(customer id, score, reason)], best first.
    Looked for among the customers of province `province_id` and those with the same normalised
    name anywhere (a duplicate is a customer of the same place; a whole-country table is not
    loaded per save)."""
    columns = select(Customer.id, Customer.name_norm, Customer.phone, Customer.credit_code).where(
        Customer.id != (exclude_id or 0))
    in_province = select(Territory.id).where(Territory.province_id == province_id)
    # two indexed lookups (by district, by name_norm), not an OR that scans the whole table
    rows = {row.id: row for query in (columns.where(Customer.district_id.in_(in_province)),
                                      columns.where(Customer.name_norm == name_norm))
            for row in db.session.execute(query)}
    stored = [SimpleNamespace(id=row.id, name_norm=row.name_norm, phone_norm=normalize_phone(row.phone),
                              credit_code=row.credit_code) for row in rows.values()]
    return _same_customer(stored, name_norm, phone_norm, credit_code)


def _same_customer(registrations, name_norm: str, phone_norm: str, credit_code: str | None) -> list[tuple[int, int, str]]:
    """The rows of `registrations` (id, name_norm, phone_norm, credit_code) that are the given
    customer (CONFLICT_MATCH_THRESHOLD): [(registration id, score, reason)], best first."""
    found = rules.matches([rules.Identity(0, name_norm, phone_norm, credit_code)],
                          [rules.Identity(r.id, r.name_norm, r.phone_norm or "", r.credit_code) for r in registrations],
                          setting("CONFLICT_MATCH_THRESHOLD"))
    return sorted(((reg, score, reason) for _, reg, score, reason in found), key=lambda t: (-t[1], t[0]))


def _claims_on_registrations(scope: _Scope, params: dict) -> None:
    """撞单 on a registration: registering a customer another seller protects on the day.

    Set-based, three statements whatever the number of new registrations: the new ones, the
    registrations of every seller still protecting within their span, and the evidence already
    filed for them; rapidfuzz scores all the names in one call. One case per registrant: of one
    seller's running registrations of the customer (stored before register_customer refused
    them), the first."""
    new = _execute(f"""
        SELECT r.id, r.seller_id, r.name_norm, r.phone_norm, r.credit_code, r.registered_on, r.district_id,
               d.province_id
        FROM customer_registration r LEFT JOIN territory d ON d.id = r.district_id
        WHERE {scope.registrations()} ORDER BY r.id
    """, params).all()
    if not new:
        return
    on = {reg.id: sql_day(reg.registered_on) for reg in new}
    running = _execute(f"""
        SELECT r.id, r.seller_id, r.name_norm, r.phone_norm, r.credit_code, r.registered_on, r.protected_until,
               s.active, s.deactivated_on
        FROM customer_registration r JOIN seller s ON s.id = r.seller_id
        WHERE r.registered_on <= :last AND r.protected_until > :first AND (s.active = :yes OR s.deactivated_on > :first)
    """, params | {"first": min(on.values()), "last": max(on.values())}).all()
    filed = {tuple(row) for row in _execute(f"""
        SELECT e.ref_id, e.ref2_id FROM conflict_evidence e
        WHERE e.rule = '{RULE_DUPLICATE_CLAIM}' AND e.ref_kind = 'reg'
          AND e.ref2_id IN (SELECT r.id FROM customer_registration r WHERE {scope.registrations()})
    """, params).all()}
    found = rules.matches([rules.Identity(reg.id, reg.name_norm, reg.phone_norm or "", reg.credit_code) for reg in new],
                          [rules.Identity(r.id, r.name_norm, r.phone_norm or "", r.credit_code) for r in running],
                          setting("CONFLICT_MATCH_THRESHOLD"))
    by_id = {r.id: r for r in running}
    new_by_id = {reg.id: reg for reg in new}
    first_of_seller: dict[tuple[int, int], tuple[date, int]] = {}  # (new id, earlier seller) → (day, earlier id)
    for new_id, earlier_id, _score, _reason in found:
        reg, earlier = new_by_id[new_id], by_id[earlier_id]
        start, until = sql_day(earlier.registered_on), sql_day(earlier.protected_until)
        lapses = rules.protection_lapses_on(start, until, bool(earlier.active), sql_day(earlier.deactivated_on))
        if earlier.seller_id == reg.seller_id or not rules.protects_on(start, until, lapses, on[new_id]):
            continue
        key = (new_id, earlier.seller_id)
        first_of_seller[key] = min(first_of_seller.get(key, (start, earlier_id)), (start, earlier_id))
    rows = []
    for (new_id, earlier), (_start, earlier_id) in sorted(first_of_seller.items(), key=lambda kv: (kv[0][0], kv[1])):
        if (earlier_id, new_id) in filed:
            continue
        reg, day = new_by_id[new_id], on[new_id]
        rows.append(dict(scan_key=params["key"], rule=RULE_DUPLICATE_CLAIM, severity="medium",
                         fingerprint=f"{RULE_DUPLICATE_CLAIM}:{reg.seller_id}:{earlier}:{earlier_id}",
                         offender_id=reg.seller_id, harmed_id=earlier, period=day.strftime("%Y-%m"),
                         province_id=reg.province_id, ref_kind="reg", ref_id=earlier_id, ref2_id=reg.id,
                         seller_id=reg.seller_id, registration_id=reg.id, district_id=reg.district_id,
                         occurred_on=day, amount_fen=0))
    if rows:
        db.session.execute(ConflictHit.__table__.insert(), rows)


RULE_STEPS = (
    ((RULE_CROSS_TERRITORY, RULE_PRICE), _line_rules),
    ((RULE_DIVERSION, RULE_FAKE_CODE), _scan_rules),
    ((RULE_FAKE_CODE,), _copied),
    ((RULE_DUPLICATE_CLAIM,), _claims_on_sales),
    ((RULE_DUPLICATE_CLAIM,), _claims_on_registrations),
)


# ---- hits → cases ---------------------------------------------------------------------------

_ACTIVE = "('open', 'investigating')"
_RANK = "CASE {c} WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END"


def _file_hits(key: str, actor_id: int | None = None) -> tuple[int, int]:
    """Turn the hits of scan `key` into cases, evidence and timeline events (by `actor_id`, the
    user whose action ran the scan, else the system); delete the hits.
    Returns (cases opened, evidence rows added)."""
    now = utcnow()
    params = {"key": key, "now": now, "actor": actor_id}
    opened = _execute(f"""
        INSERT INTO conflict_case (fingerprint, rule, severity, status, offender_id, harmed_id, period, province_id,
                                   evidence_count, amount_fen, protection_fee_fen, penalty_fen, opened_at, updated_at)
        SELECT g.fingerprint, g.rule, CASE g.rank WHEN 3 THEN 'high' WHEN 2 THEN 'medium' ELSE 'low' END, 'open',
               g.offender_id, g.harmed_id, g.period, g.province_id, 0, 0, 0, 0, :now, :now
        FROM (SELECT h.fingerprint, MIN(h.rule) AS rule, MAX({_RANK.format(c='h.severity')}) AS rank,
                     MIN(h.offender_id) AS offender_id, MIN(h.harmed_id) AS harmed_id, MIN(h.period) AS period,
                     MIN(h.province_id) AS province_id
              FROM conflict_hit h
              WHERE h.scan_key = :key AND NOT EXISTS (SELECT 1 FROM conflict_case c WHERE c.fingerprint = h.fingerprint
                                                      AND c.status IN {_ACTIVE})
              GROUP BY h.fingerprint) g
    """, params).rowcount
    case_of = f"""(SELECT MAX(c.id) FROM conflict_case c WHERE c.fingerprint = h.fingerprint AND c.status IN {_ACTIVE})"""
    _execute(f"""
        INSERT INTO conflict_event (case_id, at, actor_id, action, count)
        SELECT t.case_id, :now, CAST(:actor AS INTEGER),
               CASE WHEN c.evidence_count = 0 THEN 'opened' ELSE 'evidence' END, t.n
        FROM (SELECT {case_of} AS case_id, COUNT(*) AS n FROM conflict_hit h WHERE h.scan_key = :key
              GROUP BY h.fingerprint) t
        JOIN conflict_case c ON c.id = t.case_id
    """, params)
    added = _execute(f"""
        INSERT INTO conflict_evidence (case_id, rule, ref_kind, ref_id, ref2_id, seller_id, order_line_id, scan_id,
                                       code_id, shipment_id, registration_id, grant_id, district_id, occurred_on,
                                       amount_fen, expected_fen, created_at)
        SELECT {case_of}, h.rule, h.ref_kind, h.ref_id, h.ref2_id, h.seller_id, h.order_line_id, h.scan_id, h.code_id,
               h.shipment_id, h.registration_id, h.grant_id, h.district_id, h.occurred_on, h.amount_fen,
               h.expected_fen, :now
        FROM conflict_hit h WHERE h.scan_key = :key
    """, params).rowcount
    _execute(f"""
        UPDATE conflict_case SET
            evidence_count = evidence_count + (SELECT COUNT(*) FROM conflict_hit h WHERE h.scan_key = :key
                                               AND h.fingerprint = conflict_case.fingerprint),
            amount_fen = amount_fen + (SELECT COALESCE(SUM(h.amount_fen), 0) FROM conflict_hit h
                                       WHERE h.scan_key = :key AND h.fingerprint = conflict_case.fingerprint),
            severity = CASE WHEN EXISTS (SELECT 1 FROM conflict_hit h WHERE h.scan_key = :key
                                         AND h.fingerprint = conflict_case.fingerprint AND h.severity = 'high')
                            THEN 'high' ELSE severity END,
            updated_at = :now
        WHERE status IN {_ACTIVE}
          AND fingerprint IN (SELECT h.fingerprint FROM conflict_hit h WHERE h.scan_key = :key)
    """, params)
    _execute("DELETE FROM conflict_hit WHERE scan_key = :key", params)
    return opened, added


def _scan(scope: _Scope, actor_id: int | None, label: str, commit: bool,
          progress: Callable[[str, int, int], None] | None = None) -> ScanResult:
    key = uuid.uuid4().hex
    params = scope.params() | {"key": key, "yes": True}
    result = ScanResult()
    say = progress or (lambda step, done, total: None)
    for number, (rule, step) in enumerate(RULE_STEPS):
        say("/".join(rule), number, len(RULE_STEPS) + 1)
        step(scope, params)
    say("cases", len(RULE_STEPS), len(RULE_STEPS) + 1)
    counts = _execute("SELECT rule, COUNT(*) FROM conflict_hit WHERE scan_key = :key GROUP BY rule", params).all()
    result.hits = {rule: n for rule, n in counts}
    result.cases_opened, result.evidence_added = _file_hits(key, actor_id)
    if result.cases_opened or (actor_id is not None and label != "incremental"):  # a user's period scan, or news
        from channel.services.audit import record

        record(actor_id, "conflicts.scan", "conflict_scan", label,
               {"hits": result.hits, "cases_opened": result.cases_opened, "evidence_added": result.evidence_added})
    if commit:
        db.session.commit()
    return result


def scan_period(month: Month, actor_id: int | None = None, commit: bool = True,
                progress: Callable[[str, int, int], None] | None = None) -> ScanResult:
    """Run every rule over the sell-out lines, code scans and registrations dated in `month`, in
    one transaction. `progress(step, done, total)` is told each rule as it starts, then "cases"
    (filing the findings)."""
    return _scan(_Scope(start=month.start, end=month.end), actor_id, str(month), commit, progress)


def scan_between(start: date, end: date, actor_id: int | None = None, commit: bool = True) -> ScanResult:
    """Run every rule over the rows dated from `start` (inclusive) to `end` (exclusive)."""
    return _scan(_Scope(start=start, end=end), actor_id, f"{start}..{end}", commit)


def bind_new_scans(scan_ids) -> int:
    """Bind the given stored scans to their shipments (see bind_scans); returns rows bound."""
    scope = _Scope(scan_ids=scan_ids)
    return bind_scans(scope, scope.params())


def bind_scans_between(start: date, end: date) -> int:
    """Bind every unbound scan dated from `start` to `end` (exclusive), e.g. after a bulk load."""
    scope = _Scope(start=start, end=end)
    return bind_scans(scope, scope.params())


def scan_new(order_line_ids=(), scan_ids=(), registration_ids=(), actor_id: int | None = None,
             commit: bool = True) -> ScanResult:
    """Run every rule over the given new rows only (call it after inserting them; `commit=False`
    to land the findings in the caller's transaction)."""
    scope = _Scope(line_ids=order_line_ids, scan_ids=scan_ids, registration_ids=registration_ids)
    return _scan(scope, actor_id, "incremental", commit)


INCREMENTAL_MOST = 5000  # more new lines than this: scan their whole date span instead


def scan_imported_lines(line_ids) -> ScanResult:
    """The `AFTER_ORDER_LINES` hook (channel.services.imports): run the rules over order lines
    just committed by an import or an API push (`line_ids`: a SELECT of order_line ids), and
    commit. Only sell-out lines can break a rule; up to INCREMENTAL_MOST of them are examined
    by id, a larger load by its whole date span (set-based; evidence is unique, so rows already
    examined add nothing)."""
    from sqlalchemy import func, select

    from models.sales import OrderLine

    new_sell_out = select(OrderLine.id).where(OrderLine.id.in_(line_ids), OrderLine.kind == "sell_out")
    count, first, last = db.session.execute(
        select(func.count(), func.min(OrderLine.order_date), func.max(OrderLine.order_date))
        .where(OrderLine.id.in_(new_sell_out))).one()
    if not count:
        return ScanResult()
    if count > INCREMENTAL_MOST:
        return scan_between(first, last + timedelta(days=1))
    return scan_new(order_line_ids=list(db.session.scalars(new_sell_out)))


def register_import_hook() -> None:
    """Plug `scan_imported_lines` into the imports and the API (once, however many apps start)."""
    from channel.services import imports

    if scan_imported_lines not in imports.AFTER_ORDER_LINES:
        imports.AFTER_ORDER_LINES.append(scan_imported_lines)
