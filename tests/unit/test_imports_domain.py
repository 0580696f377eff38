"""Reading import files and checking cells, without a database."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given, strategies as st

from channel.domain.errors import DomainError, Label
from channel.domain.exports import safe_cell, yuan_text
from channel.domain.imports import (CellError, Column, ImportFileError, RowError, RowRule, Schema, TableFile,
                                    check_row, day, decode_report, detect_encoding, encode_report, integer,
                                    order_by_upline, render_report, text, yuan_to_fen)


@pytest.mark.parametrize("raw, fen", [("3000", 300000), ("3000.5", 300050), ("3,000.55", 300055), ("¥12", 1200),
                                      (".5", 50), (7, 700), (2.5, 250), ("0.01", 1)])
def test_yuan_amounts_become_exact_fen(raw, fen):
    assert yuan_to_fen(raw) == fen


@pytest.mark.parametrize("raw", ["1.234", "abc", "1.2.3", "１２", "12元"])
def test_malformed_amounts_are_refused(raw):
    with pytest.raises(CellError):
        yuan_to_fen(raw)


@given(st.integers(min_value=0, max_value=10**14))
def test_fen_written_as_yuan_text_reads_back_the_same(fen):
    assert yuan_to_fen(yuan_text(fen)) == fen


def test_negative_fen_is_written_with_a_sign():
    assert yuan_text(-150) == "-1.50" and yuan_text(5) == "0.05"


@pytest.mark.parametrize("raw", ["x", "1.5", "1_0", "１２"])
def test_integers_must_be_plain_digits(raw):
    with pytest.raises(CellError):
        integer(raw)


def test_dates_in_iso_or_slashes_and_refused_otherwise():
    assert day("2026-10-05") == day("2026/10/5") == date(2026, 10, 5)
    with pytest.raises(CellError):
        day("2026-13-01")


def test_text_longer_than_its_column_is_refused():
    assert text(3)(" ab ") == "ab"
    with pytest.raises(CellError):
        text(3)("abcd")


def test_a_row_reports_every_bad_cell_with_its_column_and_value():
    schema = Schema([Column("code", "编码", text(5)), Column("qty", "数量", integer), Column("note", "备注", text(9), required=False)])
    bound = schema.bind(["数量", "code"])
    errors = []
    assert bound.parse(2, ["x", ""], errors) is None
    assert [(e.row, e.column, e.value) for e in errors] == [(2, "编码", ""), (2, "数量", "x")]


def test_a_missing_required_column_rejects_the_file():
    schema = Schema([Column("code", "编码", text(5)), Column("qty", "数量", integer)])
    with pytest.raises(ImportFileError) as raised:
        schema.bind(["编码"])
    assert "qty" in str(raised.value)


def test_uplines_later_in_the_file_are_ordered_first():
    generations, refused = order_by_upline({"C": "B", "B": "A", "A": "TOP"}, {"TOP"})
    assert generations == [["A"], ["B"], ["C"]] and refused == {}


def test_a_cycle_refuses_its_members_and_what_hangs_below_it():
    generations, refused = order_by_upline({"A": "B", "B": "A", "C": "A", "D": None, "E": "NOPE"}, set())
    assert generations == [["D"]]
    assert set(refused) == {"A", "B", "C", "E"}
    assert "循环" in refused["A"][0] and "循环" in refused["B"][0]
    assert refused["C"][0] != refused["A"][0]  # below the cycle, not in it
    assert refused["E"] == ("上级编码 %(upline)s 不存在。", "NOPE")


@given(st.dictionaries(st.sampled_from("ABCDEFG"), st.one_of(st.none(), st.sampled_from("ABCDEFGX"))))
def test_every_code_is_either_placed_after_its_upline_or_refused(uplines):
    generations, refused = order_by_upline(uplines, {"X"})
    placed = [code for generation in generations for code in generation]
    assert sorted(placed + list(refused)) == sorted(uplines)
    seen = {"X"}
    for generation in generations:
        for code in generation:
            assert uplines[code] is None or uplines[code] in seen
        seen.update(generation)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    path = tmp_path / "f.csv"
    path.write_bytes("编码,名称\nA,广州天河\n".encode(encoding))
    table = TableFile(str(path))
    header, rows = table.header_and_rows()
    assert header == ["编码", "名称"] and list(rows) == [(2, ["A", "广州天河"])]
    assert detect_encoding(str(path)) in ("utf-8-sig", "gb18030")


def test_utf16_is_refused(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("编码,名称\n".encode("utf-16"))
    with pytest.raises(ImportFileError):
        TableFile(str(path))


@pytest.mark.parametrize("value", ["=1+1", "+86", "-2-3", "-1+cmd|' /C calc'!A0", "-A1", "-1,23", "-", "@SUM(A1)",
                                   "\tx", "\r=1", "-\t2"])
def test_exported_text_that_a_spreadsheet_would_run_is_neutralised(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-2", "-370.37", "-1,234.50", "-1234567.89", "-1,234,567.89"])
def test_a_negative_amount_as_text_is_exported_without_an_apostrophe(value):
    assert safe_cell(value) == value


def test_numbers_and_plain_text_are_exported_as_they_are():
    assert safe_cell(-5) == -5 and safe_cell("深圳") == "深圳" and safe_cell(None) is None


# ------------------------------------------------------------------------- every problem of a row

def _reject_negative(r):
    if r["qty"] < 0:
        raise DomainError("数量必须大于 0。", field="qty")


def _reject_unknown_code(r):
    if r["code"] != "OK":
        raise DomainError("编码 %(code)s 不存在。", field="code", code=r["code"])


def _needs_the_date(r):
    raise AssertionError("a rule on a cell that did not parse must not run")


ROW_SCHEMA = Schema([Column("code", "编码", text(5)), Column("qty", "数量", integer), Column("on", "日期", day),
                     Column("note", "备注", text(3), required=False)])
ROW_RULES = (RowRule(("qty",), _reject_negative), RowRule(("code",), _reject_unknown_code), RowRule(("on",), _needs_the_date))
ROW_LABELS = {c.key: c.label for c in ROW_SCHEMA.columns}


def test_a_row_keeps_its_good_cells_beside_the_bad_ones():
    errors = []
    record, bad = ROW_SCHEMA.bind(["编码", "数量", "日期", "备注"]).parse_cells(7, ["NOPE", "-2", "2026-13-01", "long"], errors)
    assert record == {"code": "NOPE", "qty": -2, "on": None, "note": None}
    assert bad == {"on", "note"}
    assert [(e.row, e.column, e.value) for e in errors] == [(7, "日期", "2026-13-01"), (7, "备注", "long")]


def test_every_bad_cell_and_every_broken_rule_of_a_row_is_reported_together():
    errors = []
    record, bad = ROW_SCHEMA.bind(["编码", "数量", "日期"]).parse_cells(7, ["NOPE", "-2", "2026-13-01"], errors)
    errors += check_row(7, record, bad, ROW_RULES, ROW_LABELS)
    assert [(e.column, e.value, e.reason) for e in errors] == [
        ("日期", "2026-13-01", "不是日期（YYYY-MM-DD）。"),
        ("数量", "-2", "数量必须大于 0。"),
        ("编码", "NOPE", "编码 %(code)s 不存在。"),
    ]
    assert errors[2].params == (("code", "NOPE"),) and errors[2].text() == "编码 NOPE 不存在。"


def test_a_rule_may_normalise_its_cell():
    record = {"code": " a "}
    assert check_row(2, record, (), [RowRule(("code",), lambda r: r.update(code=r["code"].strip().upper()))], {}) == []
    assert record == {"code": "A"}


# ----------------------------------------------------------------------------------- reports

ENGLISH = {"编码 %(code)s 不存在。": "Code %(code)s does not exist.", "已确认": "confirmed",
           "状态是 %(status)s。": "The status is %(status)s.", "不能为空。": "Cannot be empty.",
           "行": "Row", "列": "Column", "值": "Value", "原因": "Reason", "编码": "Code"}


def english(message: str) -> str:
    return ENGLISH.get(message, message)


def test_a_stored_report_keeps_message_ids_and_is_rendered_in_the_readers_language():
    errors = [RowError(2, "编码", "A,\"B\"", "编码 %(code)s 不存在。", (("code", "A,\"B\""),)),
              RowError(3, "状态", "x", "状态是 %(status)s。", (("status", Label("已确认")),)),
              RowError(0, "", "", "不能为空。")]
    stored = encode_report(errors)
    assert "编码 A" not in stored  # the msgid and its parameters, not rendered text
    assert list(decode_report(stored)) == errors
    assert [e.text(english) for e in decode_report(stored)] == [
        'Code A,"B" does not exist.', "The status is confirmed.", "Cannot be empty."]
    assert [e.text() for e in decode_report(stored)] == ['编码 A,"B" 不存在。', "状态是 已确认。", "不能为空。"]
    rendered = list(csv.reader(io.StringIO(render_report(decode_report(stored), english))))
    assert rendered[0] == ["Row", "Column", "Value", "Reason"]  # the header and a known column translated
    assert rendered[1] == ["2", "Code", 'A,"B"', 'Code A,"B" does not exist.']
    assert rendered[2][1] == "状态"  # a column with no translation as it is
    assert rendered[3][:2] == ["0", ""]  # no column (a whole-row error): never gettext("")
    assert list(csv.reader(io.StringIO(render_report([]))))[0] == ["行", "列", "值", "原因"]
    assert [e.row for e in decode_report(stored, limit=2)] == [2, 3]


def test_the_downloaded_report_neutralises_a_formula_in_the_offending_cell():
    errors = [RowError(2, "订单号", '=HYPERLINK("http://x","y")', "不能为空。"), RowError(3, "金额", "-8.07", "不能为负数。"),
              RowError(4, "=列", "@x", "+%(v)s", (("v", "1"),))]
    rendered = list(csv.reader(io.StringIO(render_report(errors))))
    assert rendered[1][1:3] == ["订单号", '\'=HYPERLINK("http://x","y")']
    assert rendered[2][2] == "-8.07"
    assert rendered[3][1:] == ["'=列", "'@x", "'+1"]


def test_a_report_stored_as_rendered_text_still_reads():
    legacy = 'row,column,value,reason\r\n2,上级编码,NOPE,上级编码 NOPE 不存在。\r\n3,数量,"1,5",不能为空。\r\n'
    errors = list(decode_report(legacy))
    assert [(e.row, e.column, e.value, e.params) for e in errors] == [(2, "上级编码", "NOPE", ()), (3, "数量", "1,5", ())]
    assert [e.text(english) for e in errors] == ["上级编码 NOPE 不存在。", "Cannot be empty."]


@pytest.mark.parametrize("fen", [0, 1, -1, 123450, -37037, 10**14, -(10**14) - 99])
def test_a_yuan_amount_is_exact_and_reads_in_csv_as_its_yuan_text(fen):
    from decimal import Decimal

    from channel.domain.exports import yuan_amount, yuan_text

    amount = yuan_amount(fen)
    assert isinstance(amount, Decimal) and str(amount) == yuan_text(fen) and amount * 100 == fen
