"""Imports: every kind on a good file; bad files commit nothing and say which rows are bad;
re-importing is a no-op; the closure table stays right for imported trees."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from channel.services import tree
from channel.services.imports import import_file
from models import db
from models.catalog import Product, ProductPrice
from models.sales import Customer, OrderLine, ReturnLine, SalesOrder
from models.tree import Seller, SellerClosure, TerritoryGrant
from channel.services.imports import import_file
from tests.exchange_fixtures import report_rows, run, write_csv, write_xlsx

AGENT_HEADER = ["编码", "名称", "层级", "上级编码", "加入日期"]
ORDER_HEADER = ["订单号", "行号", "类型", "销售方编码", "客户编码", "发货区划代码", "订单日期", "SKU", "数量", "单价（元）"]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def uplines_of(code: str, on: date | None = None) -> list[str]:
    seller_id = db.session.scalar(select(Seller.id).where(Seller.code == code))
    return [s.code for s, _ in tree.upline_chain(seller_id, on=on)]


# ------------------------------------------------------------------------------------ agents

def test_agents_import_with_uplines_later_in_the_file_and_a_correct_closure(app, world, tmp_path):
    result = run(tmp_path, "agents", [
        AGENT_HEADER,
        ["X4", "某分销", 4, "X3", "2026-02-01"],  # its upline comes later in the file
        ["X3", "某市代", 3, "X2", "2026-02-01"],
        ["X2", "某省代", 2, "N1", "2026-02-01"],
    ])
    assert result.status == "done", result.report_csv
    assert (result.inserted, result.skipped) == (3, 0)
    assert uplines_of("X4") == ["X3", "X2", "N1"]
    x2 = db.session.scalar(select(Seller.id).where(Seller.code == "X2"))
    assert set(db.session.scalars(tree.subtree_ids(x2))) == set(db.session.scalars(
        select(Seller.id).where(Seller.code.in_(["X2", "X3", "X4"]))))
    # the closure rows are exactly what add_seller would write: one per (ancestor, descendant)
    x4 = db.session.scalar(select(Seller.id).where(Seller.code == "X4"))
    rows = db.session.execute(select(SellerClosure.depth, SellerClosure.valid_from).where(SellerClosure.descendant_id == x4)).all()
    assert sorted(d for d, _ in rows) == [0, 1, 2, 3]
    assert {v for _, v in rows} == {date(2026, 2, 1)}


def test_reimporting_the_same_agents_file_changes_nothing(app, world, tmp_path):
    rows = [AGENT_HEADER, ["X2", "某省代", 2, "N1", "2026-02-01"], ["X3", "某市代", 3, "X2", "2026-02-01"]]
    run(tmp_path, "agents", rows)
    before = (count(Seller), count(SellerClosure))
    again = run(tmp_path, "agents", rows, name="again.csv")
    assert again.status == "done"
    assert (again.inserted, again.skipped) == (0, 2)
    assert (count(Seller), count(SellerClosure)) == before


def test_a_cycle_in_upline_codes_is_refused_and_nothing_is_stored(app, world, tmp_path):
    before = count(Seller)
    result = run(tmp_path, "agents", [
        AGENT_HEADER,
        ["OK2", "正常省代", 2, "N1", "2026-02-01"],
        ["A", "甲", 3, "B", "2026-02-01"],
        ["B", "乙", 3, "A", "2026-02-01"],
    ])
    assert result.status == "rejected"
    bad = report_rows(result)
    assert {r["row"] for r in bad} == {"3", "4"}
    assert all(r["column"] == "上级编码" for r in bad)
    assert any("循环" in r["reason"] for r in bad)
    assert count(Seller) == before


def test_an_unknown_upline_is_reported_with_its_row_and_value(app, world, tmp_path):
    result = run(tmp_path, "agents", [AGENT_HEADER, ["Q3", "某市代", 3, "NOPE", "2026-02-01"]])
    assert result.status == "rejected"
    assert report_rows(result) == [{"row": "2", "column": "上级编码", "value": "NOPE", "reason": "上级编码 NOPE 不存在。"}]


def test_a_duplicate_code_inside_the_file_is_refused(app, world, tmp_path):
    result = run(tmp_path, "agents", [AGENT_HEADER, ["D2", "甲", 2, "N1", "2026-02-01"], ["D2", "乙", 2, "N1", "2026-02-01"]])
    assert result.status == "rejected"
    assert [(r["row"], r["column"], r["value"]) for r in report_rows(result)] == [("3", "编码", "D2")]
    assert "第 2 行" in report_rows(result)[0]["reason"]


def test_an_upline_of_a_lower_level_or_the_other_channel_is_refused(app, world, tmp_path):
    result = run(tmp_path, "agents", [AGENT_HEADER, ["L2", "甲", 2, "SZ", "2026-02-01"], ["L3", "乙", 3, "MGR", "2026-02-01"]])
    assert result.status == "rejected"
    assert {r["row"] for r in report_rows(result)} == {"2", "3"}


def test_direct_sellers_import_into_the_direct_tree(app, world, tmp_path):
    result = run(tmp_path, "direct_sellers", [AGENT_HEADER, ["REP9", "销售代表九", 3, "MGR", "2026-03-01"]])
    assert result.status == "done", result.report_csv
    assert uplines_of("REP9") == ["MGR", "DIR"]
    assert db.session.scalar(select(Seller.channel).where(Seller.code == "REP9")) == "direct"


# ------------------------------------------------------------------------- encodings, formats

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_chinese_csv_in_every_usual_encoding_imports_the_same(app, world, tmp_path, encoding):
    result = run(tmp_path, "agents", [AGENT_HEADER, ["E2", "江苏省代理商", 2, "N1", "2026-02-01"]], encoding=encoding)
    assert result.status == "done", result.report_csv
    assert db.session.scalar(select(Seller.name).where(Seller.code == "E2")) == "江苏省代理商"


def test_a_file_in_an_unreadable_encoding_is_refused_as_a_whole(app, world, tmp_path):
    result = run(tmp_path, "agents", [AGENT_HEADER, ["E2", "江苏省代理商", 2, "N1", "2026-02-01"]], encoding="utf-16")
    assert result.status == "rejected"
    assert report_rows(result)[0]["row"] == "0"
    assert "编码" in report_rows(result)[0]["reason"]


def test_a_file_with_an_unterminated_quote_is_refused_as_a_whole_not_failed(app, world, tmp_path):
    """A stray quote makes the rest of the file one cell, over the csv module's 128 KiB limit:
    the run is rejected with a reason naming the line, not an unexpected failure."""
    path = tmp_path / "agents.csv"
    path.write_text(",".join(AGENT_HEADER) + "\n" + 'E2,"江苏省代理商,2,N1,2026-02-01\n' + "某" * 140_000 + "\n",
                    encoding="utf-8")
    result = import_file("agents", str(path))
    assert result.status == "rejected"
    (row,) = report_rows(result)
    assert row["row"] == "0" and "无法读取 CSV 文件" in row["reason"] and "第 " in row["reason"]


def test_a_missing_column_is_named_in_the_report(app, world, tmp_path):
    result = run(tmp_path, "agents", [["编码", "名称", "层级", "上级编码"], ["E2", "甲", 2, "N1"]])
    assert result.status == "rejected"
    assert "joined_on" in report_rows(result)[0]["reason"]


def test_xlsx_files_import_like_csv(app, world, tmp_path):
    path = write_xlsx(tmp_path / "agents.xlsx", [AGENT_HEADER, ["XL2", "某省代", 2, "N1", date(2026, 2, 1)]])
    from channel.services.imports import import_file

    result = import_file("agents", str(path))
    assert result.status == "done", result.report_csv
    assert uplines_of("XL2") == ["N1"]


def test_an_orders_spreadsheet_with_empty_number_and_date_cells_imports_like_its_csv(app, world, coded_customer,
                                                                                    tmp_path):
    """Excel stores an empty optional cell as nothing, numbers as numbers and dates as dates;
    such a sheet once failed the whole import job (AttributeError on the empty ERP number)."""
    from channel.services.imports import import_file

    header = ORDER_HEADER + ["ERP 单号"]
    rows = [["XO-1", 1, "sell_out", "NS", "C-NS", 440305, date(2026, 10, 10), "P1", 2, 2999.5, None],
            ["XO-1", 2.0, "sell_out", "NS", "C-NS", 440305.0, date(2026, 10, 10), "P1", 3.0, 1860, None],
            ["XO-2", 1, "sell_out", "NS", "C-NS", "440305", "2026-10-11", "P1", "1", "10.05", "ERP-7"]]
    result = import_file("orders", str(write_xlsx(tmp_path / "orders.xlsx", [header] + rows)))
    assert result.status == "done", result.report_csv
    assert result.inserted == 3
    first = db.session.scalar(select(SalesOrder).where(SalesOrder.order_no == "XO-1"))
    assert [(l.line_no, l.qty, l.unit_price_fen) for l in first.lines] == [(1, 2, 299950), (2, 3, 186000)]
    assert (first.external_id, first.order_date) == (None, date(2026, 10, 10))
    bad = import_file("orders", str(write_xlsx(tmp_path / "bad.xlsx", [header, ["XO-3", 1.5, "sell_out", "NS", "C-NS",
                                                                                440305, date(2026, 10, 10), "P1", 2,
                                                                                12.345, None]])))
    assert bad.status == "rejected" and {r["column"] for r in report_rows(bad)} == {"行号", "单价（元）"}


def test_english_column_keys_are_accepted_as_headers(app, world, tmp_path):
    result = run(tmp_path, "agents", [["code", "name", "level", "upline_code", "joined_on"], ["EN2", "甲", 2, "N1", "2026-02-01"]])
    assert result.status == "done", result.report_csv


# --------------------------------------------------------------------------------- the rest

def test_territory_grants_import_and_overlapping_exclusive_grants_are_refused(app, world, tmp_path):
    header = ["销售方编码", "区划代码", "独家", "开始日期", "结束日期"]
    good = run(tmp_path, "territory_grants", [header, ["HZ", 330200, "是", "2026-01-01", ""]])
    assert good.status == "done", good.report_csv
    assert good.inserted == 1
    again = run(tmp_path, "territory_grants", [header, ["HZ", 330200, "是", "2026-01-01", ""]], name="again.csv")
    assert (again.inserted, again.skipped) == (0, 1)
    before = count(TerritoryGrant)
    clash = run(tmp_path, "territory_grants", [header, ["TH", 440300, "是", "2026-01-01", ""]], name="clash.csv")
    assert clash.status == "rejected"
    assert report_rows(clash)[0]["column"] == "区划代码"
    assert count(TerritoryGrant) == before


def test_customers_import_with_their_credit_code_checked(app, world, tmp_path):
    header = ["客户编码", "客户名称", "归属销售方编码", "区划代码", "统一社会信用代码"]
    bad = run(tmp_path, "customers", [header, ["C1", "甲公司", "NS", 440305, "91350100M000100Y43"],
                                      ["C2", "乙公司", "NS", 440305, "123"]])
    assert bad.status == "rejected"
    assert [(r["row"], r["column"]) for r in report_rows(bad)] == [("3", "统一社会信用代码")]
    assert count(Customer) == 5
    good = run(tmp_path, "customers", [header, ["C1", "甲公司", "NS", 440305, "91350100M000100Y43"]], name="ok.csv")
    assert good.status == "done", good.report_csv
    assert db.session.scalar(select(Customer.owner_seller_id).where(Customer.code == "C1")) == world.NS.id


def test_products_and_price_lists_import(app, world, tmp_path):
    products = run(tmp_path, "products", [["SKU", "产品名称", "品类", "成本（元）", "零售价（元）", "最低价（元）"],
                                          ["P9", "滤芯", "耗材", "12.50", "99", "80.00"]])
    assert products.status == "done", products.report_csv
    product = db.session.scalar(select(Product).where(Product.sku == "P9"))
    assert (product.cost_fen, product.retail_price_fen) == (1250, 9900)
    prices = run(tmp_path, "prices", [["SKU", "价格类型", "代理层级", "价格（元）", "生效日期"],
                                      ["P9", "sell_in", 2, "60.00", "2026-01-01"], ["P9", "floor", "", "85", "2026-06-01"]])
    assert prices.status == "done", prices.report_csv
    assert count(ProductPrice) == 1 + 4 + 1 + 2
    from channel.services.orders import price_on

    assert price_on(product.id, "floor", date(2026, 7, 1)) == 8500
    assert price_on(product.id, "floor", date(2026, 5, 1)) == 8000


def test_a_bad_number_is_reported_with_its_column_and_value(app, world, tmp_path):
    result = run(tmp_path, "products", [["SKU", "产品名称", "品类", "成本（元）", "零售价（元）"], ["P9", "滤芯", "耗材", "12.5.0", "99"]])
    assert result.status == "rejected"
    assert report_rows(result)[0]["column"] == "成本（元）"
    assert report_rows(result)[0]["value"] == "12.5.0"


def order_rows(n: int, start: int = 1, order_no: str = "IM") -> list[list]:
    return [[f"{order_no}-{i // 3}", i % 3 + 1, "sell_out", "NS", "C-NS", 440305, "2026-10-10", "P1", 2, "2999.50"]
            for i in range(start - 1, start - 1 + n)]


@pytest.fixture
def coded_customer(world):
    customer = world.cust_ns
    customer.code = "C-NS"
    db.session.commit()
    return customer


def test_orders_import_with_header_copies_on_lines_and_totals(app, world, coded_customer, tmp_path):
    result = run(tmp_path, "orders", [ORDER_HEADER] + order_rows(6) + [
        ["IN-1", 1, "sell_in", "GD", "", 440100, "2026-10-11", "P1", 10, "1860"]])
    assert result.status == "done", result.report_csv
    assert result.inserted == 7
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.order_no == "IM-0"))
    assert order.total_fen == 3 * 2 * 299950
    assert [(l.line_no, l.amount_fen, l.unit_cost_fen, l.seller_id) for l in order.lines] == [
        (n, 599900, 100000, world.NS.id) for n in (1, 2, 3)]
    sell_in = db.session.scalar(select(SalesOrder).where(SalesOrder.order_no == "IN-1"))
    assert (sell_in.kind, sell_in.channel, sell_in.customer_id, sell_in.total_fen) == ("sell_in", "agent", None, 1860000)


def test_reimporting_orders_is_a_no_op_and_new_lines_of_a_stored_order_are_added(app, world, coded_customer, tmp_path):
    run(tmp_path, "orders", [ORDER_HEADER] + order_rows(5))
    lines = count(OrderLine)
    again = run(tmp_path, "orders", [ORDER_HEADER] + order_rows(5), name="again.csv")
    assert (again.status, again.inserted, again.skipped) == ("done", 0, 5)
    assert count(OrderLine) == lines
    more = run(tmp_path, "orders", [ORDER_HEADER] + order_rows(6), name="more.csv")
    assert (more.inserted, more.skipped) == (1, 5)
    assert db.session.scalar(select(SalesOrder.total_fen).where(SalesOrder.order_no == "IM-1")) == 3 * 599900


def test_a_stored_order_with_another_header_or_a_taken_erp_id_is_refused_and_nothing_is_added(
        app, world, coded_customer, tmp_path):
    header = ORDER_HEADER + ["ERP 单号"]
    first = run(tmp_path, "orders", [header] + [row + [f"ERP-{row[0]}"] for row in order_rows(6)])
    assert first.status == "done", first.report_csv
    lines = count(OrderLine)
    other_day = [row + [f"ERP-{row[0]}"] for row in order_rows(3)]
    for row in other_day:
        row[6] = "2026-10-11"  # IM-0 is stored with 2026-10-10
    again = run(tmp_path, "orders", [header] + other_day + [
        ["IM-1", 4, "sell_out", "NS", "C-NS", 440305, "2026-10-10", "P1", 2, "1.00", "ERP-IM-1"]],  # a new line: fine
        name="again.csv")
    assert again.status == "rejected"
    assert [(r["row"], r["column"], r["value"]) for r in report_rows(again)] == [("2", "订单号", "IM-0")]
    taken = run(tmp_path, "orders", [header] + [
        ["IM-9", 1, "sell_out", "NS", "C-NS", 440305, "2026-10-10", "P1", 2, "1.00", "ERP-IM-1"]], name="taken.csv")
    assert taken.status == "rejected"
    assert [(r["row"], r["column"], r["value"]) for r in report_rows(taken)] == [("2", "ERP 单号", "ERP-IM-1")]
    assert count(OrderLine) == lines
    assert db.session.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.order_no == "IM-9")) == 0


def test_order_rule_breaks_are_each_reported(app, world, coded_customer, tmp_path):
    result = run(tmp_path, "orders", [ORDER_HEADER,
        ["B-1", 1, "sell_in", "REP1", "", 310115, "2026-10-10", "P1", 1, "1"],     # sell-in to a direct seller
        ["B-2", 1, "sell_out", "NS", "", 440305, "2026-10-10", "P1", 1, "1"],      # no customer
        ["B-3", 1, "sell_out", "NS", "C-NS", 440000, "2026-10-10", "P1", 1, "1"],  # a province as ship-to
        ["B-4", 1, "sell_out", "NS", "C-NS", 440305, "2026-10-10", "NOPE", 0, "1"],  # unknown sku and qty 0
        ["B-5", 1, "sell_out", "NS", "C-NS", 440305, "2026-10-10", "P1", "two", "1"],  # a bad number
        ["B-6", 1, "sell_out", "NS", "C-NS", 440305, "2026-10-10", "P1", 1, "1"],
        ["B-6", 1, "sell_out", "NS", "C-NS", 440305, "2026-10-10", "P1", 1, "1"],    # duplicate key in the file
        ["B-6", 2, "sell_out", "TH", "C-NS", 440305, "2026-10-10", "P1", 1, "1"],    # header differs
    ])
    assert result.status == "rejected"
    got = [(r["row"], r["column"]) for r in report_rows(result)]
    assert got == [("2", "销售方编码"), ("3", "客户编码"), ("4", "发货区划代码"), ("5", "SKU"), ("5", "数量"),
                   ("6", "数量"), ("8", "行号"), ("9", "订单号")]
    assert result.error_count == 8
    assert count(SalesOrder) == 5


def test_a_hundred_thousand_rows_with_one_bad_row_at_the_end_commit_nothing(app, world, coded_customer, tmp_path):
    rows = [ORDER_HEADER] + order_rows(100_000)
    rows.append(["LAST-1", 1, "sell_out", "NS", "C-NS", 440305, "2026-13-01", "P1", 1, "1"])
    result = run(tmp_path, "orders", rows)
    assert result.status == "rejected"
    assert result.total_rows == 100_001
    assert [(r["row"], r["column"]) for r in report_rows(result)] == [("100002", "订单日期")]
    assert (count(SalesOrder), count(OrderLine)) == (5, 5)


def test_returns_import_against_order_lines_and_cannot_exceed_what_was_sold(app, world, tmp_path):
    header = ["退货单号", "订单号", "行号", "数量", "退货日期", "原因"]
    good = run(tmp_path, "returns", [header, ["RT-1", "SO-NS-1", 1, 1, "2026-10-20", "质量问题"]])
    assert good.status == "done", good.report_csv
    assert db.session.scalar(select(ReturnLine.amount_fen)) == 300000
    again = run(tmp_path, "returns", [header, ["RT-1", "SO-NS-1", 1, 1, "2026-10-20", "质量问题"]], name="again.csv")
    assert (again.inserted, again.skipped) == (0, 1)
    too_many = run(tmp_path, "returns", [header, ["RT-2", "SO-NS-1", 1, 1, "2026-10-21", ""],
                                         ["RT-3", "SO-NS-1", 1, 1, "2026-10-21", ""]], name="more.csv")
    assert too_many.status == "rejected"
    assert [(r["row"], r["column"]) for r in report_rows(too_many)] == [("3", "数量")]
    assert count(ReturnLine) == 1


def test_the_order_lines_hook_sees_exactly_the_new_lines(app, world, coded_customer, tmp_path):
    from channel.services import imports

    seen = []
    imports.AFTER_ORDER_LINES.append(lambda ids: seen.append(sorted(db.session.scalars(ids))))
    try:
        run(tmp_path, "orders", [ORDER_HEADER] + order_rows(4))
    finally:
        imports.AFTER_ORDER_LINES.pop()
    assert seen == [sorted(db.session.scalars(select(OrderLine.id).join(SalesOrder).where(SalesOrder.order_no.like("IM-%"))))]
    assert len(seen[0]) == 4


def test_reimporting_customers_and_products_is_a_no_op(app, world, tmp_path):
    customers = [["客户编码", "客户名称", "归属销售方编码", "区划代码"], ["C7", "丙公司", "TH", 440106]]
    products = [["SKU", "产品名称", "品类", "成本（元）", "零售价（元）"], ["P7", "滤瓶", "耗材", "1", "2"]]
    for kind, rows in (("customers", customers), ("products", products)):
        first = run(tmp_path, kind, rows, name=f"{kind}-1.csv")
        assert (first.status, first.inserted) == ("done", 1), first.report_csv
        again = run(tmp_path, kind, rows, name=f"{kind}-2.csv")
        assert (again.status, again.inserted, again.skipped) == ("done", 0, 1)
    assert db.session.scalar(select(func.count()).select_from(Customer).where(Customer.code == "C7")) == 1
    assert db.session.scalar(select(func.count()).select_from(Product).where(Product.sku == "P7")) == 1


# --------------------------------------------------------------------- every problem of a row

def test_an_order_row_reports_every_bad_cell_at_once_and_nothing_is_stored(app, world, coded_customer, tmp_path):
    before = (count(SalesOrder), count(OrderLine))
    result = run(tmp_path, "orders", [ORDER_HEADER,
        ["M-1", 1, "sell_out", "NS", "C-NS", 440305, "2026-10-10", "P1", 1, "1"],  # a good row
        # a date that is no date, an unknown seller, an unknown SKU, a qty of 0 and a bad price
        ["M-2", 1, "sell_out", "NOPE", "C-NS", 440305, "2026-13-01", "NOSKU", 0, "1.234"],
        ["M-3", "x", "sell_in", "REP1", "", 440000, "2026-10-10", "P1", 1, "1"],   # bad line no; three rules broken
    ])
    assert result.status == "rejected"
    assert [(r["row"], r["column"], r["value"]) for r in report_rows(result)] == [
        ("3", "订单日期", "2026-13-01"), ("3", "单价（元）", "1.234"),
        ("3", "销售方编码", "NOPE"), ("3", "SKU", "NOSKU"), ("3", "数量", "0"),
        ("4", "行号", "x"), ("4", "销售方编码", "REP1"), ("4", "发货区划代码", "440000"),
    ]
    assert result.error_count == 8
    assert report_rows(result)[2]["reason"] == "销售方编码 NOPE 不存在。"
    assert (count(SalesOrder), count(OrderLine)) == before


def test_a_customer_row_with_an_unknown_owner_reports_its_other_problems_too(app, world, tmp_path):
    """An unknown owner used to be the only problem reported (the service stopped at it); the
    district and the credit code of the same row are reported with it, as in the orders import."""
    before = count(Customer)
    result = run(tmp_path, "customers", [
        ["客户编码", "客户名称", "归属销售方编码", "区划代码", "统一社会信用代码"],
        ["C8", "丁公司", "NOPE", 440000, "91440300MA5DC6QX9X"],  # unknown owner, a province, a bad check digit
        ["C9", "戊公司", "th", 440106, ""],                       # fine: the owner in any letter case
    ])
    assert result.status == "rejected"
    assert [(r["row"], r["column"], r["value"], r["reason"]) for r in report_rows(result)] == [
        ("2", "统一社会信用代码", "91440300MA5DC6QX9X", "统一社会信用代码 91440300MA5DC6QX9X 无效（18 位，最后一位是校验码）。"),
        ("2", "归属销售方编码", "NOPE", "销售方编码 NOPE 不存在。"),
        ("2", "区划代码", "440000", "客户所在地必须是一个市或区县的行政区划代码。"),
    ]
    assert count(Customer) == before


def test_a_territory_grant_row_with_an_unknown_seller_reports_its_unknown_division_too(app, world, tmp_path):
    result = run(tmp_path, "territory_grants", [["销售方编码", "区划代码", "独家", "开始日期", "结束日期"],
                                                ["NOPE", 990000, "是", "2026-01-01", ""]])
    assert result.status == "rejected"
    assert [(r["column"], r["value"], r["reason"]) for r in report_rows(result)] == [
        ("销售方编码", "NOPE", "销售方编码 NOPE 不存在。"), ("区划代码", "990000", "没有这个行政区划。"),
    ]


def test_a_price_row_breaking_two_rules_reports_both(app, world, tmp_path):
    result = run(tmp_path, "prices", [["SKU", "价格类型", "代理层级", "价格（元）", "生效日期"],
                                      ["P1", "sell_in", "", "-5", "2026-01-01"],
                                      ["P1", "floor", "2", "-5", "01/2026"]])
    assert result.status == "rejected"
    assert [(r["row"], r["column"], r["reason"]) for r in report_rows(result)] == [
        ("2", "价格（元）", "价格不能为负数。"), ("2", "代理层级", "进货价必须写代理层级。"),
        ("3", "生效日期", "不是日期（YYYY-MM-DD）。"), ("3", "价格（元）", "价格不能为负数。"), ("3", "代理层级", "最低价不分代理层级。"),
    ]


def test_an_agent_row_reports_its_bad_cells_and_its_upline_and_the_rows_below_it_are_told_why(app, world, tmp_path):
    before = count(Seller)
    result = run(tmp_path, "agents", [
        AGENT_HEADER,
        ["Y2", "某省代", 9, "NOPE", "2026-02-31"],  # level out of range, no such day, unknown upline
        ["Y3", "某市代", 3, "Y2", "2026-02-01"],     # fine by itself, but hangs below Y2
        ["Y4", "某市代", 3, "N1", "2026-02-01"],     # fine
        ["Y5", "某分销", "四", "Y4", "2026-02-01"],  # a bad level: not also compared with Y4's
    ])
    assert result.status == "rejected"
    assert [(r["row"], r["column"], r["value"], r["reason"]) for r in report_rows(result)] == [
        ("2", "加入日期", "2026-02-31", "不是日期（YYYY-MM-DD）。"),
        ("2", "层级", "9", "层级 9 超出了配置的层级数。"),
        ("5", "层级", "四", "不是整数。"),
        ("2", "上级编码", "NOPE", "上级编码 NOPE 不存在。"),
        # not "上级编码 Y2 不存在" (Y2 is in the file), nor a level compared with Y2's bad one
        ("3", "上级编码", "Y2", "上级 Y2 无法导入（在循环中或其上级有误）。"),
    ]
    assert count(Seller) == before


def test_imports_take_seller_codes_in_any_letter_case(app, world, coded_customer, tmp_path):
    """Codes typed in lower case name the stored (upper-case) sellers: the upline of an agent,
    an agent already stored (skipped, not a duplicate) and the seller of an order."""
    result = run(tmp_path, "agents", [AGENT_HEADER, ["X2", "某省代", 2, "n1", "2026-02-01"],
                                      ["gd", "广东省代", 2, "N1", "2026-02-01"]])
    assert result.status == "done", result.report_csv
    assert (result.inserted, result.skipped) == (1, 1)
    assert uplines_of("X2") == ["N1"]
    orders = run(tmp_path, "orders", [ORDER_HEADER, ["LC-1", 1, "sell_in", "gd", "", 440100, "2026-10-11", "P1", 1,
                                                     "1860"]], name="orders.csv")
    assert orders.status == "done", orders.report_csv
    assert db.session.scalar(select(SalesOrder.seller_id).where(SalesOrder.order_no == "LC-1")) == world.GD.id


@pytest.mark.parametrize("cells, column, words", [
    ({6: "0001-01-01"}, "订单日期", "日期超出范围"),
    ({6: "2026-W43-1"}, "订单日期", "不是日期"),
    ({6: "20261021"}, "订单日期", "不是日期"),
    ({8: 1_000_000_000, 9: "20000000"}, "单价（元）", "金额（数量 × 单价）过大"),
    ({9: "21474836.48"}, "单价（元）", "单价太大"),  # what the order line's price column holds
])
def test_the_orders_import_applies_the_order_rules_of_the_api(app, world, coded_customer, tmp_path, cells, column,
                                                               words):
    """The same date and amount rules as POST /api/v1/orders (channel.domain.orders): a year
    outside 1900–2999, a week date or a date without dashes, and a line amount past ¥10^12 are
    reported beside their cell, not stored (SQLite would overflow on 10^21 fen)."""
    row = order_rows(1)[0]
    for index, value in cells.items():
        row[index] = value
    before = count(OrderLine)
    result = run(tmp_path, "orders", [ORDER_HEADER, row])
    assert result.status != "done"
    rows = report_rows(result)
    assert any(r["column"] == column and words in r["reason"] for r in rows), rows
    assert count(OrderLine) == before


def test_an_imported_order_whose_total_passes_the_bound_is_refused(app, world, coded_customer, tmp_path):
    # each line ¥999,999,000,000 (under the bound), the order ¥1,999,998,000,000 (over it)
    big = [["BIG-1", n, "sell_out", "NS", "C-NS", 440305, "2026-10-10", "P1", 1_000_000, "999999"]
           for n in range(1, 3)]
    before = count(OrderLine)
    result = run(tmp_path, "orders", [ORDER_HEADER] + big)
    rows = report_rows(result)
    assert any(r["column"] == "订单号" and "订单总额过大" in r["reason"] for r in rows), rows
    assert count(OrderLine) == before


@pytest.mark.parametrize("price, shown", [("-5", "-5.00"), ("-0.07", "-0.07"), ("99999999999999.99", "99999999999999.99")])
def test_a_refused_unit_price_is_reported_in_exact_yuan_not_through_a_float(app, world, coded_customer, tmp_path,
                                                                            price, shown):
    """The report's value of a negative or too large unit price is the exact yuan (Decimal digits
    from the fen), never a float's text ('-5.0', '1e+14')."""
    row = order_rows(1)[0]
    row[9] = price
    result = run(tmp_path, "orders", [ORDER_HEADER, row])
    assert result.status == "rejected"
    assert [(r["column"], r["value"]) for r in report_rows(result)] == [("单价（元）", shown)]


