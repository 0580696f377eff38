"""THE XLSX writer of the app (payout bank/payroll files, list exports, import templates):
xlsxwriter in constant-memory mode, one sheet.

Constant-memory mode writes each row to a temporary file as soon as the next row starts, so
memory does not grow with the row count; the package (zip) is assembled from those files when
the workbook closes. Rows must therefore come in order, which they do: one pass over an iterator.

Cells, by the value's type:
- str: always a text cell (inline string), never a formula, whatever it starts with. Callers
  still neutralise text for spreadsheets (`safe_cell` / `neutralise`: a leading apostrophe)
  so that the file stays harmless if it is re-saved as CSV. Control characters that XML 1.0
  forbids are dropped.
- Decimal (yuan amounts): a number with the format `0.00`. The Decimal is handed to xlsxwriter
  as is: it writes `format(value, ".16G")`, which for a Decimal is its exact digits (no float
  on the way; tests/unit/test_xlsx.py checks the XML), for amounts up to 16 significant digits.
- int / float: a number; bool: a boolean; date / datetime: an Excel date (`yyyy-mm-dd`,
  `yyyy-mm-dd hh:mm:ss`; a timezone is dropped); None: an empty cell.
"""
from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter

MONEY_FORMAT = "0.00"
# Control characters XML 1.0 forbids (tab, newline and carriage return are allowed). Searched
# first, replaced only when found: str.translate is slow on Chinese text (~8 µs a cell).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text(value: str) -> str:
    return _FORBIDDEN.sub("", value) if _FORBIDDEN.search(value) else value


def write(out, rows: Iterable[Iterable], sheet_name: str = "Sheet1") -> None:
    """Write `rows` (the header first, if any) as a one-sheet XLSX into `out`: a path or a
    seekable binary file object. `sheet_name` must be a valid Excel sheet name (≤ 31 characters,
    none of []:*?/\\)."""
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "remove_timezone": True})
    sheet = book.add_worksheet(sheet_name)
    money = book.add_format({"num_format": MONEY_FORMAT})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    write_string, write_number = sheet.write_string, sheet.write_number
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                write_string(r, c, _text(value))
            elif kind is Decimal:
                write_number(r, c, value, money)
            elif kind is int or kind is float:
                write_number(r, c, value)
            elif kind is bool:
                sheet.write_boolean(r, c, value)
            elif isinstance(value, datetime):
                sheet.write_datetime(r, c, value, moment)
            elif isinstance(value, date):
                sheet.write_datetime(r, c, value, day)
            elif isinstance(value, Decimal):
                write_number(r, c, value, money)
            elif isinstance(value, (int, float)):
                write_number(r, c, value)
            elif isinstance(value, str):
                write_string(r, c, _text(str.__str__(value)))
            else:
                write_string(r, c, _text(str(value)))
    book.close()  # only when every row was written: a failed export raises its own error


def chunks(rows: Iterable[Iterable], sheet_name: str = "Sheet1", chunk: int = 1 << 16) -> Iterator[bytes]:
    """The XLSX of `rows` (see `write`), written to a temporary file first, then yielded in
    `chunk`-byte pieces: for a streamed HTTP response."""
    with tempfile.TemporaryFile() as spool:
        write(spool, rows, sheet_name)
        spool.seek(0)
        while data := spool.read(chunk):
            yield data
