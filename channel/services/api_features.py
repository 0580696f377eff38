"""JSON API resources of the features merged after the exchange: commission statements (their
ledger lines), conflict cases, code scans and payouts. Registered into
`channel.services.api.API_RESOURCES` (imported at the end of that module), so the routes, the
OpenAPI document and its page follow.

Access is the UI's, from `channel.services.access` and the features' own read services:

- statement lines: a payee's lines when the user may see that seller (`seller_scope`), as the
  statement page (`commissions_statements.statement`);
- statement inquiries: those on the statements the user may see (`scope_inquiries`, through
  `commissions_inquiries.filter_inquiries`, as the statement page and the inbox); read only;
- conflict cases: `scope_cases`; the detail is `conflicts_reports.case_view`, so the evidence is
  masked exactly as on the case page (the harmed party never sees the offender's customer,
  price, order number or amounts; who scanned is for staff);
- code scans: `scope_scans` (the scans of codes shipped to a seller the user may see);
- payouts: `scope_payout_rows` (finance and admins every row; a payee its own rows of approved
  batches; other roles 403); payout batches: finance and admins only;
- import runs: `scope_import_runs` (the roles that may import; an administrator every run,
  the others their own), as the imports page; the detail carries the first errors of the run's
  report, their reasons in the request's language like the API's own errors (the same text as
  the run page and the CLI's report).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select

from channel.domain.errors import DomainError, N_
from channel.domain.periods import Month
from channel.services.access import scope_import_runs, scope_payout_rows, scope_scans, seller_scope
from channel.services.api import BOOL, DATE, INT, NDATE, NINT, NSTR, STR, Filter, Resource, _obj, register
from models import db
from models.commissions import INQUIRY_MESSAGE_KINDS, INQUIRY_STATUSES, LedgerLine, StatementInquiry
from models.exchange import IMPORT_STATUSES, ImportRun
from models.conflicts import RULES, SCANNER_KINDS, STATUSES, CodeScan, ConflictCase
from models.payouts import BATCH_STATUSES, ROW_STATUSES, PayoutBatch, PayoutRow
from models.users import ROLE_ADMIN, ROLE_AGENT, ROLE_FINANCE, ROLE_MANAGER, ROLE_SALES_REP, User

PERIOD_PATTERN = r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$"  # Month.parse's: years FIRST_YEAR..LAST_YEAR (1900-2999)
NDATETIME = {"type": "string", "format": "date-time", "nullable": True}
DATETIME = {"type": "string", "format": "date-time"}


def _utc(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds") + "Z"


def parse_period(value: str | None, name: str = "period") -> str | None:
    if value is None or value == "":
        return None
    try:
        return str(Month.parse(value))
    except (DomainError, ValueError):
        raise DomainError(N_("参数 %(name)s 必须是月份（YYYY-MM）。"), field=name, name=name) from None


class PeriodFilter(Filter):
    def parse(self, args):
        return parse_period(args.get(self.name), self.name)


# ------------------------------------------------------------------------- statement lines

LEDGER_SCHEMA = _obj({
    "id": INT, "period": STR, "payee_id": INT, "kind": STR, "amount_fen": INT, "order_line_id": NINT,
    "return_line_id": NINT, "source_seller_id": NINT, "source_period": NSTR, "base_fen": NINT, "rate_bp": NINT,
    "case_id": NINT, "note": NSTR, "run_id": INT,
})


def ledger_json(line: LedgerLine, user=None) -> dict:
    from channel.services.commissions_statements import kind_of

    return {"id": line.id, "period": line.period, "payee_id": line.payee_id, "kind": kind_of(line),
            "amount_fen": line.amount_fen, "order_line_id": line.order_line_id, "return_line_id": line.return_line_id,
            "source_seller_id": line.source_seller_id, "source_period": line.source_period, "base_fen": line.base_fen,
            "rate_bp": line.rate_bp, "case_id": line.case_id, "note": line.note, "run_id": line.run_id}


def ledger_query(user: User, f: dict) -> Select:
    q = select(LedgerLine)
    scope = seller_scope(user)
    if scope is not None:
        q = q.where(LedgerLine.payee_id.in_(scope))
    if f.get("payee_id"):
        q = q.where(LedgerLine.payee_id == f["payee_id"])
    if f.get("period"):
        q = q.where(LedgerLine.period == f["period"])
    return q


STATEMENT_SCHEMA = _obj({
    "payee_id": INT, "payee_code": STR, "payee_name": STR, "period": STR, "total_fen": INT, "net_sales_fen": INT,
    "totals": {"type": "object", "additionalProperties": {"type": "integer"}},
    "lines": {"type": "array", "items": {"$ref": "#/components/schemas/StatementLines"}},
})


def statement_json(user: User, payee_id: int, args) -> dict:
    """One payee's statement for `?period=` (required), as the statement page shows it."""
    from channel.services.commissions_statements import statement

    period = parse_period(args.get("period"))
    if period is None:
        raise DomainError(N_("缺少参数 %(name)s。"), field="period", name="period")
    st = statement(user, payee_id, period)
    return {"payee_id": st.seller.id, "payee_code": st.seller.code, "payee_name": st.seller.name, "period": st.period,
            "total_fen": st.total_fen, "net_sales_fen": st.net_sales_fen, "totals": st.totals,
            "lines": [ledger_json(item.line) for item in st.lines]}