def test_the_customers_template_example_row_imports_as_it_is(app, world, tmp_path):
    """The downloadable template's example row is a valid customer (its credit code's check digit
    is right), so a user copying the example sees it stored rather than refused."""
    from channel.services.imports import template_csv, template_xlsx

    for fmt, body in (("csv", template_csv("customers")), ("xlsx", template_xlsx("customers"))):
        path = tmp_path / f"customers-template.{fmt}"
        path.write_bytes(body)
        result = import_file("customers", str(path))
        assert result.status == "done", report_rows(result)
    assert db.session.scalar(select(Customer.credit_code).where(Customer.code == "C0001")) == "91440300MA5DC6QX9C"


RETURN_HEADER = ["退货单号", "订单号", "行号", "数量", "退货日期", "原因"]


def test_a_returns_file_reports_every_problem_of_every_row_and_stores_nothing(app, world, tmp_path):
    """The returns import stopped at the service's first problem of a row (and checked a row
    with a bad cell no further): every rule is now checked on every row, beside its column.
    SO-NS-1 line 1: 2 units sold on 2026-10-05."""
    stored = run(tmp_path, "returns", [RETURN_HEADER, ["RT-0", "SO-NS-1", 1, 1, "2026-10-20", ""]], name="first.csv")
    assert stored.status == "done", stored.report_csv
    result = run(tmp_path, "returns", [RETURN_HEADER,
        ["RT-1", "SO-NS-1", 1, 1, "2026-10-21", ""],     # fine: the last unit left
        ["RT-2", "SO-NS-1", 1, 1, "2026-13-01", ""],     # a bad date, and no unit left
        ["RT-3", "NOPE", 7, 0, "2026-10-21", ""],        # an unknown order line, qty 0
        ["RT-4", "SO-NS-1", 2**63, 1, "2026-10-21", ""],  # a line number no order has
        ["RT-5", "SO-NS-1", 1, 3, "2026-10-01", ""],     # before the sale, more than sold
        ["RT-1", "SO-NS-1", 1, 1, "2026-10-21", ""],     # a duplicate of row 2
        ["RT-0", "SO-NS-1", 1, 2, "2026-10-20", ""],     # stored with another quantity
    ], name="second.csv")
    assert result.status == "rejected"
    assert [(r["row"], r["column"], r["value"], r["reason"]) for r in report_rows(result)] == [
        ("3", "退货日期", "2026-13-01", "不是日期（YYYY-MM-DD）。"),
        ("3", "数量", "1", "退货数量超过了可退数量（还可退 0）。"),
        ("4", "行号", "7", "订单 NOPE 没有第 7 行。"),
        ("4", "数量", "0", "退货数量必须大于 0。"),
        ("5", "行号", str(2**63), "行号必须在 1 到 9999 之间。"),
        ("6", "退货日期", "2026-10-01", "退货日期不能早于销售日期。"),
        ("6", "数量", "3", "退货数量超过了可退数量（还可退 0）。"),
        ("7", "退货单号", "RT-1", "与第 2 行重复。"),
        ("8", "退货单号", "RT-0", "退货单 RT-0 的这一行已存在（数量 1，退货日期 2026-10-20），与文件不同。"),
    ]
    assert result.error_count == 9
    assert count(ReturnLine) == 1
    again = run(tmp_path, "returns", [RETURN_HEADER, ["RT-0", "SO-NS-1", 1, 1, "2026-10-20", "改了原因"],
                                      ["RT-1", "SO-NS-1", 1, 1, "2026-10-21", ""]], name="third.csv")
    assert (again.status, again.inserted, again.skipped) == ("done", 1, 1), again.report_csv


