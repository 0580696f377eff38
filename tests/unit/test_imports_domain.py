"""Reading import files and checking cells, without a database."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st

from channel.domain.exports import safe_cell, yuan_text
from channel.domain.imports import (CellError, Column, ImportFileError, Schema, TableFile, day, detect_encoding,
                                    integer, order_by_upline, text, yuan_to_fen)


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


@pytest.mark.parametrize("fen", [0, 1, -1, 123450, -37037, 10**14, -(10**14) - 99])
def test_a_yuan_amount_is_exact_and_reads_in_csv_as_its_yuan_text(fen):
    from decimal import Decimal

    from channel.domain.exports import yuan_amount, yuan_text

    amount = yuan_amount(fen)
    assert isinstance(amount, Decimal) and str(amount) == yuan_text(fen) and amount * 100 == fen