# --------------------------------------------------------------------- statement inquiries

INQUIRY_SCHEMA = _obj({
    "id": INT, "payee_id": INT, "period": STR, "ledger_line_id": NINT,
    "status": {"type": "string", "enum": list(INQUIRY_STATUSES)}, "question": STR,
    "answer": {**NSTR, "description": "The latest answer"}, "raised_by": STR, "answered_by": NSTR,
    "created_at": DATETIME, "updated_at": DATETIME, "answered_at": NDATETIME, "closed_at": NDATETIME,
})
INQUIRY_MESSAGE_SCHEMA = _obj({"kind": {"type": "string", "enum": list(INQUIRY_MESSAGE_KINDS)}, "body": STR,
                               "author": STR, "at": DATETIME})
INQUIRY_DETAIL_SCHEMA = {**INQUIRY_SCHEMA, "properties": {
    **INQUIRY_SCHEMA["properties"],
    "messages": {"type": "array", "items": INQUIRY_MESSAGE_SCHEMA,
                 "description": "The thread after the question: every answer and follow-up, oldest first"}},
    "required": INQUIRY_SCHEMA["required"] + ["messages"]}


def inquiry_json(item: StatementInquiry, user=None) -> dict:
    return {"id": item.id, "payee_id": item.payee_id, "period": item.period, "ledger_line_id": item.ledger_line_id,
            "status": item.status, "question": item.question, "answer": item.answer,
            "raised_by": item.raised_by.display_name,
            "answered_by": item.answered_by.display_name if item.answered_by else None,
            "created_at": _utc(item.created_at), "updated_at": _utc(item.updated_at),
            "answered_at": _utc(item.answered_at), "closed_at": _utc(item.closed_at)}


def inquiry_detail_json(item: StatementInquiry, user=None) -> dict:
    return {**inquiry_json(item, user), "messages": [
        {"kind": m.kind, "body": m.body, "author": m.author.display_name, "at": _utc(m.created_at)}
        for m in item.messages]}


def inquiry_query(user: User, f: dict) -> Select:
    """The statement page's rule: inquiries on the statements of the payees `user` may see."""
    from channel.services.commissions_inquiries import filter_inquiries

    from sqlalchemy.orm import selectinload

    query = select(StatementInquiry).options(selectinload(StatementInquiry.raised_by),
                                             selectinload(StatementInquiry.answered_by))
    return filter_inquiries(query, user, status=f.get("status"), period=f.get("period"), payee_id=f.get("payee_id"))


# -------------------------------------------------------------------------- conflict cases

