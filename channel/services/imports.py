"""Imports: validate a whole file first, then commit all of it or nothing.

`IMPORT_KINDS` is the registry of what can be imported. Adding a kind is declarative: subclass
`RowKind` (a small kind written row by row through an existing service) or `ImportKind` (a
bulk kind with its own two passes), give it a `Schema` of columns and a natural key, and call
`register(...)`. `import_file` drives every kind the same way:

1. pass 1 reads and checks every row (cells, duplicates inside the file, references, the
   services' rules) and collects a `RowError` for every bad cell of every row (a bad cell does
   not stop the checks of the row's other cells);
2. if any row is bad, nothing is written (the transaction is rolled back) and the run is
   `rejected` with its report (msgids and parameters, rendered in the reader's language when
   shown: `report_rows`, `rendered_report`); otherwise
3. pass 2 writes the rows not already stored (natural keys make a re-import a no-op), in one
   transaction, and commits once.

After order lines are committed, every function in `AFTER_ORDER_LINES` is called with a SELECT
of the new order-line ids (the hook the conflict scan plugs into): see `after_order_lines`.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from sqlalchemy import func, insert, select, update

from channel.domain import imports as parse
from channel.domain.customers import clean_credit_code
from channel.domain.exports import yuan_text
from channel.domain.money import MAX_AMOUNT_FEN, format_fen
from channel.domain.orders import MAX_UNIT_PRICE_FEN, check_order_total, check_seller_selling, line_amount_fen
from channel.domain.periods import FIRST_YEAR, LAST_YEAR, iso_date
from channel.domain.tree import CodeBook, code_key, stored_spelling
from channel.domain.errors import DomainError, N_
from channel.domain.imports import (Column, ImportFileError, RowError, RowRule, Schema, TableFile,
                                    check_row, decode_report, encode_report, render_report)
from models import db, utcnow
from models.catalog import PRICE_FLOOR, PRICE_SELL_IN, Product, ProductPrice
from models.exchange import IMPORT_DONE, IMPORT_FAILED, IMPORT_REJECTED, ImportRun
from models.sales import KIND_SELL_IN, KIND_SELL_OUT, Customer, OrderLine, ReturnLine, SalesOrder
from models.territory import Territory
from models.tree import CHANNEL_AGENT, CHANNEL_DIRECT, PAYEE_TYPES, Seller, SellerClosure, TerritoryGrant

Progress = Callable[[str, int, int], None]  # (phase 'check'|'write', rows done, rows in file)
REPORT_LIMIT = 100_000  # errors (bad cells) kept in a report; the count is always exact
CHUNK = 10_000
IN_CHUNK = 500
MAX_LINE_NO = 9999  # an order's line numbers are 1..9999 (the orders and the returns imports)

# Called after order lines are committed, with a SELECT of the new order_line ids.
AFTER_ORDER_LINES: list[Callable] = []


def after_order_lines(line_ids) -> None:
    """Run the hooks on newly committed order lines (`line_ids`: a SELECT of order_line.id).

    Hooks run after the commit, each in its own transaction; a failing hook is logged and does
    not undo the import (the lines are stored; the hook can be re-run on them).
    """
    import logging

    for hook in AFTER_ORDER_LINES:
        try:
            hook(line_ids)
        except Exception:  # noqa: BLE001 - a hook must not undo an import
            db.session.rollback()
            logging.getLogger(__name__).exception("after_order_lines hook %r failed", hook)


@dataclass
class Outcome:
    total_rows: int = 0
    inserted: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    new_line_ids: object = None  # a SELECT of new order_line ids, for the hook

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < REPORT_LIMIT:
            self.errors.append(error)


class ImportKind:
    """A kind of record that can be imported. Subclasses set `key`, `label` (a msgid),
    `schema`, `natural_key` (a msgid describing it) and implement `run`."""

    key: str
    label: str
    natural_key: str
    schema: Schema

    def run(self, table: TableFile, outcome: Outcome, user_id: int | None, progress: Progress) -> None:
        """Check every row, add errors to `outcome`; when none, write (no commit)."""
        raise NotImplementedError


IMPORT_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    IMPORT_KINDS[kind.key] = kind
    return kind


def get_kind(key: str) -> ImportKind:
    kind = IMPORT_KINDS.get(key)
    if kind is None:
        raise DomainError(N_("不能导入这种数据：%(kind)s。"), field="kind", kind=key)
    return kind


def _label_of(kind: ImportKind, key: str) -> str:
    for column in kind.schema.columns:
        if column.key == key:
            return column.label
    return key


def _domain_row_error(kind: ImportKind, row: int, record: dict, error: DomainError, column_key: str | None = None) -> RowError:
    """A service's refusal of a row, on the column its field names (a service's own field name,
    e.g. `district_id`, read through the kind's `service_fields`)."""
    key = column_key or getattr(kind, "service_fields", {}).get(error.field, error.field) or ""
    value = record.get(key)
    return RowError(row, _label_of(kind, key) if key else "", "" if value is None else str(value),
                    error.message, tuple(error.params.items()))


# the unified social credit code's check digit; the cell is kept normalised (NFKC, upper case)
CREDIT_CODE_RULE = RowRule(("credit_code",), lambda r: r.update(credit_code=clean_credit_code(r["credit_code"])))


