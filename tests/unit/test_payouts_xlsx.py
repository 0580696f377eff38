"""The streaming XLSX writer produces files openpyxl reads back exactly, text never as formulas."""
import io
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from channel.services import payouts_xlsx


def read_back(rows, **kw):
    out = io.BytesIO()
    payouts_xlsx.write(out, rows, **kw)
    book = load_workbook(io.BytesIO(out.getvalue()))  # the full (not read-only) reader: styles too
    return book.active


def test_text_numbers_and_amounts_read_back_with_their_types():
    sheet = read_back([["收款方", "金额"], ["A & B <公司>", Decimal("1234.50")], ["=1+1", 7], [None, Decimal("-0.01")]],
                      sheet_name="bank")
    assert sheet.title == "bank"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["收款方", "金额"], ["A & B <公司>", 1234.5], ["=1+1", 7], [None, -0.01]]
    assert sheet["A3"].data_type == "s"  # a string that looks like a formula stays a string
    assert sheet["B2"].number_format == "0.00"


def test_control_characters_that_xml_forbids_are_dropped():
    sheet = read_back([["a\x00b\x1fc\td"]])
    assert sheet["A1"].value == "abc\td"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), min_codepoint=32), max_size=30),
                         min_size=1, max_size=4), min_size=1, max_size=8))
def test_any_text_reads_back_unchanged(rows):
    sheet = read_back(rows)
    got = [[c.value for c in row] for row in sheet.iter_rows()]
    want = [list(row) + [None] * (max(map(len, rows)) - len(row)) for row in rows]
    assert got == want