CASE_SCHEMA = _obj({
    "id": INT, "rule": {"type": "string", "enum": list(RULES)}, "severity": STR,
    "status": {"type": "string", "enum": list(STATUSES)}, "offender_id": NINT, "offender_code": NSTR,
    "harmed_id": NINT, "harmed_code": NSTR, "period": STR, "province_id": NINT, "evidence_count": INT,
    "amount_fen": {"type": "integer", "nullable": True, "description": "Only for staff and the offender"},
    "opened_at": DATETIME, "closed_at": NDATETIME,
})
EVIDENCE_SCHEMA = _obj({
    "id": INT, "rule": STR, "occurred_on": NDATE, "district_id": NINT, "own": BOOL,
    "product": NSTR, "qty": NINT, "code": NSTR, "scanner_kind": NSTR,
    "order_id": NINT, "order_no": NSTR, "customer": NSTR, "unit_price_fen": NINT, "scanned_by": NSTR,
    "registration": {"type": "object", "nullable": True, "properties": {
        "id": INT, "customer_name": STR, "registered_on": DATE, "protected_until": DATE,
        "protection_lapsed_on": {**NDATE, "description": "The day the registration stopped protecting because its "
                                 "seller was deactivated before protected_until; null while it protects as dated"}}},
}, required=["id", "rule", "own"])
EVENT_SCHEMA = _obj({"at": DATETIME, "action": STR, "from_status": NSTR, "to_status": NSTR, "note": NSTR})
CASE_DETAIL_SCHEMA = {**CASE_SCHEMA, "properties": {
    **CASE_SCHEMA["properties"], "overdue": BOOL, "age_days": INT,
    "evidence": {"type": "array", "items": EVIDENCE_SCHEMA}, "events": {"type": "array", "items": EVENT_SCHEMA}},
    "required": CASE_SCHEMA["required"] + ["overdue", "age_days", "evidence", "events"]}


def case_json(case: ConflictCase, user: User) -> dict:
    from channel.services.conflicts_reports import sees_amount

    return {"id": case.id, "rule": case.rule, "severity": case.severity, "status": case.status,
            "offender_id": case.offender_id, "offender_code": case.offender.code if case.offender else None,
            "harmed_id": case.harmed_id, "harmed_code": case.harmed.code if case.harmed else None,
            "period": case.period, "province_id": case.province_id, "evidence_count": case.evidence_count,
            "amount_fen": case.amount_fen if sees_amount(user, case) else None,
            "opened_at": _utc(case.opened_at), "closed_at": _utc(case.closed_at)}


def case_detail_json(case: ConflictCase, user: User) -> dict:
    """The case with its evidence masked for `user` exactly as the case page (case_view)."""
    from channel.services.conflicts_reports import case_view, protection_lapsed_on

    view = case_view(user, case.id)
    evidence = []
    for row in view["evidence"]:
        e = row.evidence
        item = {"id": e.id, "rule": e.rule, "occurred_on": e.occurred_on.isoformat() if e.occurred_on else None,
                "district_id": e.district_id, "own": row.detail, "product": row.product, "qty": row.qty,
                "code": row.code, "scanner_kind": row.scanner_kind}
        if row.detail:
            item.update(order_id=row.order_id, order_no=row.order_no, customer=row.customer,
                        unit_price_fen=row.unit_price_fen)
        if row.scanned_by is not None:
            item["scanned_by"] = row.scanned_by
        reg = row.registration
        lapsed = None if reg is None else protection_lapsed_on(reg)
        item["registration"] = None if reg is None else {
            "id": reg.id, "customer_name": reg.customer_name, "registered_on": reg.registered_on.isoformat(),
            "protected_until": reg.protected_until.isoformat(),
            "protection_lapsed_on": lapsed.isoformat() if lapsed else None}
        evidence.append(item)
    events = [{"at": _utc(ev.at), "action": ev.action, "from_status": ev.from_status, "to_status": ev.to_status,
               "note": ev.note} for ev in view["events"]]
    return dict(case_json(case, user), overdue=view["overdue"], age_days=view["age_days"], evidence=evidence,
                events=events)


def case_query(user: User, f: dict) -> Select:
    from channel.services.conflicts_reports import CaseFilters
    from channel.services.conflicts_reports import case_query as scoped

    return scoped(user, CaseFilters(rule=f.get("rule"), severity=f.get("severity"), status=f.get("status"),
                                    seller_id=f.get("seller_id"), period=f.get("period"),
                                    overdue=f.get("overdue") == "true"))


# ------------------------------------------------------------------------------- code scans

SCAN_SCHEMA = _obj({
    "id": INT, "code": STR, "known_code": BOOL, "district_id": INT, "scanned_at": DATETIME, "scanned_on": DATE,
    "scanner_kind": {"type": "string", "enum": list(SCANNER_KINDS)}, "agent_id": NINT,
    "scanned_by": {"type": "string", "nullable": True, "description": "Staff only"},
})