def test_a_price_row_with_an_unknown_sku_reports_its_level_problems_too(app, world, tmp_path):
    """The level was reported before the SKU (and a level out of range only when the rest was
    good, by the service): a row now reports its unknown SKU first, then every other problem."""
    before = count(ProductPrice)
    result = run(tmp_path, "prices", [["SKU", "价格类型", "代理层级", "价格（元）", "生效日期"],
                                      ["NOSKU", "sell_in", "", "-5", "2026-01-01"],
                                      ["NOSKU", "sell_in", 2**63, "5", "2026/02/30"],
                                      ["P1", "sell_in", 9, "5", "2026-01-01"]])
    assert result.status == "rejected"
    assert [(r["row"], r["column"], r["reason"]) for r in report_rows(result)] == [
        ("2", "SKU", "SKU NOSKU 不存在。"), ("2", "价格（元）", "价格不能为负数。"), ("2", "代理层级", "进货价必须写代理层级。"),
        ("3", "生效日期", "不是日期（YYYY-MM-DD）。"), ("3", "SKU", "SKU NOSKU 不存在。"),
        ("3", "代理层级", f"层级 {2**63} 超出了配置的层级数。"),
        ("4", "代理层级", "层级 9 超出了配置的层级数。"),
    ]
    assert count(ProductPrice) == before


