"""The app's one XLSX writer (channel/services/xlsx.py, streamed, constant memory) produces files openpyxl reads back
exactly: text never as formulas, amounts as exact two-decimal numbers."""
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from channel.services import xlsx


def written(rows, **kw) -> bytes:
    out = io.BytesIO()
    xlsx.write(out, rows, **kw)
    return out.getvalue()


def read_back(rows, **kw):
    book = load_workbook(io.BytesIO(written(rows, **kw)))  # the full (not read-only) reader: styles too
    return book.active


def sheet_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


def test_text_numbers_and_amounts_read_back_with_their_types():
    sheet = read_back([["收款方", "金额"], ["A & B <公司>", Decimal("1234.50")], ["=1+1", 7], [None, Decimal("-0.01")]],
                      sheet_name="bank")
    assert sheet.title == "bank"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["收款方", "金额"], ["A & B <公司>", 1234.5], ["=1+1", 7], [None, -0.01]]
    assert sheet["A3"].data_type == "s"  # a string that looks like a formula stays a string
    assert sheet["B2"].number_format == "0.00"


def test_amounts_are_written_with_their_exact_decimal_digits_not_through_a_float():
    amounts = [Decimal("1234.50"), Decimal("0.10"), Decimal("-0.01"), Decimal("98765432109876.54"), Decimal("0.00")]
    xml = sheet_xml(written([[a] for a in amounts]))
    assert re.findall(r"<v>([^<]*)</v>", xml) == [str(a) for a in amounts]


def test_dates_and_booleans_keep_their_types():
    sheet = read_back([[date(2026, 10, 31), datetime(2026, 10, 31, 8, 30, 5), True]])
    assert [c.value for c in sheet[1]] == [datetime(2026, 10, 31), datetime(2026, 10, 31, 8, 30, 5), True]
    assert sheet["A1"].number_format == "yyyy-mm-dd"


def test_control_characters_that_xml_forbids_are_dropped():
    sheet = read_back([["a\x00b\x1fc\td"]])
    assert sheet["A1"].value == "abc\td"


def test_text_that_looks_like_an_excel_escape_is_itself_escaped():
    # Excel reads _xHHHH_ in a cell as a character; the writer escapes the underscore so that
    # the text shows as typed (openpyxl does not undo that escape, hence the raw check).
    assert "<t>_x005F_x0041_</t>" in sheet_xml(written([["_x0041_"]]))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), min_codepoint=32), max_size=30),
                         min_size=1, max_size=4), min_size=1, max_size=8))
def test_any_text_reads_back_unchanged(rows):
    assume(not any(re.search(r"_x[0-9A-Fa-f]{4}_", text) for row in rows for text in row))
    sheet = read_back(rows)
    got = [[c.value for c in row] for row in sheet.iter_rows()]
    want = [list(row) + [None] * (max(map(len, rows)) - len(row)) for row in rows]
    assert got == want


def test_chunks_stream_the_same_file(tmp_path):
    rows = [["编码", "金额"]] + [[f"A{n}", Decimal(n) / 100] for n in range(3000)]
    streamed = b"".join(xlsx.chunks(rows, sheet_name="bank", chunk=4096))
    sheet = load_workbook(io.BytesIO(streamed), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 3001 and values[-1] == ("A2999", 29.99)