def scan_json(scan: CodeScan, user: User) -> dict:
    return {"id": scan.id, "code": scan.code_text, "known_code": scan.code_id is not None,
            "district_id": scan.district_id, "scanned_at": _utc(scan.scanned_at), "scanned_on": scan.scanned_on.isoformat(),
            "scanner_kind": scan.scanner_kind, "agent_id": scan.agent_id,
            "scanned_by": scan.scanned_by if user.sees_everything else None}


def scan_query(user: User, f: dict) -> Select:
    q = scope_scans(select(CodeScan), user)
    if f.get("code"):
        q = q.where(CodeScan.code_text == f["code"])
    if f.get("district_id"):
        q = q.where(CodeScan.district_id == f["district_id"])
    if f.get("agent_id"):
        q = q.where(CodeScan.agent_id == f["agent_id"])
    if f.get("date_from"):
        q = q.where(CodeScan.scanned_on >= f["date_from"])
    if f.get("date_to"):
        q = q.where(CodeScan.scanned_on <= f["date_to"])
    return q


SCAN_PUSH_SCHEMA = {
    "type": "object", "required": ["scans"],
    "properties": {"scans": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {
        "type": "object", "required": ["code", "district_id", "scanned_at", "scanner_kind"],
        "properties": {
            "code": {"type": "string", "minLength": 1, "maxLength": 64},
            "district_id": {"type": "integer", "minimum": 100000, "maximum": 999999},
            "scanned_at": {"type": "string", "format": "date-time",
                           "description": "RFC 3339 with an offset; without one it is taken as UTC"},
            "scanner_kind": {"type": "string", "enum": list(SCANNER_KINDS)},
            "scanned_by": {"type": "string", "maxLength": 100}}}}},
}
SCAN_PUSH_RESULT = _obj({"created": INT, "already_stored": INT, "data": {"type": "array", "items": {"$ref": "#/components/schemas/CodeScans"}}})


def push_scans(user: User, body) -> tuple[dict, bool]:
    """Record scans sent by scanners (see SCAN_PUSH_SCHEMA). Idempotent by the scan's natural
    key (code, district, scanned_at to the second): a scan sent again is not stored twice.
    Returns (the stored scans as JSON, whether any was new)."""
    from channel.services.api import _field
    from channel.services.conflicts_cases import ScanInput
    from channel.services.scans_intake import take_scans

    if not isinstance(body, dict):
        raise DomainError(N_("请求体必须是 JSON 对象。"), field="body")
    raw = body.get("scans")
    if not isinstance(raw, list) or not 1 <= len(raw) <= 1000:
        raise DomainError(N_("字段 %(name)s 必须是 1 到 %(n)s 个元素的数组。"), field="scans", name="scans", n=1000)
    inputs = []
    for index, item in enumerate(raw):
        where = f"scans[{index}]"
        if not isinstance(item, dict):
            raise DomainError(N_("扫码记录必须是 JSON 对象。"), field=where)
        try:
            code = _field(item, "code", str, max_len=64)
            district = _field(item, "district_id", int, low=100000, high=999999)
            kind = _field(item, "scanner_kind", str, max_len=10)
            by = _field(item, "scanned_by", str, required=False, max_len=100)
            text = _field(item, "scanned_at", str, max_len=40)
        except DomainError as error:
            error.field = f"{where}.{error.field}"
            raise
        if kind not in SCANNER_KINDS:
            raise DomainError(N_("参数 %(name)s 应为 %(allowed)s 之一。"), field=f"{where}.scanner_kind",
                              name="scanner_kind", allowed=", ".join(SCANNER_KINDS))
        try:
            moment = datetime.fromisoformat(text)
            if not 2000 <= moment.year <= 2100:
                raise ValueError(text)
        except ValueError:
            raise DomainError(N_("字段 %(name)s 必须是时间（RFC 3339）。"), field=f"{where}.scanned_at",
                              name="scanned_at") from None
        inputs.append(ScanInput(code, district, moment, kind, by))
    try:
        ids, created = take_scans(inputs)
    except DomainError as error:
        error.field = f"scans.{error.field}" if error.field else "scans"
        raise
    rows = {s.id: s for s in db.session.scalars(select(CodeScan).where(CodeScan.id.in_(set(ids))))}
    unique = list(dict.fromkeys(ids))
    return {"created": created, "already_stored": len(unique) - created,
            "data": [scan_json(rows[i], user) for i in unique]}, created > 0


