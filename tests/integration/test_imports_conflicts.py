"""Imports of the conflicts feature's records (unit-code shipments, code scans, customer
registrations) and the conflict scan after order imports: good files, bad files commit nothing,
re-imports are no-ops, and an out-of-territory sell-out imported opens a case."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from models import db
from models.conflicts import CodeScan, CodeShipment, ConflictCase, CustomerRegistration, UnitCode
from tests.exchange_fixtures import report_rows, run

CODE_HEADER = ["单品码", "箱码", "SKU", "收货代理编码", "发货日期"]
SCAN_HEADER = ["码", "扫码区划代码", "扫码时间", "扫码人类型"]
REG_HEADER = ["报备销售方编码", "客户名称", "电话", "报备日期", "明知冲突仍报备"]
ORDER_HEADER = ["订单号", "行号", "类型", "销售方编码", "客户编码", "发货区划代码", "订单日期", "SKU", "数量", "单价（元）"]


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def cases(rule: str) -> list[ConflictCase]:
    return list(db.session.scalars(select(ConflictCase).where(ConflictCase.rule == rule)))


def test_unit_codes_import_packs_units_in_cases_and_ships_them_to_the_agent(app, world, tmp_path):
    rows = [CODE_HEADER, ["U1", "C1", "P1", "SZ", "2026-10-02"], ["U2", "C1", "P1", "SZ", "2026-10-02"],
            ["U3", "", "P1", "", ""]]
    result = run(tmp_path, "unit_codes", rows)
    assert result.status == "done", result.report_csv
    case = db.session.scalar(select(UnitCode).where(UnitCode.code == "C1"))
    assert case.kind == "case"
    units = {u.code: u for u in db.session.scalars(select(UnitCode).where(UnitCode.kind == "unit"))}
    assert {c: u.case_id for c, u in units.items()} == {"U1": case.id, "U2": case.id, "U3": None}
    shipped = set(db.session.execute(select(UnitCode.code, CodeShipment.agent_id).join(
        CodeShipment, CodeShipment.code_id == UnitCode.id)).tuples())
    assert shipped == {("U1", world.SZ.id), ("U2", world.SZ.id), ("C1", world.SZ.id)}  # the case once

    again = run(tmp_path, "unit_codes", rows, name="again.csv")
    assert (again.status, again.inserted, again.skipped) == ("done", 0, 3)
    assert count(UnitCode) == 4 and count(CodeShipment) == 3


def test_a_unit_codes_file_with_an_unknown_agent_stores_no_code(app, world, tmp_path):
    result = run(tmp_path, "unit_codes", [CODE_HEADER, ["U1", "", "P1", "SZ", "2026-10-02"],
                                          ["U2", "", "P1", "NOPE", "2026-10-02"], ["U3", "", "P1", "SZ", ""]])
    assert result.status == "rejected"
    bad = {(r["row"], r["column"]) for r in report_rows(result)}
    assert bad == {("3", "收货代理编码"), ("4", "发货日期")}
    assert count(UnitCode) == 0


def test_a_unit_code_row_breaking_several_rules_reports_each_on_its_column(app, world, tmp_path):
    result = run(tmp_path, "unit_codes", [CODE_HEADER + ["进货订单号"],
                                          ["U1", "U1", "P1", "", "2026-10-02", "SO-1"],   # case = unit, date without agent
                                          ["U2", "C2", "P1", "SZ", "2026-02-30", ""]])     # a bad date: its rule skipped
    assert result.status == "rejected"
    assert [(r["row"], r["column"], r["reason"]) for r in report_rows(result)] == [
        ("2", "收货代理编码", "收货代理编码和发货日期要一起填写。"),
        ("2", "行号", "填写进货订单号时也要填写行号和收货代理。"),
        ("2", "箱码", "箱码不能与单品码相同。"),
        ("3", "发货日期", "不是日期（YYYY-MM-DD）。"),
    ]
    assert count(UnitCode) == 0


def test_scans_import_binds_each_scan_and_finds_a_diversion(app, world, tmp_path):
    run(tmp_path, "unit_codes", [CODE_HEADER, ["U1", "", "P1", "SZ", "2026-10-02"]])
    # 越秀区 (广州, GZ's exclusive area): SZ's goods went there
    result = run(tmp_path, "code_scans", [SCAN_HEADER, ["U1", "440104", "2026-10-20 09:30", "consumer"],
                                          ["U1", "440305", "2026-10-21 09:30:00", "retailer"]])
    assert result.status == "done", result.report_csv
    scans = list(db.session.scalars(select(CodeScan).order_by(CodeScan.scanned_at)))
    assert [s.agent_id for s in scans] == [world.SZ.id, world.SZ.id]
    # written in Beijing time, stored in UTC
    assert scans[0].scanned_at == datetime(2026, 10, 20, 1, 30) and scans[0].scanned_on == date(2026, 10, 20)
    (case,) = cases("code_diversion")
    assert (case.offender_id, case.harmed_id) == (world.SZ.id, world.GZ.id)

    again = run(tmp_path, "code_scans", [SCAN_HEADER, ["U1", "440104", "2026-10-20 09:30", "consumer"]], name="again.csv")
    assert (again.status, again.inserted, again.skipped) == ("done", 0, 1)
    assert count(CodeScan) == 2


def test_a_scans_file_with_a_bad_time_or_unknown_district_stores_no_scan(app, world, tmp_path):
    result = run(tmp_path, "code_scans", [SCAN_HEADER, ["U1", "440305", "2026-10-20 09:30", "consumer"],
                                          ["U1", "440305", "yesterday", "consumer"],
                                          ["U1", "999999", "2026-10-20 10:30", "consumer"],
                                          ["U1", "440305", "2026-10-20 11:30", "robot"]])
    assert result.status == "rejected"
    assert {(r["row"], r["column"]) for r in report_rows(result)} == {
        ("3", "扫码时间"), ("4", "扫码区划代码"), ("5", "扫码人类型")}
    assert count(CodeScan) == 0


def test_scans_of_codes_shipped_later_are_bound_when_the_shipment_is_imported(app, world, tmp_path):
    run(tmp_path, "unit_codes", [CODE_HEADER, ["U1", "", "P1", "", ""]])
    run(tmp_path, "code_scans", [SCAN_HEADER, ["U1", "440104", "2026-10-20 09:30", "consumer"]])
    assert db.session.scalar(select(CodeScan.agent_id)) is None
    result = run(tmp_path, "unit_codes", [CODE_HEADER, ["U1", "", "P1", "SZ", "2026-10-02"]], name="shipped.csv")
    assert (result.status, result.inserted) == ("done", 1), result.report_csv
    assert db.session.scalar(select(CodeScan.agent_id)) == world.SZ.id
    assert [c.offender_id for c in cases("code_diversion")] == [world.SZ.id]


def test_registrations_import_and_a_clash_needs_the_tick(app, world, tmp_path):
    result = run(tmp_path, "registrations", [REG_HEADER, ["NS", "深圳前海新锐科技有限公司", "13800000001", "2026-10-01", ""]])
    assert result.status == "done", result.report_csv
    clash = [REG_HEADER, ["TH", "深圳前海新锐科技有限公司", "13800000001", "2026-10-05", ""]]
    refused = run(tmp_path, "registrations", clash, name="clash.csv")
    assert refused.status == "rejected"
    assert [(r["row"], r["column"]) for r in report_rows(refused)] == [("2", "客户名称")]
    assert count(CustomerRegistration) == 1

    clash[1][-1] = "是"
    accepted = run(tmp_path, "registrations", clash, name="accepted.csv")
    assert accepted.status == "done", accepted.report_csv
    assert [c.offender_id for c in cases("duplicate_claim")] == [world.TH.id]
    again = run(tmp_path, "registrations", clash, name="again.csv")
    assert (again.inserted, again.skipped) == (0, 1)
    assert count(CustomerRegistration) == 2


def test_a_registrations_file_with_an_unknown_seller_stores_nothing(app, world, tmp_path):
    result = run(tmp_path, "registrations", [REG_HEADER, ["NS", "甲公司", "", "2026-10-01", ""],
                                             ["ZZZ", "乙公司", "", "2026-10-01", ""]])
    assert result.status == "rejected"
    assert [(r["row"], r["column"]) for r in report_rows(result)] == [("3", "报备销售方编码")]
    assert count(CustomerRegistration) == 0


def test_importing_an_out_of_territory_sell_out_opens_a_case(app, world, tmp_path):
    code = world.cust_ns.code or "C-NS"
    world.cust_ns.code = code
    db.session.commit()
    result = run(tmp_path, "orders", [ORDER_HEADER, ["IMP-1", 1, "sell_out", "SZ", code, "440104", "2026-10-12", "P1", 1, "3000"],
                                      ["IMP-2", 1, "sell_out", "NS", code, "440305", "2026-10-12", "P1", 1, "3000"]])
    assert result.status == "done", result.report_csv
    (case,) = cases("cross_territory")
    assert (case.offender_id, case.harmed_id, case.evidence_count) == (world.SZ.id, world.GZ.id, 1)


def test_a_large_order_import_is_scanned_over_its_date_span(app, world, tmp_path, monkeypatch):
    from channel.services import conflicts

    monkeypatch.setattr(conflicts, "INCREMENTAL_MOST", 1)
    code = world.cust_ns.code or "C-NS"
    world.cust_ns.code = code
    db.session.commit()
    result = run(tmp_path, "orders", [ORDER_HEADER, ["IMP-1", 1, "sell_out", "SZ", code, "440104", "2026-10-12", "P1", 1, "3000"],
                                      ["IMP-1", 2, "sell_out", "SZ", code, "440104", "2026-10-12", "P1", 2, "3000"]])
    assert result.status == "done", result.report_csv
    (case,) = cases("cross_territory")
    assert case.evidence_count == 2


def test_a_unit_code_row_reports_its_unknown_sku_agent_and_line_number_together(app, world, tmp_path):
    """The service stopped at the unknown SKU; a line number too large for the database made the
    lookup fail (the run failed instead of reporting the row)."""
    result = run(tmp_path, "unit_codes", [CODE_HEADER + ["进货订单号", "行号"],
                                          ["U1", "", "NOSKU", "NOPE", "2026-10-02", "SO-1", 2**63],
                                          ["U2", "", "P1", "REP1", "2026-10-02", "", ""]])  # REP1: a direct seller
    assert result.status == "rejected"
    assert [(r["row"], r["column"], r["value"], r["reason"]) for r in report_rows(result)] == [
        ("2", "SKU", "NOSKU", "SKU NOSKU 不存在。"),
        ("2", "收货代理编码", "NOPE", "销售方编码 NOPE 不存在。"),
        ("2", "行号", str(2**63), "行号必须在 1 到 9999 之间。"),
        ("3", "收货代理编码", "REP1", "收货方必须是代理。"),
    ]
    assert count(UnitCode) == 0


def test_a_scan_row_reports_its_unknown_district_beside_a_time_out_of_the_calendar(app, world, tmp_path):
    """0001-01-01 00:00 Beijing time is before year 1 in UTC: the run failed (an overflow)."""
    result = run(tmp_path, "code_scans", [SCAN_HEADER, ["U1", "999999", "0001-01-01 00:00", "consumer"],
                                          ["U1", "440305", "9999-12-31 23:59", "consumer"]])
    assert result.status == "rejected"
    assert [(r["row"], r["column"], r["reason"]) for r in report_rows(result)] == [
        ("2", "扫码时间", "日期超出范围：只能是 1900-01-01 到 2999-12-31 之间的日期。"),
        ("2", "扫码区划代码", "没有这个行政区划。"),
        ("3", "扫码时间", "日期超出范围：只能是 1900-01-01 到 2999-12-31 之间的日期。"),
    ]
    assert count(CodeScan) == 0


def test_a_registration_row_reports_every_unknown_reference_and_its_credit_code(app, world, tmp_path):
    result = run(tmp_path, "registrations", [
        ["报备销售方编码", "客户名称", "统一社会信用代码", "区划代码", "客户编码", "报备日期"],
        ["ZZZ", "乙公司", "123", 990000, "NOC", "2026-10-01"],
        ["ns", "丙公司", "", "", "", "2026-10-01"],  # fine: the seller in any letter case, no district
    ])
    assert result.status == "rejected"
    assert [(r["row"], r["column"], r["value"], r["reason"]) for r in report_rows(result)] == [
        ("2", "报备销售方编码", "ZZZ", "销售方编码 ZZZ 不存在。"),
        ("2", "统一社会信用代码", "123", "统一社会信用代码 123 无效（18 位，最后一位是校验码）。"),
        ("2", "区划代码", "990000", "没有这个行政区划。"),
        ("2", "客户编码", "NOC", "客户编码 NOC 不存在。"),
    ]
    assert count(CustomerRegistration) == 0


def test_unit_codes_and_registrations_name_products_sellers_and_customers_in_any_letter_case(app, world, tmp_path):
    world.cust_ns.code = "C-NS"
    db.session.commit()
    codes = run(tmp_path, "unit_codes", [CODE_HEADER, ["U1", "", "p1", "sz", "2026-10-02"]])
    assert codes.status == "done", codes.report_csv
    again = run(tmp_path, "unit_codes", [CODE_HEADER, ["U1", "", "P1", "SZ", "2026-10-02"]], name="again.csv")
    assert (again.inserted, again.skipped) == (0, 1)  # the shipment to SZ is there already
    assert count(CodeShipment) == 1
    header = ["报备销售方编码", "客户名称", "客户编码", "报备日期"]
    registered = run(tmp_path, "registrations", [header, ["ns", "深圳前海新锐科技有限公司", "c-ns", "2026-10-01"]],
                     name="reg.csv")
    assert registered.status == "done", registered.report_csv
    stored = db.session.scalar(select(CustomerRegistration))
    assert (stored.seller_id, stored.customer_id) == (world.NS.id, world.cust_ns.id)
    twice = run(tmp_path, "registrations", [header, ["NS", "深圳前海新锐科技有限公司", "C-NS", "2026-10-01"]],
                name="twice.csv")
    assert (twice.inserted, twice.skipped) == (0, 1) and count(CustomerRegistration) == 1