def test_a_product_row_reports_each_bad_amount_on_its_own_column_as_written(app, world, tmp_path):
    """The service named the cost (with the cost's value) for a negative retail price, did not
    check the floor price, and an amount too large for the column made the run fail on
    PostgreSQL: each amount is now checked beside its column, its value as the file wrote it."""
    before = (count(Product), count(ProductPrice))
    result = run(tmp_path, "products", [["SKU", "产品名称", "品类", "成本（元）", "零售价（元）", "最低价（元）"],
                                        ["P8", "滤芯", "耗材", "1", "-5", "-3"],
                                        ["P9", "滤瓶", "耗材", "30000000", "1", ""]])
    assert result.status == "rejected"
    assert [(r["row"], r["column"], r["value"], r["reason"]) for r in report_rows(result)] == [
        ("2", "零售价（元）", "-5", "价格和成本不能为负数。"), ("2", "最低价（元）", "-3", "价格和成本不能为负数。"),
        ("3", "成本（元）", "30000000", "金额过大：最多 ¥20,000,000.00。"),
    ]
    prices = run(tmp_path, "prices", [["SKU", "价格类型", "代理层级", "价格（元）", "生效日期"],
                                      ["P1", "floor", "", "30,000,000.00", "2026-01-01"]], name="prices.csv")
    assert [(r["column"], r["value"]) for r in report_rows(prices)] == [("价格（元）", "30,000,000.00")]
    assert (count(Product), count(ProductPrice)) == before