# ---------------------------------------------------------------------------------- payouts

PAYOUT_SCHEMA = _obj({
    "id": INT, "batch_id": INT, "period": STR, "payee_id": INT, "payee_code": STR, "payee_name": STR,
    "payee_type": STR, "status": STR, "gross_fen": INT, "tax_fen": INT, "net_fen": INT, "lines": INT,
    "invoice_no": NSTR, "paid_at": NDATETIME,
})


def payout_json(row: PayoutRow, user=None) -> dict:
    return {"id": row.id, "batch_id": row.batch_id, "period": row.batch.period, "payee_id": row.payee_id,
            "payee_code": row.payee_code, "payee_name": row.payee_name, "payee_type": row.payee_type,
            "status": row.status, "gross_fen": row.gross_fen, "tax_fen": row.tax_fen, "net_fen": row.net_fen,
            "lines": row.lines, "invoice_no": row.invoice_no, "paid_at": _utc(row.paid_at)}


def payout_query(user: User, f: dict) -> Select:
    q = scope_payout_rows(select(PayoutRow), user)
    if f.get("batch_id"):
        q = q.where(PayoutRow.batch_id == f["batch_id"])
    if f.get("payee_id"):
        q = q.where(PayoutRow.payee_id == f["payee_id"])
    if f.get("status"):
        q = q.where(PayoutRow.status == f["status"])
    if f.get("period"):
        q = q.where(PayoutRow.batch_id.in_(select(PayoutBatch.id).where(PayoutBatch.period == f["period"])))
    return q


BATCH_SCHEMA = _obj({
    "id": INT, "period": STR, "status": STR, "minimum_fen": INT, "total_fen": INT, "tax_fen": INT, "net_fen": INT,
    "payees": INT, "created_at": DATETIME, "approved_at": NDATETIME, "exported_at": NDATETIME, "paid_at": NDATETIME,
})


def batch_json(batch: PayoutBatch, user=None) -> dict:
    return {"id": batch.id, "period": batch.period, "status": batch.status, "minimum_fen": batch.minimum_fen,
            "total_fen": batch.total_fen, "tax_fen": batch.tax_fen, "net_fen": batch.net_fen, "payees": batch.payees,
            "created_at": _utc(batch.created_at), "approved_at": _utc(batch.approved_at),
            "exported_at": _utc(batch.exported_at), "paid_at": _utc(batch.paid_at)}


def batch_query(user: User, f: dict) -> Select:
    q = select(PayoutBatch)
    if f.get("status"):
        q = q.where(PayoutBatch.status == f["status"])
    if f.get("period"):
        q = q.where(PayoutBatch.period == f["period"])
    return q


register(Resource("statement_lines", LedgerLine, "Commission ledger lines (statement lines) of the payees you may see",
                  ledger_query, ledger_json, LEDGER_SCHEMA,
                  (Filter("payee_id", "integer", "Lines of this payee"),
                   PeriodFilter("period", "string", "Month YYYY-MM")), tag="commissions"))
register(Resource("statement_inquiries", StatementInquiry,
                  "Statement inquiries (对账疑问) on the statements of the payees you may see", inquiry_query,
                  inquiry_json, INQUIRY_SCHEMA,
                  (Filter("status", "string", "Status", enum=INQUIRY_STATUSES),
                   PeriodFilter("period", "string", "Statement month YYYY-MM"),
                   Filter("payee_id", "integer", "Of this payee's statements")),
                  tag="commissions", detail_serialize=inquiry_detail_json, detail_schema=INQUIRY_DETAIL_SCHEMA))
register(Resource("conflict_cases", ConflictCase, "Conflict cases (the evidence is masked as on the case page)",
                  case_query, case_json, CASE_SCHEMA,
                  (Filter("rule", "string", "Rule", enum=RULES),
                   Filter("severity", "string", "Severity", enum=("low", "medium", "high")),
                   Filter("status", "string", "Status", enum=STATUSES),
                   Filter("seller_id", "integer", "Offender or harmed party"),
                   PeriodFilter("period", "string", "Month YYYY-MM"),
                   Filter("overdue", "string", "Only open cases past the SLA", enum=("true", "false"))),
                  tag="conflicts", detail_serialize=case_detail_json, detail_schema=CASE_DETAIL_SCHEMA))