def count_rows(table: TableFile) -> int:
    """Data rows in the file (a fast count of line breaks for CSV; exact for XLSX)."""
    if table.xlsx:
        return sum(1 for _ in table.rows()) - 1
    lines = 0
    last = b""
    with open(table.path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk
    if last and not last.endswith(b"\n"):
        lines += 1
    return max(lines - 1, 0)


# ------------------------------------------------------------------------------------ the driver

def runs_query(user):
    """SELECT of the import runs `user` may see (channel.services.access), newest first: the
    import history on the imports page and its export."""
    from channel.services.access import scope_import_runs

    return scope_import_runs(select(ImportRun), user).order_by(ImportRun.id.desc())


def import_file(kind_key: str, path: str, user_id: int | None = None, filename: str | None = None,
                progress: Progress | None = None) -> ImportRun:
    """Import the file at `path` as `kind_key`: all rows or none, in ONE transaction that also
    records the run (so a process killed midway leaves neither rows nor a run behind; natural
    keys make running it again safe). The CLI, the `exchange.import` job and the tests call it.

    Returns the run: `done` (rows written and run recorded, committed once) or `rejected` (bad
    rows: nothing written; the run keeps the per-cell report in `report_csv`, as msgids:
    `report_rows` / `rendered_report` render it). An unexpected
    error: nothing written, a `failed` run recorded (its own small commit), the error re-raised.
    `progress(phase, done, total)`: phase 'check' then 'write', rows done of rows in the file.
    """
    import os

    kind = get_kind(kind_key)
    filename = (filename or os.path.basename(path))[:255]
    started = utcnow()
    outcome = Outcome()
    progress = progress or (lambda phase, done, total: None)
    try:
        table = TableFile(path, filename)
        outcome.total_rows = count_rows(table)
        progress("check", 0, outcome.total_rows)
        kind.run(table, outcome, user_id, progress)
    except ImportFileError as error:
        outcome.add(RowError(0, "", "", error.message, tuple(error.params.items())))
    except Exception:
        db.session.rollback()
        _record_failure(kind_key, filename, user_id, started)
        raise
    if outcome.error_count:
        db.session.rollback()
    else:
        progress("write", outcome.total_rows, outcome.total_rows)
    run = ImportRun(kind=kind_key, filename=filename, created_by_id=user_id, created_at=started,
                    status=IMPORT_REJECTED if outcome.error_count else IMPORT_DONE,
                    report_csv=encode_report(outcome.errors) if outcome.error_count else None,
                    total_rows=outcome.total_rows, inserted=0 if outcome.error_count else outcome.inserted,
                    skipped=0 if outcome.error_count else outcome.skipped, error_count=outcome.error_count,
                    finished_at=utcnow())
    db.session.add(run)
    db.session.flush()
    if run.status == IMPORT_DONE:
        from channel.services import audit

        audit.record(user_id, "import." + run.kind, "import_run", run.id,
                     {"filename": run.filename, "inserted": run.inserted, "skipped": run.skipped})
    db.session.commit()
    if run.status == IMPORT_DONE and outcome.new_line_ids is not None and outcome.inserted:
        after_order_lines(outcome.new_line_ids)
    return run


def _record_failure(kind_key: str, filename: str, user_id: int | None, started) -> None:
    """Leave a trace of an import that failed unexpectedly (nothing of it was stored)."""
    try:
        db.session.add(ImportRun(kind=kind_key, filename=filename, created_by_id=user_id, created_at=started,
                                 status=IMPORT_FAILED, message="unexpected error; nothing was stored",
                                 finished_at=utcnow()))
        db.session.commit()
    except Exception:  # noqa: BLE001 - the original error matters more
        db.session.rollback()


Translate = Callable[[str], str]  # a gettext; the identity gives the Chinese source text


def _chinese(message: str) -> str:
    return message


def report_rows(report_csv: str | None, limit: int = 200, translate: Translate = _chinese) -> list[list[str]]:
    """The first `limit` errors of a run's stored report as [row, column, value, reason], the
    column and the reason in the language of `translate` (the run page passes the viewer's). A report stored
    before reasons were kept as msgids shows its reasons as they were written."""
    return [[str(e.row), parse.column_text(e.column, translate), e.value, e.text(translate)]
            for e in decode_report(report_csv, limit)]


def rendered_report(report_csv: str | None, translate: Translate = _chinese) -> str:
    """A run's whole report as the CSV people download (行, 列, 值, 原因), the header, columns
    and reasons in the language of `translate`: the download in the viewer's language, the CLI's
    file in Chinese."""
    return render_report(decode_report(report_csv), translate)


def template_csv(kind_key: str) -> bytes:
    """A downloadable template: the header (Chinese labels) and one example row, UTF-8 with BOM
    so that Excel opens it right."""
    schema = get_kind(kind_key).schema
    return parse.csv_bytes(schema.template_header(), [schema.template_example()])


def template_xlsx(kind_key: str) -> bytes:
    from channel.services import xlsx

    schema = get_kind(kind_key).schema
    buffer = io.BytesIO()
    xlsx.write(buffer, [schema.template_header(), schema.template_example()], sheet_name=kind_key)
    return buffer.getvalue()


# ------------------------------------------------------------------------------ lookups, shared

def _in_chunks(values: list, size: int = IN_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _sellers_by_code() -> CodeBook:
    """code → (id, channel, level, active), every seller (found in any letter case: CodeBook)."""
    return CodeBook((code, (i, ch, lv, act)) for i, code, ch, lv, act in db.session.execute(
        select(Seller.id, Seller.code, Seller.channel, Seller.level, Seller.active)))


def _stored_codes(column) -> CodeBook:
    """Every stored code of `column` (Customer.code, Product.sku), found in any letter case."""
    return CodeBook.of(db.session.scalars(select(column).where(column.is_not(None))))


def _code_rule(field_key: str, codes: CodeBook, unknown: str | None = None, param: str = "code") -> RowRule:
    """A rule: the code in cell `field_key` (when filled) names a stored code as people type it
    (channel.domain.tree.code_key: trimmed, any letter case) and is read as the stored spelling
    ('ag-001' is the stored AG-001), so that the row's later checks, its natural key and what
    is written use the stored code. A code not stored is the error `unknown` (a reference; its
    parameter `param`), or without `unknown` is kept as written (a row's own new code)."""
    def test(r: dict) -> None:
        if r[field_key] is None:
            return
        stored = codes.spelling(r[field_key])
        if stored is not None:
            r[field_key] = stored
        elif unknown is not None:
            raise DomainError(unknown, field=field_key, **{param: r[field_key]})

    return RowRule((field_key,), test)


def _districts() -> set[int]:
    """Ids of divisions an order can ship to (cities and districts)."""
    return set(db.session.scalars(select(Territory.id).where(Territory.level >= 2)))


def _territories() -> set[int]:
    return set(db.session.scalars(select(Territory.id)))


# ---------------------------------------------------------------------------- row-by-row kinds

class RowKind(ImportKind):
    """A kind written row by row through an existing service (fine up to ~100,000 rows).

    Subclasses give `key_of(record)` (the natural key), `exists(record)` (already stored: the
    row is skipped), optionally `rules` (pure `RowRule`s on the row's cells: every failing rule
    is reported, each on its column, next to the cells that did not parse), optionally
    `check(record)` (raise DomainError: one more rule, run on a row whose cells are all good)
    and `apply(record, user_id)` which calls the service with commit=False (raises DomainError:
    the first problem the service finds).
    """

    rules: tuple[RowRule, ...] = ()
    service_fields: dict[str, str] = {}  # a service's field name → the column reported (e.g. district_id → district)

    def row_rules(self) -> tuple[RowRule, ...]:
        """The rules of this run: `rules`, plus what a kind checks against stored rows it
        loads once per run (e.g. the codes a reference may name)."""
        return self.rules

    def key_of(self, record: dict) -> tuple:
        raise NotImplementedError

    def exists(self, record: dict) -> bool:
        raise NotImplementedError

    def check(self, record: dict) -> None:
        return None

    def apply(self, record: dict, user_id: int | None) -> None:
        raise NotImplementedError

    def finish(self, user_id: int | None) -> None:
        """Called once after every row was applied without error (e.g. set-based follow-up)."""
        return None

    def run(self, table, outcome, user_id, progress):
        header, rows = table.header_and_rows()
        bound = self.schema.bind(header)
        labels = {c.key: c.label for c in self.schema.columns}
        records: list[tuple[int, dict]] = []
        first_row: dict[tuple, tuple[int, str]] = {}  # natural key → (its first row, its code there)
        errors: list[RowError] = []
        total = outcome.total_rows
        rules = self.row_rules()
        first = self.schema.columns[0]
        for done, (row_no, values) in enumerate(rows, start=1):
            record, bad = bound.parse_cells(row_no, values, errors)
            errors.extend(check_row(row_no, record, bad, rules, labels, lambda key: bound.cell(values, key)))
            if not errors:
                try:
                    self.check(record)
                except DomainError as error:
                    errors.append(_domain_row_error(self, row_no, record, error))
            if not bad:  # a duplicate is reported beside the row's other problems
                key = self.key_of(record)
                if key in first_row:
                    errors.append(_duplicate(row_no, first.label, str(record[first.key]), *first_row[key]))
                else:
                    first_row[key] = (row_no, str(record[first.key]))
                    if not errors:
                        records.append((row_no, record))
            for error in errors:
                outcome.add(error)
            errors.clear()
            if done % 1000 == 0:
                progress("check", done, total)
        for done, (row_no, record) in enumerate(records, start=1):
            if self.exists(record):
                outcome.skipped += 1
                continue
            try:
                self.apply(record, user_id)
                outcome.inserted += 1
            except DomainError as error:
                outcome.add(_domain_row_error(self, row_no, record, error))
            if done % 1000 == 0:
                progress("write", done, total)
        db.session.flush()
        if not outcome.error_count:
            self.finish(user_id)


def _duplicate(row_no: int, column: str, code: str, first_row: int, first_code: str) -> RowError:
    """A row whose natural key is the one of an earlier row of the file; the earlier row's code
    is named when it is written otherwise ('ag-001' on a row, 'AG-001' on the first)."""
    if first_code == code:
        return RowError(row_no, column, code, N_("与第 %(row)s 行重复。"), (("row", first_row),))
    return RowError(row_no, column, code, N_("与第 %(row)s 行的 %(code)s 重复。"), (("row", first_row), ("code", first_code)))


def _seller_id(code: str, field_key: str = "seller_code") -> int:
    from channel.services.tree import seller_by_code

    seller = seller_by_code(code)
    seller_id = seller.id if seller is not None else None
    if seller_id is None:
        raise DomainError(N_("销售方编码 %(code)s 不存在。"), field=field_key, code=code)
    return seller_id


def _seller_known_rule(field_key: str) -> RowRule:
    """A rule: the cell `field_key` names a stored seller (in any letter case, read as its stored
    code: `_code_rule`); the sellers' codes are loaded once."""
    return _code_rule(field_key, _sellers_by_code(), N_("销售方编码 %(code)s 不存在。"))


def _district_rule(field_key: str) -> RowRule:
    """A rule: the cell `field_key`, a customer's location, is a city or district (the rule and
    the words of orders.add_customer); the divisions are loaded once."""
    districts = _districts()

    def test(r: dict) -> None:
        if r[field_key] not in districts:
            raise DomainError(N_("客户所在地必须是一个市或区县的行政区划代码。"), field=field_key)

    return RowRule((field_key,), test)


def _territory_rule(field_key: str) -> RowRule:
    """A rule: the cell `field_key`, when filled, is a stored division (the rule of
    tree.grant_territory)."""
    territories = _territories()

    def test(r: dict) -> None:
        if r[field_key] is not None and r[field_key] not in territories:
            raise DomainError(N_("没有这个行政区划。"), field=field_key)

    return RowRule((field_key,), test)


def _ends_after_start(r: dict) -> None:
    """The rule of tree.grant_territory: an end date, when given, is after the start."""
    if r["valid_to"] is not None and r["valid_to"] <= r["valid_from"]:
        raise DomainError(N_("结束日期必须晚于开始日期。"), field="valid_to")


class TerritoryGrants(RowKind):
    key = "territory_grants"
    label = N_("区域授权")
    natural_key = N_("销售方编码 + 区划代码 + 开始日期")
    schema = Schema([
        Column("seller_code", "销售方编码", parse.text(32), example="SZ"),
        Column("territory", "区划代码", parse.adcode, example="440300"),
        Column("exclusive", "独家", parse.boolean, example="是"),
        Column("valid_from", "开始日期", parse.day, example="2026-01-01"),
        Column("valid_to", "结束日期", parse.day, required=False, example=""),
    ])

    rules = (RowRule(("valid_from", "valid_to"), _ends_after_start),)

    def row_rules(self):
        # an inactive seller on its own column (the service names the territory, the field of
        # its page), beside the row's other problems
        sellers = _sellers_by_code()
        known = _code_rule("seller_code", sellers, N_("销售方编码 %(code)s 不存在。"))

        def seller_active(r):
            known.test(r)  # read as the stored code: the natural key and `exists` compare it
            if not sellers[r["seller_code"]][3]:
                raise DomainError(N_("它已停用，不能授权区域。"), field="seller_code")

        return (RowRule(("seller_code",), seller_active), _territory_rule("territory")) + self.rules

    def key_of(self, r):
        return (code_key(r["seller_code"]), r["territory"], r["valid_from"])

    def exists(self, r):
        return db.session.scalar(select(TerritoryGrant.id).join(Seller, Seller.id == TerritoryGrant.seller_id).where(
            Seller.code == r["seller_code"], TerritoryGrant.territory_id == r["territory"],
            TerritoryGrant.valid_from == r["valid_from"])) is not None

    def apply(self, r, user_id):
        from channel.services.tree import grant_territory

        try:
            grant_territory(_seller_id(r["seller_code"]), r["territory"], exclusive=r["exclusive"],
                            valid_from=r["valid_from"], valid_to=r["valid_to"], granted_by_id=user_id, commit=False)
        except DomainError as error:
            if error.field == "territory" or error.field is None:
                error.field = "territory"
            raise


class Customers(RowKind):
    key = "customers"
    label = N_("客户")
    natural_key = N_("客户编码")
    schema = Schema([
        Column("code", "客户编码", parse.text(32), example="C0001"),
        Column("name", "客户名称", parse.text(200), example="深圳南山华盛贸易有限公司"),
        Column("owner_code", "归属销售方编码", parse.text(32), example="NS"),
        Column("district", "区划代码", parse.adcode, example="440305"),
        Column("credit_code", "统一社会信用代码", parse.text(18), required=False, example="91440300MA5DC6QX9C"),
        Column("contact_name", "联系人", parse.text(64), required=False, example="张三"),
        Column("phone", "电话", parse.text(32), required=False, example="13800138000"),
        Column("address", "地址", parse.text(300), required=False, example="深圳市南山区科技园"),
    ])

    rules = (CREDIT_CODE_RULE,)
    service_fields = {"district_id": "district", "owner_seller_id": "owner_code"}

    def row_rules(self):
        # the owner and the district are checked with the row's other cells (as the orders
        # import does), not first by `apply`: a row reports all its problems at once
        return self.rules + (_code_rule("code", _stored_codes(Customer.code)), _seller_known_rule("owner_code"),
                             _district_rule("district"))

    def key_of(self, r):
        return (code_key(r["code"]),)

    def exists(self, r):
        return db.session.scalar(select(Customer.id).where(Customer.code == r["code"])) is not None

    def apply(self, r, user_id):
        from channel.services.orders import add_customer

        owner = _seller_id(r["owner_code"], "owner_code")
        add_customer(name=r["name"], owner_seller_id=owner, district_id=r["district"], credit_code=r["credit_code"],
                     phone=r["phone"], contact_name=r["contact_name"], address=r["address"], code=r["code"], commit=False)


MAX_CATALOG_FEN = 2_000_000_000  # ¥20,000,000.00: product costs and prices are 32-bit columns (models.catalog)


def _catalog_amount(key: str, negative: str) -> Callable[[dict], None]:
    """A rule: the amount in cell `key` (fen; empty is no amount) is at least 0 (else the msgid
    `negative`) and at most MAX_CATALOG_FEN, so that no file overflows the column."""
    def test(r: dict) -> None:
        fen = r[key]
        if fen is None:
            return
        if fen < 0:
            raise DomainError(negative, field=key)
        if fen > MAX_CATALOG_FEN:
            raise DomainError(N_("金额过大：最多 %(max)s。"), field=key, max=format_fen(MAX_CATALOG_FEN))
    return test


class Products(RowKind):
    key = "products"
    label = N_("产品")
    natural_key = N_("SKU")
    schema = Schema([
        Column("sku", "SKU", parse.text(32), example="P100"),
        Column("name", "产品名称", parse.text(200), example="净水器"),
        Column("category", "品类", parse.text(64), example="净水设备"),
        Column("unit", "单位", parse.text(16), required=False, example="台"),
        Column("cost", "成本（元）", parse.yuan_to_fen, example="1000.00"),
        Column("retail_price", "零售价（元）", parse.yuan_to_fen, example="3000.00"),
        Column("floor_price", "最低价（元）", parse.yuan_to_fen, required=False, example="2550.00"),
        Column("has_unit_codes", "一物一码", parse.boolean, required=False, example="否"),
    ])

    # each amount beside its own column (the service names only the cost, for any of them)
    rules = tuple(RowRule((key,), _catalog_amount(key, N_("价格和成本不能为负数。")))
                  for key in ("cost", "retail_price", "floor_price"))
    service_fields = {"cost_fen": "cost", "retail_price_fen": "retail_price", "floor_price_fen": "floor_price"}

    def row_rules(self):
        return (_code_rule("sku", _stored_codes(Product.sku)),) + self.rules

    def key_of(self, r):
        return (code_key(r["sku"]),)

    def exists(self, r):
        return db.session.scalar(select(Product.id).where(Product.sku == r["sku"])) is not None

    def apply(self, r, user_id):
        from channel.services.orders import add_product

        product = add_product(sku=r["sku"], name=r["name"], category=r["category"], cost_fen=r["cost"],
                              retail_price_fen=r["retail_price"], floor_price_fen=r["floor_price"],
                              has_unit_codes=bool(r["has_unit_codes"]), commit=False)
        if r["unit"]:
            product.unit = r["unit"]


def _level_of_price_kind(r: dict) -> None:
    if r["price_kind"] == PRICE_SELL_IN and r["level"] is None:
        raise DomainError(N_("进货价必须写代理层级。"), field="level")
    if r["price_kind"] == PRICE_FLOOR and r["level"] is not None:
        raise DomainError(N_("最低价不分代理层级。"), field="level")


class Prices(RowKind):
    key = "prices"
    label = N_("价格表")
    natural_key = N_("SKU + 价格类型 + 代理层级 + 生效日期")
    schema = Schema([
        Column("sku", "SKU", parse.text(32), example="P100"),
        Column("price_kind", "价格类型", parse.choice(PRICE_SELL_IN, PRICE_FLOOR), example=PRICE_SELL_IN),
        Column("level", "代理层级", parse.integer, required=False, example="2"),
        Column("price", "价格（元）", parse.yuan_to_fen, example="1860.00"),
        Column("valid_from", "生效日期", parse.day, example="2026-01-01"),
    ])

    rules = (RowRule(("price",), _catalog_amount("price", N_("价格不能为负数。"))),
             RowRule(("price_kind", "level"), _level_of_price_kind))

    def row_rules(self):
        # the SKU and the level's range are checked with the row's other cells, not first by
        # `apply`: a row reports all its problems at once
        from flask import current_app

        levels = len(current_app.config["AGENT_LEVELS"])

        def level_in_range(r):
            if r["level"] is not None and not 1 <= r["level"] <= levels:
                raise DomainError(N_("层级 %(level)s 超出了配置的层级数。"), field="level", level=r["level"])

        return ((_code_rule("sku", _stored_codes(Product.sku), N_("SKU %(sku)s 不存在。"), "sku"),) + self.rules
                + (RowRule(("level",), level_in_range),))

    def key_of(self, r):
        return (code_key(r["sku"]), r["price_kind"], r["level"], r["valid_from"])

    def _product_id(self, sku):
        return db.session.scalar(select(Product.id).where(Product.sku == sku))

    def exists(self, r):
        level = ProductPrice.level.is_(None) if r["level"] is None else ProductPrice.level == r["level"]
        return db.session.scalar(select(ProductPrice.id).where(
            ProductPrice.product_id == self._product_id(r["sku"]), ProductPrice.kind == r["price_kind"], level,
            ProductPrice.valid_from == r["valid_from"])) is not None

    def apply(self, r, user_id):
        db.session.add(ProductPrice(product_id=self._product_id(r["sku"]), kind=r["price_kind"], level=r["level"],
                                    price_fen=r["price"], valid_from=r["valid_from"]))


class Returns(RowKind):
    """Returns of order lines. Every rule of `orders.record_return` is a row rule here, checked
    on every row with the row's other cells (a bad date does not hide an unknown order line or
    a quantity more than is left): the line exists, qty > 0, not dated before the sale, never
    more than is left to return counting the stored returns and the file's earlier rows, and a
    stored return of the same number and line says the same (else it is not a re-import)."""

    key = "returns"
    label = N_("退货")
    natural_key = N_("退货单号 + 订单号 + 行号")
    schema = Schema([
        Column("return_no", "退货单号", parse.text(40), example="RT-0001"),
        Column("order_no", "订单号", parse.text(40), example="SO-0001"),
        Column("line_no", "行号", parse.integer, example="1"),
        Column("qty", "数量", parse.integer, example="1"),
        Column("return_date", "退货日期", parse.day, example="2026-10-20"),
        Column("reason", "原因", parse.text(200), required=False, example="质量问题"),
    ])

    def key_of(self, r):
        return (r["return_no"], r["order_no"], r["line_no"])

    def row_rules(self):
        lines: dict[tuple, object] = {}  # (order no, line no) → (id, qty, order_date) or None
        left: dict[int, int] = {}  # line id → qty still to return (stored returns and earlier rows deducted)
        counted: set[tuple] = set()  # natural keys whose qty is deducted already

        def line_of(r):
            if not 1 <= r["line_no"] <= MAX_LINE_NO:
                return None  # reported by line_known; never an integer overflow in the query
            key = (r["order_no"], r["line_no"])
            if key not in lines:
                lines[key] = db.session.execute(
                    select(OrderLine.id, OrderLine.qty, OrderLine.order_date).join(SalesOrder, SalesOrder.id == OrderLine.order_id)
                    .where(SalesOrder.order_no == r["order_no"], OrderLine.line_no == r["line_no"])).first()
            return lines[key]

        def stored(r, line_id):
            return db.session.execute(select(ReturnLine.qty, ReturnLine.return_date).where(
                ReturnLine.return_no == r["return_no"], ReturnLine.order_line_id == line_id)).first()

        def line_known(r):
            if not 1 <= r["line_no"] <= MAX_LINE_NO:
                raise DomainError(N_("行号必须在 1 到 9999 之间。"), field="line_no")
            if line_of(r) is None:
                raise DomainError(N_("订单 %(no)s 没有第 %(line)s 行。"), field="line_no", no=r["order_no"], line=r["line_no"])

        def qty_positive(r):
            if r["qty"] <= 0:
                raise DomainError(N_("退货数量必须大于 0。"), field="qty")

        def not_before_sale(r):
            line = line_of(r)
            if line is not None and r["return_date"] < line.order_date:
                raise DomainError(N_("退货日期不能早于销售日期。"), field="return_date")

        def same_as_stored(r):
            line = line_of(r)
            was = stored(r, line.id) if line is not None else None
            if was is not None and (was.qty, was.return_date) != (r["qty"], r["return_date"]):
                raise DomainError(N_("退货单 %(no)s 的这一行已存在（数量 %(qty)s，退货日期 %(date)s），与文件不同。"),
                                  field="return_no", no=r["return_no"], qty=was.qty, date=was.return_date.isoformat())

        def not_more_than_left(r):
            line = line_of(r)
            key = self.key_of(r)
            if line is None or r["qty"] <= 0 or key in counted or stored(r, line.id) is not None:
                return  # an unknown line, a bad qty or a duplicate: reported by their own rule
            counted.add(key)
            if line.id not in left:
                left[line.id] = line.qty - db.session.scalar(
                    select(func.coalesce(func.sum(ReturnLine.qty), 0)).where(ReturnLine.order_line_id == line.id))
            if r["qty"] > left[line.id]:
                raise DomainError(N_("退货数量超过了可退数量（还可退 %(left)s）。"), field="qty", left=left[line.id])
            left[line.id] -= r["qty"]

        return self.rules + (
            RowRule(("order_no", "line_no"), line_known),
            RowRule(("qty",), qty_positive),
            RowRule(("order_no", "line_no", "return_date"), not_before_sale),
            RowRule(("return_no", "order_no", "line_no", "qty", "return_date"), same_as_stored),
            RowRule(("return_no", "order_no", "line_no", "qty"), not_more_than_left),
        )

    def _line_id(self, r):
        return db.session.scalar(select(OrderLine.id).join(SalesOrder, SalesOrder.id == OrderLine.order_id).where(
            SalesOrder.order_no == r["order_no"], OrderLine.line_no == r["line_no"]))

    def exists(self, r):
        line_id = self._line_id(r)
        return line_id is not None and db.session.scalar(select(ReturnLine.id).where(
            ReturnLine.return_no == r["return_no"], ReturnLine.order_line_id == line_id)) is not None

    def apply(self, r, user_id):
        from channel.services.orders import record_return

        record_return(return_no=r["return_no"], order_line_id=self._line_id(r), qty=r["qty"],
                      return_date=r["return_date"], reason=r["reason"], commit=False)


# ------------------------------------------------------------------------------- sellers (bulk)

class Sellers(ImportKind):
    """Agents or direct sellers, with their upline's code; closure rows set-based."""

    def __init__(self, channel: str):
        self.channel = channel
        self.key = "agents" if channel == CHANNEL_AGENT else "direct_sellers"
        self.label = N_("代理") if channel == CHANNEL_AGENT else N_("直销人员")
        self.natural_key = N_("编码")
        self.schema = Schema([
            Column("code", "编码", parse.text(32), example="GD01" if channel == CHANNEL_AGENT else "REP01"),
            Column("name", "名称", parse.text(200), example="广东省代" if channel == CHANNEL_AGENT else "张三"),
            Column("level", "层级", parse.integer, example="2" if channel == CHANNEL_AGENT else "3"),
            Column("upline_code", "上级编码", parse.text(32), required=False, example="N1" if channel == CHANNEL_AGENT else "MGR"),
            Column("joined_on", "加入日期", parse.day, example="2026-01-01"),
            Column("payee_type", "收款类型", parse.choice(*PAYEE_TYPES), required=False,
                   example="company" if channel == CHANNEL_AGENT else "employee"),
            Column("credit_code", "统一社会信用代码", parse.text(18), required=False, example=""),
            Column("contact_name", "联系人", parse.text(64), required=False, example="李四"),
            Column("phone", "电话", parse.text(32), required=False, example="13900139000"),
            Column("home_territory", "所在区划代码", parse.adcode, required=False, example="440000"),
        ])

    def run(self, table, outcome, user_id, progress):
        from flask import current_app

        max_level = len(current_app.config["AGENT_LEVELS" if self.channel == CHANNEL_AGENT else "DIRECT_LEVELS"])
        header, rows = table.header_and_rows()
        bound = self.schema.bind(header)
        known = _sellers_by_code()
        territories = _territories()
        # code → (row, record, keys of its cells that are bad or broke a rule): rows with errors
        # are kept too (never written: any error rejects the file) so that their upline is
        # checked like the others' and the rows below them are not told it does not exist
        records: CodeBook = CodeBook()  # found in any letter case, as the stored codes
        errors: list[RowError] = []
        label = {c.key: c.label for c in self.schema.columns}
        key_of_label = {text: key for key, text in label.items()}

        def level_in_range(r):
            if not 1 <= r["level"] <= max_level:
                raise DomainError(N_("层级 %(level)s 超出了配置的层级数。"), field="level", level=r["level"])

        def territory_known(r):
            if r["home_territory"] is not None and r["home_territory"] not in territories:
                raise DomainError(N_("没有这个行政区划。"), field="home_territory")

        rules = (CREDIT_CODE_RULE,
                 RowRule(("level",), level_in_range), RowRule(("home_territory",), territory_known))
        for done, (row_no, values) in enumerate(rows, start=1):
            record, bad = bound.parse_cells(row_no, values, errors)
            broken = parse.check_row(row_no, record, bad, rules, label)
            errors.extend(broken)
            bad = bad.union(key_of_label.get(e.column, "") for e in broken)
            code = record["code"]
            if record.get("upline_code"):  # an upline typed in another letter case than stored
                record["upline_code"] = stored_spelling(record["upline_code"], records, known) or record["upline_code"]
            if code is not None:
                if (earlier := records.spelling(code)) is not None:
                    errors.append(_duplicate(row_no, label["code"], code, records[earlier][0], earlier))
                elif stored_spelling(code, known) is not None:
                    if not errors:
                        outcome.skipped += 1  # already stored: a re-import leaves it as it is
                else:
                    records[code] = (row_no, record, bad)
            for error in errors:
                outcome.add(error)
            errors.clear()
            if done % 1000 == 0:
                progress("check", done, outcome.total_rows)
        generations, refused = parse.order_by_upline(
            {code: None if "upline_code" in bad else rec["upline_code"] for code, (_, rec, bad) in records.items()},
            known.__contains__)
        for code, (reason, upline) in refused.items():
            outcome.add(RowError(records[code][0], label["upline_code"], upline, reason, (("upline", upline),)))
        for code, (row_no, rec, bad) in records.items():
            if "upline_code" not in bad:
                self._check_upline(rec, row_no, bad, known, records, label, outcome)
        if outcome.error_count:
            return
        self._write(generations, records, known, outcome, user_id, progress)

    def _check_upline(self, rec, row_no, bad, known, records, label, outcome):
        """The upline's channel, state and level against the row's; a level that is bad (here
        or on the upline's row) is reported already and compared with nothing."""
        upline = rec["upline_code"]
        level = None if "level" in bad else rec["level"]
        if upline is None:
            if level is not None and level != 1:
                outcome.add(RowError(row_no, label["upline_code"], "", N_("只有最高层级的销售方可以没有上级。")))
            return
        if upline in records:
            _, parent, parent_bad = records[upline]
            parent_channel, parent_level, parent_active = self.channel, None if "level" in parent_bad else parent["level"], True
        elif upline in known:
            _, parent_channel, parent_level, parent_active = known[upline]
        else:
            return  # an unknown upline: reported already (order_by_upline)
        reason = None
        if parent_channel != self.channel:
            reason = N_("上级必须属于同一渠道。")
        elif not parent_active:
            reason = N_("上级已停用。")
        elif parent_level is None or level is None:
            pass
        elif parent_level >= level:
            reason = N_("上级的层级必须高于它（层级 %(parent)s 不能管理层级 %(child)s）。")
        if reason:
            outcome.add(RowError(row_no, label["upline_code"], upline, reason,
                                 (("parent", parent_level), ("child", rec["level"]))))

    def _write(self, generations, records, known, outcome, user_id, progress):
        seller = Seller.__table__
        closure = SellerClosure.__table__
        ids = {code: values[0] for code, values in known.items()}
        written = 0
        for generation in generations:
            for part in _in_chunks(generation, CHUNK):
                rows = []
                for code in part:
                    rec = records[code][1]
                    rows.append({
                        "code": code, "name": rec["name"], "channel": self.channel, "level": rec["level"],
                        "parent_id": ids[rec["upline_code"]] if rec["upline_code"] else None,
                        "payee_type": rec["payee_type"] or ("employee" if self.channel == CHANNEL_DIRECT else "company"),
                        "credit_code": rec["credit_code"], "contact_name": rec["contact_name"], "phone": rec["phone"],
                        "home_territory_id": rec["home_territory"], "active": True, "joined_on": rec["joined_on"],
                        "created_at": utcnow(),
                    })
                result = db.session.execute(
                    insert(seller).returning(seller.c.id, seller.c.code, sort_by_parameter_order=True), rows)
                new_ids = [row_id for row_id, _ in result]
                for row_id, code in zip(new_ids, part):
                    ids[code] = row_id
                low, high = min(new_ids), max(new_ids)
                in_part = seller.c.id.between(low, high)
                not_linked = ~select(closure.c.id).where(closure.c.descendant_id == seller.c.id).exists()
                # self rows, then one INSERT ... SELECT joining each new seller to its upline's
                # uplines in force (the same rows channel.services.tree.add_seller writes)
                db.session.execute(insert(closure).from_select(
                    ["ancestor_id", "descendant_id", "depth", "valid_from"],
                    select(seller.c.id, seller.c.id, 0, seller.c.joined_on).where(
                        in_part, seller.c.code.in_(part), not_linked)))
                up = closure.alias("up")
                db.session.execute(insert(closure).from_select(
                    ["ancestor_id", "descendant_id", "depth", "valid_from"],
                    select(up.c.ancestor_id, seller.c.id, up.c.depth + 1, seller.c.joined_on)
                    .select_from(seller.join(up, up.c.descendant_id == seller.c.parent_id))
                    .where(in_part, seller.c.code.in_(part), up.c.valid_to.is_(None))))
                written += len(part)
                progress("write", written, outcome.total_rows)
        outcome.inserted = written
        if written:
            from channel.services import audit

            audit.record(user_id, "tree.import", "seller", None, {"channel": self.channel, "count": written})


# -------------------------------------------------------------------------------- orders (bulk)

class Orders(ImportKind):
    """Sell-in and sell-out order lines, one row per line, header fields repeated on each line.

    Natural key: order number + line number. The same rules as `record_order`: a sell-in buyer
    is an agent, a sell-out order has a customer, ship-to is a city or district, qty > 0,
    unit price ≥ 0, amount = qty × unit price, unit cost copied from the product. Lines of an
    order already stored are skipped; new line numbers of a stored order are added (its header
    must match). Memory: a few hundred bytes per order in the file; rows are streamed twice.
    """

    key = "orders"
    label = N_("订单")
    natural_key = N_("订单号 + 行号")
    schema = Schema([
        Column("order_no", "订单号", parse.text(40), example="SO-0001"),
        Column("line_no", "行号", parse.integer, example="1"),
        Column("kind", "类型", parse.choice(KIND_SELL_IN, KIND_SELL_OUT), example=KIND_SELL_OUT),
        Column("seller_code", "销售方编码", parse.text(32), example="NS"),
        Column("customer_code", "客户编码", parse.text(32), required=False, example="C0001"),
        Column("ship_to", "发货区划代码", parse.adcode, example="440305"),
        Column("order_date", "订单日期", parse.day, example="2026-10-05"),
        Column("sku", "SKU", parse.text(32), example="P1"),
        Column("qty", "数量", parse.integer, example="2"),
        Column("unit_price", "单价（元）", parse.yuan_to_fen, example="3000.00"),
        Column("external_id", "ERP 单号", parse.text(64), required=False, example=""),
    ])

    def run(self, table, outcome, user_id, progress):
        header, rows = table.header_and_rows()
        bound = self.schema.bind(header)
        label = {c.key: c.label for c in self.schema.columns}
        sellers = CodeBook((code, (i, channel, off)) for i, code, channel, off in db.session.execute(
            select(Seller.id, Seller.code, Seller.channel, Seller.deactivated_on)))
        products = CodeBook((sku, (pid, cost)) for pid, sku, cost in db.session.execute(
            select(Product.id, Product.sku, Product.cost_fen)))
        customers = CodeBook(db.session.execute(
            select(Customer.code, Customer.id).where(Customer.code.is_not(None))).all())
        districts = _districts()
        state = _OrderState()
        errors: list[RowError] = []
        total = outcome.total_rows
        fast = self._fast_parser(bound)
        for done, (row_no, values) in enumerate(rows, start=1):
            r, bad = fast(values), NO_BAD_CELLS
            if r is None:  # something unusual in the row: the full parser says what
                r, bad = bound.parse_cells(row_no, values, errors)
            self._check_line(row_no, r, bad, label, sellers, products, customers, districts, state, errors)
            if errors:
                for error in errors:
                    outcome.add(error)
                errors.clear()
            if done % 10000 == 0:
                progress("check", done, total)
        progress("check", total, total)
        if outcome.error_count:
            return
        existing_lines = self._check_stored(state, label, outcome)
        if outcome.error_count:
            return
        self._write(state, existing_lines, sellers, outcome, progress)

    @staticmethod
    def _fast_parser(bound):
        """A parser for the common row (plain ASCII numbers, ISO dates, CSV strings) giving the
        same record as `bound.parse`; None sends the row to the full parser (and its errors)."""
        at = bound.position
        keys = ("order_no", "line_no", "kind", "seller_code", "customer_code", "ship_to", "order_date", "sku", "qty",
                "unit_price", "external_id")
        if any(at[k] is None for k in keys if k not in ("customer_code", "external_id")):
            return lambda values: None
        i_no, i_line, i_kind, i_seller, i_customer, i_ship, i_date, i_sku, i_qty, i_price, i_ext = (at[k] for k in keys)
        width = 1 + max(p for p in at.values() if p is not None)
        kinds = (KIND_SELL_IN, KIND_SELL_OUT)
        days: dict[str, date] = {}  # one date object per distinct day (memory and time)

        def fast(values):
            if len(values) < width or type(values[0]) is not str:
                return None
            try:
                order_no = values[i_no].strip()
                seller = values[i_seller].strip()
                sku = values[i_sku].strip()
                customer = values[i_customer].strip() or None if i_customer is not None else None
                ext = values[i_ext].strip() or None if i_ext is not None else None
                kind = values[i_kind].strip()
                line, ship, qty = values[i_line], values[i_ship], values[i_qty]
                if not (order_no and seller and sku and kind in kinds and line.isdigit() and ship.isdigit()
                        and qty.isdigit() and line.isascii() and ship.isascii() and qty.isascii() and len(ship) == 6):
                    return None
                if len(order_no) > 40 or len(seller) > 32 or len(sku) > 32 or (customer and len(customer) > 32) or (ext and len(ext) > 64):
                    return None
                price = values[i_price]
                whole, dot, fraction = price.partition(".")
                if not (whole.isdigit() and whole.isascii() and (not dot or (fraction.isdigit() and fraction.isascii() and len(fraction) <= 2))):
                    return None
                fen = int(whole) * 100 + (int((fraction + "00")[:2]) if dot else 0)
                raw_day = values[i_date]
                day = days.get(raw_day)
                if day is None:
                    day = iso_date(raw_day)  # YYYY-MM-DD exactly (ValueError: the full parser says why)
                    if not FIRST_YEAR <= day.year <= LAST_YEAR:
                        return None
                    days[raw_day] = day
                return {"order_no": order_no, "line_no": int(line), "kind": kind, "seller_code": seller,
                        "customer_code": customer, "ship_to": int(ship), "order_date": day, "sku": sku,
                        "qty": int(qty), "unit_price": fen, "external_id": ext}
            except (ValueError, AttributeError, TypeError):
                # not all text (a spreadsheet's empty cell, a number or a date cell): the full
                # parser reads those
                return None

        return fast

    def _check_line(self, row_no, r, bad, label, sellers, products, customers, districts, state, errors):
        """Every rule of one line on its good cells (`bad`: keys of the cells that did not parse,
        already reported): each failing rule adds its error, so a row reports all its problems
        at once. A line with any error is not kept."""
        failed = len(errors)
        kind = None if "kind" in bad else r["kind"]
        seller = None
        if "seller_code" not in bad:
            seller = sellers.get(sellers.spelling(r["seller_code"]))
            if seller is None:
                errors.append(RowError(row_no, label["seller_code"], r["seller_code"], N_("销售方编码 %(code)s 不存在。"), (("code", r["seller_code"]),)))
            elif kind == KIND_SELL_IN and seller[1] != CHANNEL_AGENT:
                errors.append(RowError(row_no, label["seller_code"], r["seller_code"], N_("进货单的买方必须是代理。")))
            elif seller[2] is not None and "order_date" not in bad:
                try:
                    check_seller_selling(sellers.spelling(r["seller_code"]), seller[2], r["order_date"])
                except DomainError as error:
                    errors.append(RowError(row_no, label["order_date"], r["order_date"].isoformat(), error.message,
                                           tuple(error.params.items())))
        customer_id = None
        if "customer_code" in bad:
            pass
        elif r["customer_code"] is not None:
            customer_id = customers.get(customers.spelling(r["customer_code"]))
            if customer_id is None:
                errors.append(RowError(row_no, label["customer_code"], r["customer_code"], N_("客户编码 %(code)s 不存在。"), (("code", r["customer_code"]),)))
        elif kind == KIND_SELL_OUT:
            errors.append(RowError(row_no, label["customer_code"], "", N_("销售出库单必须有客户。")))
        if "ship_to" not in bad and r["ship_to"] not in districts:
            errors.append(RowError(row_no, label["ship_to"], str(r["ship_to"]), N_("发货区域必须是一个市或区县的行政区划代码。")))
        product = None
        if "sku" not in bad:
            product = products.get(products.spelling(r["sku"]))
            if product is None:
                errors.append(RowError(row_no, label["sku"], r["sku"], N_("SKU %(sku)s 不存在。"), (("sku", r["sku"]),)))
        qty, price, line_no = r["qty"], r["unit_price"], r["line_no"]
        if "qty" not in bad and not 0 < qty <= MAX_QTY:
            errors.append(RowError(row_no, label["qty"], str(qty), N_("数量必须大于 0。") if qty <= 0 else N_("数量太大。")))
        if "unit_price" not in bad and not 0 <= price <= MAX_PRICE_FEN:
            errors.append(RowError(row_no, label["unit_price"], yuan_text(price), N_("单价不能为负数。") if price < 0 else N_("单价太大。")))
        if "line_no" not in bad and not 1 <= line_no <= MAX_LINE_NO:
            errors.append(RowError(row_no, label["line_no"], str(line_no), N_("行号必须在 1 到 9999 之间。")))
        if not bad and len(errors) == failed:
            try:  # the rules every order obeys however it arrives (channel.domain.orders)
                line_amount_fen(qty, price, line_no)
            except DomainError as error:
                errors.append(RowError(row_no, label["unit_price"], yuan_text(price), error.message,
                                       tuple(error.params.items())))
        if bad or len(errors) > failed:
            return
        head = (r["kind"], seller[0], customer_id, r["ship_to"], r["order_date"], r["external_id"])
        order_no = r["order_no"]
        index = state.index.get(order_no)
        if index is None:
            ext = head[5]
            if ext is not None:
                if ext in state.external:
                    errors.append(RowError(row_no, label["external_id"], ext, N_("ERP 单号与订单 %(no)s 重复。"), (("no", state.external[ext]),)))
                    return
                state.external[ext] = order_no
            index = state.index[order_no] = len(state.orders)
            state.orders.append([row_no, head, 1 << line_no, qty * price, None, order_no])
        else:
            entry = state.orders[index]
            if entry[1] != head:
                errors.append(RowError(row_no, label["order_no"], order_no, N_("订单头（类型、销售方、客户、发货区域、日期、ERP 单号）与第 %(row)s 行不一致。"), (("row", entry[0]),)))
                return
            if entry[2] >> line_no & 1:
                errors.append(RowError(row_no, label["line_no"], str(line_no), N_("订单 %(no)s 的第 %(line)s 行在文件中重复。"), (("no", order_no), ("line", line_no))))
                return
            if entry[3] + qty * price > MAX_AMOUNT_FEN:
                try:
                    check_order_total(entry[3] + qty * price)
                except DomainError as error:
                    errors.append(RowError(row_no, label["order_no"], order_no, error.message, tuple(error.params.items())))
                return
            entry[2] |= 1 << line_no
            entry[3] += qty * price
        state.line_order.append(index)
        state.line_no.append(line_no)
        state.line_product.append(product[0])
        state.line_cost.append(product[1])
        state.line_qty.append(qty)
        state.line_price.append(price)

    def _check_stored(self, state, label, outcome) -> dict[int, int]:
        """Compare with orders already stored: the same header (their stored lines are then
        skipped) or an error. A stored order gets its id in entry[4].
        Returns {stored order id: bitmask of its stored line numbers}, one entry per stored order
        of the file (mask 0 if it has no line): the one record of what is stored, compact (a
        re-import of a million lines keeps one small int per order, not a tuple per line)."""
        if db.session.scalar(select(SalesOrder.id).limit(1)) is None:
            return {}
        existing_lines: dict[int, int] = {}
        numbers = iter(state.index)
        while part := list(islice(numbers, IN_CHUNK)):
            for order in db.session.execute(select(
                    SalesOrder.id, SalesOrder.order_no, SalesOrder.kind, SalesOrder.seller_id, SalesOrder.customer_id,
                    SalesOrder.ship_to_district_id, SalesOrder.order_date, SalesOrder.external_id).where(SalesOrder.order_no.in_(part))):
                entry = state.orders[state.index[order.order_no]]
                head = (order.kind, order.seller_id, order.customer_id, order.ship_to_district_id, order.order_date, order.external_id)
                if head != entry[1]:
                    outcome.add(RowError(entry[0], label["order_no"], order.order_no, N_("订单 %(no)s 已存在，但订单头与文件不同。"), (("no", order.order_no),)))
                entry[4] = order.id
                existing_lines[order.id] = 0
        new_external = [entry[1][5] for entry in state.orders if entry[1][5] is not None and entry[4] is None]
        for part in _in_chunks(new_external):
            for order_no, ext in db.session.execute(select(SalesOrder.order_no, SalesOrder.external_id).where(SalesOrder.external_id.in_(part))):
                row = state.orders[state.index[state.external[ext]]][0]
                outcome.add(RowError(row, label["external_id"], ext, N_("ERP 单号 %(ext)s 已属于订单 %(no)s。"), (("ext", ext), ("no", order_no))))
        stored_ids = iter(existing_lines)  # only values change below: iterating is safe
        while part := list(islice(stored_ids, IN_CHUNK)):
            for order_id, line_no in db.session.execute(
                    select(OrderLine.order_id, OrderLine.line_no).where(OrderLine.order_id.in_(part))).tuples():
                existing_lines[order_id] |= 1 << line_no
        return existing_lines

    def _write(self, state, existing_lines, sellers, outcome, progress):
        """Headers of new orders first (plain executemany, then their ids read back by order
        number), then the lines from the compact arrays, in chunks, all in the caller's one
        transaction. Driver-level executemany keeps the per-row cost near the raw driver's."""
        connection = db.session.connection()
        sqlite = connection.dialect.name == "sqlite"
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"

        def day_value(day):
            return day.isoformat() if sqlite else day

        channel_of = {sid: channel for sid, channel, _off in sellers.values()}
        now = utcnow()
        now_value = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now
        before_order = db.session.scalar(select(func.coalesce(func.max(SalesOrder.id), 0)))
        before_line = db.session.scalar(select(func.coalesce(func.max(OrderLine.id), 0)))
        total = outcome.total_rows
        new_orders = [entry for entry in state.orders if entry[4] is None]
        order_sql = (f"INSERT INTO sales_order (order_no, external_id, kind, channel, seller_id, customer_id, "
                     f"ship_to_district_id, order_date, total_fen, created_at) VALUES ({', '.join([mark] * 10)})")
        for part in _in_chunks(new_orders, CHUNK):
            connection.exec_driver_sql(order_sql, [
                (e[5], e[1][5], e[1][0], channel_of[e[1][1]], e[1][1], e[1][2], e[1][3], day_value(e[1][4]), e[3], now_value)
                for e in part])
        if new_orders:
            index = state.index
            for order_id, order_no in connection.execute(
                    select(SalesOrder.id, SalesOrder.order_no).where(SalesOrder.id > before_order)):
                position = index.get(order_no)
                if position is not None and state.orders[position][4] is None:
                    state.orders[position][4] = order_id
        line_sql = (f"INSERT INTO order_line (order_id, line_no, product_id, qty, unit_price_fen, unit_cost_fen, amount_fen, "
                    f"kind, seller_id, order_date, ship_to_district_id) VALUES ({', '.join([mark] * 11)})")
        orders = state.orders
        stored = existing_lines  # keys: the orders stored before this import
        touched_stored: set[int] = set()
        inserted = skipped = 0
        buffer = []
        count = len(state.line_order)
        for i in range(count):
            entry = orders[state.line_order[i]]
            order_id = entry[4]
            line_no = state.line_no[i]
            if order_id in stored:
                if stored[order_id] >> line_no & 1:
                    skipped += 1
                    continue
                touched_stored.add(order_id)
            head = entry[1]
            qty, price = state.line_qty[i], state.line_price[i]
            buffer.append((order_id, line_no, state.line_product[i], qty, price, state.line_cost[i], qty * price,
                           head[0], head[1], day_value(head[4]), head[3]))
            if len(buffer) >= CHUNK:
                connection.exec_driver_sql(line_sql, buffer)
                inserted += len(buffer)
                buffer = []
                progress("write", i + 1, total)
        if buffer:
            connection.exec_driver_sql(line_sql, buffer)
            inserted += len(buffer)
        progress("write", total, total)
        order_table, line_table = SalesOrder.__table__, OrderLine.__table__
        for part in _in_chunks(sorted(touched_stored)):
            db.session.execute(update(order_table).where(order_table.c.id.in_(part)).values(
                total_fen=select(func.coalesce(func.sum(line_table.c.amount_fen), 0)).where(
                    line_table.c.order_id == order_table.c.id).scalar_subquery()))
        outcome.inserted, outcome.skipped = inserted, skipped
        after_line = db.session.scalar(select(func.coalesce(func.max(OrderLine.id), 0)))
        outcome.new_line_ids = select(OrderLine.id).where(OrderLine.id > before_line, OrderLine.id <= after_line)


MAX_QTY = 1_000_000_000
NO_BAD_CELLS: frozenset[str] = frozenset()
MAX_PRICE_FEN = MAX_UNIT_PRICE_FEN  # the order line's price column


class _OrderState:
    """What pass 1 keeps of an orders file: one small list per order and six typed arrays of
    line values (about 30 bytes a line), so that pass 2 need not read the file again."""

    def __init__(self):
        from array import array

        self.index: dict[str, int] = {}  # order_no → position in `orders`
        # [first row, header tuple, line-number bitmask, total fen, stored id or None, order_no]
        self.orders: list[list] = []
        self.external: dict[str, str] = {}  # ERP id → order_no
        self.line_order = array("l")
        self.line_no = array("l")
        self.line_product = array("l")
        self.line_cost = array("q")
        self.line_qty = array("q")
        self.line_price = array("q")


for _kind in (TerritoryGrants(), Sellers(CHANNEL_AGENT), Sellers(CHANNEL_DIRECT), Customers(), Products(), Prices(),
              Orders(), Returns()):
    register(_kind)