def test_a_grant_row_names_an_inactive_seller_on_its_column_beside_its_dates(app, world, tmp_path):
    """An inactive seller was reported on 区划代码 (the service's field), and only when the row's
    other cells were good; an end before the start hid every other problem of the row."""
    world.TH.active = False
    db.session.commit()
    before = count(TerritoryGrant)
    result = run(tmp_path, "territory_grants", [["销售方编码", "区划代码", "独家", "开始日期", "结束日期"],
                                                ["TH", 440106, "是", "2026-05-01", "2026-01-01"],
                                                ["NOPE", 990000, "否", "2026-05-01", "2026-05-01"]])
    assert result.status == "rejected"
    assert [(r["row"], r["column"], r["reason"]) for r in report_rows(result)] == [
        ("2", "销售方编码", "它已停用，不能授权区域。"), ("2", "结束日期", "结束日期必须晚于开始日期。"),
        ("3", "销售方编码", "销售方编码 NOPE 不存在。"), ("3", "区划代码", "没有这个行政区划。"),
        ("3", "结束日期", "结束日期必须晚于开始日期。"),
    ]
    assert count(TerritoryGrant) == before


# ------------------------------------------------------------- codes compared as people type them

def test_stored_customers_and_products_are_found_in_any_letter_case_and_skipped(app, world, coded_customer, tmp_path):
    """'c-ns' is the stored C-NS and 'p1' the stored P1: already there (skipped), not new rows."""
    customers = run(tmp_path, "customers", [["客户编码", "客户名称", "归属销售方编码", "区划代码"],
                                            ["c-ns", "南山客户", "ns", 440305]])
    assert (customers.status, customers.inserted, customers.skipped) == ("done", 0, 1), customers.report_csv
    products = run(tmp_path, "products", [["SKU", "产品名称", "品类", "成本（元）", "零售价（元）"], ["p1", "净水器", "净水设备", "1", "2"]])
    assert (products.status, products.inserted, products.skipped) == ("done", 0, 1), products.report_csv
    assert count(Customer) == 5 and db.session.scalar(
        select(func.count()).select_from(Product).where(func.upper(Product.sku) == "P1")) == 1


