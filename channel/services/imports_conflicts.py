"""Import kinds of the conflicts feature: unit codes and their shipments (一物一码), code scans,
customer registrations (客户报备). Row by row through the conflicts services
(`channel.services.conflicts_cases`), so the same rules apply as in the pages and the API and
the conflict rules run on every scan and registration stored (in the import's transaction).

Registered by `register_kinds()` from `channel/conflicts/cli.py` at start-up.
"""
from __future__ import annotations

from datetime import date, timezone

from sqlalchemy import select

from channel.domain import imports as parse
from channel.domain.customers import normalize_name
from channel.domain.errors import DomainError, N_
from channel.domain.imports import Column, RowRule, Schema
from channel.services import conflicts as detection
from channel.services.conflicts_cases import ScanInput, add_codes, register_customer, ship_codes
from channel.domain.tree import code_key, stored_spelling
from channel.services.imports import (CREDIT_CODE_RULE, IMPORT_KINDS, MAX_LINE_NO, RowKind, _code_rule,
                                      _seller_known_rule, _sellers_by_code, _stored_codes, _territory_rule, register)
from models import db
from models.catalog import Product
from models.conflicts import CODE_CASE, SCANNER_KINDS, CodeScan, CodeShipment, CustomerRegistration, UnitCode
from models.sales import KIND_SELL_IN, Customer, OrderLine, SalesOrder
from models.tree import CHANNEL_AGENT, Seller

IN_CHUNK = 500


def _seller(code: str, field: str) -> Seller:
    from channel.services.tree import seller_by_code

    seller = seller_by_code(code)
    if seller is None:
        raise DomainError(N_("销售方编码 %(code)s 不存在。"), field=field, code=code)
    return seller


def _agent_with_date(r: dict) -> None:
    if (r["agent_code"] is None) != (r["shipped_on"] is None):
        raise DomainError(N_("收货代理编码和发货日期要一起填写。"), field="shipped_on" if r["agent_code"] else "agent_code")


def _order_line_with_agent(r: dict) -> None:
    if r["order_no"] is not None and (r["line_no"] is None or r["agent_code"] is None):
        raise DomainError(N_("填写进货订单号时也要填写行号和收货代理。"), field="line_no" if r["line_no"] is None else "agent_code")


def _case_is_not_the_unit(r: dict) -> None:
    if r["case_code"] is not None and r["case_code"] == r["code"]:
        raise DomainError(N_("箱码不能与单品码相同。"), field="case_code")