register(Resource("code_scans", CodeScan, "Code scans (一物一码) of codes shipped to sellers you may see", scan_query,
                  scan_json, SCAN_SCHEMA,
                  (Filter("code", "string", "Scanned text"), Filter("district_id", "integer", "Scanned in this district"),
                   Filter("agent_id", "integer", "Codes shipped to this agent"),
                   Filter("date_from", "date", "Scan date from (inclusive)"),
                   Filter("date_to", "date", "Scan date to (inclusive)")), tag="conflicts"))
register(Resource("payouts", PayoutRow, "Payouts (a payee sees only its own, once approved)", payout_query, payout_json,
                  PAYOUT_SCHEMA,
                  (Filter("batch_id", "integer", "Of this batch"), Filter("payee_id", "integer", "Of this payee"),
                   Filter("status", "string", "Row status", enum=ROW_STATUSES),
                   PeriodFilter("period", "string", "Batch period YYYY-MM")),
                  tag="payouts", roles=(ROLE_FINANCE, ROLE_ADMIN, ROLE_AGENT, ROLE_SALES_REP)))
register(Resource("payout_batches", PayoutBatch, "Payout batches (finance and admins)", batch_query, batch_json,
                  BATCH_SCHEMA,
                  (Filter("status", "string", "Batch status", enum=BATCH_STATUSES),
                   PeriodFilter("period", "string", "Month YYYY-MM")),
                  tag="payouts", roles=(ROLE_FINANCE, ROLE_ADMIN)))


# --------------------------------------------------------------------------------- import runs

IMPORT_RUN_ERRORS = 200  # errors in a run's detail, as on its page; the CSV download has them all

IMPORT_RUN_SCHEMA = _obj({
    "id": INT, "kind": STR, "filename": STR, "status": {"type": "string", "enum": list(IMPORT_STATUSES)},
    "total_rows": INT, "inserted": INT, "skipped": INT, "error_count": INT, "created_at": DATETIME,
    "finished_at": NDATETIME,
})
IMPORT_ERROR_SCHEMA = _obj({"row": INT, "column": STR, "value": STR, "reason": STR})
IMPORT_RUN_DETAIL_SCHEMA = {**IMPORT_RUN_SCHEMA, "properties": {
    **IMPORT_RUN_SCHEMA["properties"],
    "errors": {"type": "array", "items": IMPORT_ERROR_SCHEMA,
               "description": f"The first {IMPORT_RUN_ERRORS} errors of a rejected run, every bad cell of a row "
                              "(error_count counts them all); reasons in the request's language"},
}, "required": IMPORT_RUN_SCHEMA["required"] + ["errors"]}


def import_run_json(run: ImportRun, user=None) -> dict:
    return {"id": run.id, "kind": run.kind, "filename": run.filename, "status": run.status,
            "total_rows": run.total_rows, "inserted": run.inserted, "skipped": run.skipped,
            "error_count": run.error_count, "created_at": _utc(run.created_at), "finished_at": _utc(run.finished_at)}


def import_run_detail_json(run: ImportRun, user=None) -> dict:
    from channel.domain.imports import decode_report
    from channel.i18n import request_translations

    translate = request_translations().ugettext
    errors = [{"row": e.row, "column": e.column, "value": e.value, "reason": e.text(translate)}
              for e in decode_report(run.report_csv, IMPORT_RUN_ERRORS)]
    return {**import_run_json(run, user), "errors": errors}


def import_run_query(user: User, f: dict) -> Select:
    q = scope_import_runs(select(ImportRun), user)
    if f.get("kind"):
        q = q.where(ImportRun.kind == f["kind"])
    if f.get("status"):
        q = q.where(ImportRun.status == f["status"])
    return q


register(Resource("import_runs", ImportRun, "Import runs and their per-cell error reports (yours; administrators: all)",
                  import_run_query, import_run_json, IMPORT_RUN_SCHEMA,
                  (Filter("kind", "string", "Import kind (agents, orders, ...)"),
                   Filter("status", "string", "Run status", enum=IMPORT_STATUSES)),
                  tag="exchange", detail_serialize=import_run_detail_json, detail_schema=IMPORT_RUN_DETAIL_SCHEMA,
                  roles=(ROLE_ADMIN, ROLE_MANAGER, ROLE_FINANCE)))