def test_a_code_written_in_another_letter_case_in_the_same_file_is_a_duplicate_naming_the_first(app, world, tmp_path):
    header = ["客户编码", "客户名称", "归属销售方编码", "区划代码"]
    customers = run(tmp_path, "customers", [header, ["AG-9", "甲公司", "NS", 440305], ["ag-9 ", "乙公司", "NS", 440305]])
    assert customers.status == "rejected"
    assert [(r["row"], r["column"], r["value"], r["reason"]) for r in report_rows(customers)] == [
        ("3", "客户编码", "ag-9", "与第 2 行的 AG-9 重复。")]
    agents = run(tmp_path, "agents", [AGENT_HEADER, ["D2", "甲", 2, "N1", "2026-02-01"], ["d2", "乙", 2, "N1", "2026-02-01"]])
    assert [(r["row"], r["value"], r["reason"]) for r in report_rows(agents)] == [("3", "d2", "与第 2 行的 D2 重复。")]
    assert count(Customer) == 5 and db.session.scalar(select(func.count()).select_from(Seller).where(
        func.upper(Seller.code) == "D2")) == 0


def test_orders_prices_and_grants_name_customers_products_and_sellers_in_any_letter_case(app, world, coded_customer,
                                                                                           tmp_path):
    # a code stored in mixed case is found too (not only its upper- and lower-case spellings)
    world.product.sku = "Pm-1"
    db.session.commit()
    orders = run(tmp_path, "orders", [ORDER_HEADER, ["LC-9", 1, "sell_out", "ns", "c-ns", 440305, "2026-10-11", "PM-1", 1,
                                                     "2999.50"]])
    assert orders.status == "done", orders.report_csv
    line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == select(SalesOrder.id).where(
        SalesOrder.order_no == "LC-9").scalar_subquery()))
    assert (line.product_id, line.order.customer_id, line.seller_id) == (world.product.id, coded_customer.id, world.NS.id)
    prices = run(tmp_path, "prices", [["SKU", "价格类型", "代理层级", "价格（元）", "生效日期"], ["pm-1", "floor", "", "85", "2026-06-01"],
                                      ["PM-1", "floor", "", "85", "2026-06-01"]], name="prices.csv")
    assert prices.status == "rejected"  # one price twice, written in two cases
    # both rows name the stored Pm-1: the report names it
    assert [(r["row"], r["value"], r["reason"]) for r in report_rows(prices)] == [("3", "Pm-1", "与第 2 行重复。")]
    header = ["销售方编码", "区划代码", "独家", "开始日期", "结束日期"]
    grant = run(tmp_path, "territory_grants", [header, ["HZ", 330200, "是", "2026-01-01", ""]], name="grant.csv")
    again = run(tmp_path, "territory_grants", [header, ["hz", 330200, "是", "2026-01-01", ""]], name="again.csv")
    assert (grant.inserted, again.status, again.inserted, again.skipped) == (1, "done", 0, 1), again.report_csv


def test_an_imported_order_of_a_seller_on_or_after_its_deactivation_day_is_refused(app, world, coded_customer, tmp_path):
    # NS (a reseller) stops on 2026-10-10: an order of the 9th is late paperwork and goes in,
    # the 10th's is refused beside its date, naming the seller and the day (the API's rule)
    tree.deactivate_seller(world.NS.id, date(2026, 10, 10))
    rows = order_rows(1, order_no="OFF")
    rows[0][6] = "2026-10-09"
    late = order_rows(1, order_no="ON")
    late[0][3] = "ns"  # any letter case: the message names the stored code
    before = count(OrderLine)
    result = run(tmp_path, "orders", [ORDER_HEADER, *rows, *late])
    assert result.status != "done"
    assert [(r["row"], r["column"], r["value"], r["reason"]) for r in report_rows(result)] == [
        ("3", "订单日期", "2026-10-10", "销售方 NS 已于 2026-10-10 停用，不能记入这一天及以后的订单。")]
    assert count(OrderLine) == before
    assert run(tmp_path, "orders", [ORDER_HEADER, *rows]).status == "done"
    assert count(OrderLine) == before + 1