class UnitCodes(RowKind):
    """A unit code of a product, optionally packed in a case code and shipped to an agent on a
    sell-in line. New codes are created; a row whose code is stored (and, when it names an
    agent, already shipped to that agent on that date) is skipped."""

    key = "unit_codes"
    label = N_("一物一码发货")
    natural_key = N_("单品码（+ 收货代理 + 发货日期）")
    schema = Schema([
        Column("code", "单品码", parse.text(64), example="U0000001"),
        Column("case_code", "箱码", parse.text(64), required=False, example="C000001"),
        Column("sku", "SKU", parse.text(32), example="P1"),
        Column("agent_code", "收货代理编码", parse.text(32), required=False, example="SZ"),
        Column("shipped_on", "发货日期", parse.day, required=False, example="2026-10-02"),
        Column("order_no", "进货订单号", parse.text(40), required=False, example=""),
        Column("line_no", "行号", parse.integer, required=False, example=""),
    ])
    service_fields = {"codes": "code", "agent_id": "agent_code", "order_line_id": "line_no"}

    rules = (RowRule(("agent_code", "shipped_on"), _agent_with_date),
             RowRule(("order_no", "line_no", "agent_code"), _order_line_with_agent),
             RowRule(("code", "case_code"), _case_is_not_the_unit))

    def row_rules(self):
        # the SKU, the agent and the line number are checked with the row's other cells, not
        # first by `apply`: a row reports all its problems at once
        sellers = _sellers_by_code()

        def agent_known(r):
            if r["agent_code"] is None:
                return
            code = stored_spelling(r["agent_code"], sellers)
            if code is None:
                raise DomainError(N_("销售方编码 %(code)s 不存在。"), field="agent_code", code=r["agent_code"])
            r["agent_code"] = code  # the stored code: `exists` compares it
            if sellers[code][1] != CHANNEL_AGENT:
                raise DomainError(N_("收货方必须是代理。"), field="agent_code")

        def line_no_in_range(r):  # never an integer overflow in the order line's lookup
            if r["line_no"] is not None and not 1 <= r["line_no"] <= MAX_LINE_NO:
                raise DomainError(N_("行号必须在 1 到 9999 之间。"), field="line_no")

        return (_code_rule("sku", _stored_codes(Product.sku), N_("SKU %(sku)s 不存在。"), "sku"),
                RowRule(("agent_code",), agent_known),
                RowRule(("line_no",), line_no_in_range)) + self.rules

    def key_of(self, r):
        return (r["code"],)

    def exists(self, r):
        unit_id = db.session.scalar(select(UnitCode.id).where(UnitCode.code == r["code"]))
        if unit_id is None:
            return False
        if r["agent_code"] is None:
            return True
        return db.session.scalar(select(CodeShipment.id).join(Seller, Seller.id == CodeShipment.agent_id).where(
            CodeShipment.code_id == unit_id, Seller.code == r["agent_code"],
            CodeShipment.shipped_on == r["shipped_on"])) is not None

    def apply(self, r, user_id):
        product_id = db.session.scalar(select(Product.id).where(Product.sku == r["sku"]))
        if product_id is None:
            raise DomainError(N_("SKU %(sku)s 不存在。"), field="sku", sku=r["sku"])
        unit = db.session.scalar(select(UnitCode).where(UnitCode.code == r["code"]))
        case = db.session.scalar(select(UnitCode).where(UnitCode.code == r["case_code"])) if r["case_code"] else None
        if case is not None and (case.kind != CODE_CASE or case.product_id != product_id):
            raise DomainError(N_("箱码 %(code)s 已用于别的产品或不是箱码。"), field="case_code", code=case.code)
        if unit is not None:
            if unit.kind == CODE_CASE or unit.product_id != product_id:
                raise DomainError(N_("码 %(code)s 已存在，但属于别的产品或是箱码。"), field="code", code=unit.code)
            if r["case_code"] and unit.case_id != (case.id if case else None):
                raise DomainError(N_("码 %(code)s 已装在别的箱中。"), field="case_code", code=unit.code)
        elif case is not None:
            add_codes(product_id, [r["code"]], commit=False)
            db.session.scalar(select(UnitCode).where(UnitCode.code == r["code"])).case_id = case.id
        else:
            add_codes(product_id, [r["code"]], case_code=r["case_code"], commit=False)
        if r["agent_code"] is None:
            return
        agent = _seller(r["agent_code"], "agent_code")
        if agent.channel != CHANNEL_AGENT:
            raise DomainError(N_("收货方必须是代理。"), field="agent_code")
        line_id = None
        if r["order_no"] is not None:
            line_id = db.session.scalar(select(OrderLine.id).join(SalesOrder, SalesOrder.id == OrderLine.order_id).where(
                SalesOrder.order_no == r["order_no"], OrderLine.line_no == r["line_no"], OrderLine.kind == KIND_SELL_IN,
                OrderLine.seller_id == agent.id))
            if line_id is None:
                raise DomainError(N_("订单 %(no)s 没有这个代理的第 %(line)s 行进货。"), field="line_no",
                                  no=r["order_no"], line=r["line_no"])
        ship_codes(agent.id, [r["code"]], r["shipped_on"], order_line_id=line_id, commit=False)
        if r["case_code"] and db.session.scalar(select(CodeShipment.id).join(UnitCode, UnitCode.id == CodeShipment.code_id).where(
                UnitCode.code == r["case_code"], CodeShipment.agent_id == agent.id,
                CodeShipment.shipped_on == r["shipped_on"])) is None:
            ship_codes(agent.id, [r["case_code"]], r["shipped_on"], order_line_id=line_id, commit=False)

    def finish(self, user_id):
        """Scans stored before their code's shipment was known are bound now, and checked."""
        unbound = list(db.session.scalars(select(CodeScan.id).where(CodeScan.shipment_id.is_(None),
                                                                    CodeScan.code_id.is_not(None))))
        if not unbound:
            return
        detection.bind_scans_between(date(1970, 1, 1), date(9999, 1, 1))
        bound = []
        for start in range(0, len(unbound), IN_CHUNK):
            bound += db.session.scalars(select(CodeScan.id).where(
                CodeScan.id.in_(unbound[start:start + IN_CHUNK]), CodeScan.shipment_id.is_not(None)))
        for start in range(0, len(bound), IN_CHUNK):
            detection.scan_new(scan_ids=bound[start:start + IN_CHUNK], commit=False)


class CodeScans(RowKind):
    """Scans by retailers, inspectors and consumers; a text that is no known code is stored too
    (evidence of a fake). The time is Beijing time as written in the file."""

    key = "code_scans"
    label = N_("扫码记录")
    natural_key = N_("码 + 区划代码 + 扫码时间")
    schema = Schema([
        Column("code", "码", parse.text(64), example="U0000001"),
        Column("district", "扫码区划代码", parse.adcode, example="440305"),
        Column("scanned_at", "扫码时间", parse.moment, example="2026-10-20 14:30:00"),
        Column("scanner_kind", "扫码人类型", parse.choice(*SCANNER_KINDS), example="consumer"),
        Column("scanned_by", "扫码人", parse.text(100), required=False, example=""),
    ])
    service_fields = {"district_id": "district"}

    def _input(self, r) -> ScanInput:
        from channel.web import SHANGHAI

        at = r["scanned_at"].replace(tzinfo=SHANGHAI).astimezone(timezone.utc).replace(tzinfo=None)
        return ScanInput(r["code"], r["district"], at, r["scanner_kind"], r["scanned_by"])

    def row_rules(self):
        return self.rules + (_territory_rule("district"),)

    def key_of(self, r):
        return (r["code"], r["district"], r["scanned_at"])

    def exists(self, r):
        from channel.services.scans_intake import scan_key, stored_scans

        key = scan_key(self._input(r))
        return key in stored_scans([key])

    def apply(self, r, user_id):
        from channel.services.scans_intake import take_scans

        take_scans([self._input(r)], commit=False)


class Registrations(RowKind):
    """客户报备: a seller claims a prospect from a date for the protection period. A clash with
    another seller's registration is an error unless the row says 明知冲突仍报备 = 是 (then a
    撞单 case is opened against the new registrant, as on the page)."""

    key = "registrations"
    label = N_("客户报备")
    natural_key = N_("报备销售方编码 + 客户名称 + 报备日期")
    schema = Schema([
        Column("seller_code", "报备销售方编码", parse.text(32), example="NS"),
        Column("customer_name", "客户名称", parse.text(200), example="深圳南山华盛贸易有限公司"),
        Column("phone", "电话", parse.text(32), required=False, example="13800138000"),
        Column("credit_code", "统一社会信用代码", parse.text(18), required=False, example=""),
        Column("district", "区划代码", parse.adcode, required=False, example="440305"),
        Column("customer_code", "客户编码", parse.text(32), required=False, example=""),
        Column("registered_on", "报备日期", parse.day, example="2026-10-01"),
        Column("accept_clash", "明知冲突仍报备", parse.boolean, required=False, example="否"),
    ])
    service_fields = {"name": "customer_name", "seller_id": "seller_code", "district_id": "district"}

    def row_rules(self):
        # the seller, the credit code, the district and the customer are checked with the row's
        # other cells, not first by `apply`: a row reports all its problems at once
        return self.rules + (_seller_known_rule("seller_code"), CREDIT_CODE_RULE, _territory_rule("district"),
                             _code_rule("customer_code", _stored_codes(Customer.code), N_("客户编码 %(code)s 不存在。")))

    def key_of(self, r):
        return (code_key(r["seller_code"]), normalize_name(r["customer_name"]), r["registered_on"])

    def exists(self, r):
        return db.session.scalar(select(CustomerRegistration.id).join(Seller, Seller.id == CustomerRegistration.seller_id).where(
            Seller.code == r["seller_code"], CustomerRegistration.name_norm == normalize_name(r["customer_name"]),
            CustomerRegistration.registered_on == r["registered_on"])) is not None

    def apply(self, r, user_id):
        seller = _seller(r["seller_code"], "seller_code")
        customer_id = None
        if r["customer_code"] is not None:
            customer_id = db.session.scalar(select(Customer.id).where(Customer.code == r["customer_code"]))
            if customer_id is None:
                raise DomainError(N_("客户编码 %(code)s 不存在。"), field="customer_code", code=r["customer_code"])
        register_customer(seller_id=seller.id, name=r["customer_name"], phone=r["phone"], credit_code=r["credit_code"],
                          district_id=r["district"], customer_id=customer_id, on=r["registered_on"],
                          created_by_id=user_id, accept_clash=bool(r["accept_clash"]), commit=False)


def register_kinds() -> None:
    for kind in (UnitCodes(), CodeScans(), Registrations()):
        if kind.key not in IMPORT_KINDS:
            register(kind)
