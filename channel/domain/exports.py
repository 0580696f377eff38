"""Cells of exported files: values a spreadsheet will not run as formulas."""
from __future__ import annotations

import re
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# text that is exactly a negative decimal number ('-370.37', '-1,234.50'): a spreadsheet reads it
# as that number, never as a formula, so it gets no apostrophe. ('+86…' keeps its apostrophe: a
# phone number, which a spreadsheet would otherwise turn into a number.)
NEGATIVE_NUMBER = re.compile(r"-(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")


def safe_cell(value):
    """Numbers, dates and None pass through; a text starting with = + - @ (or a tab / carriage
    return) gets a leading apostrophe so Excel and WPS show it as text instead of running it —
    unless it is exactly a negative decimal number (`NEGATIVE_NUMBER`: '-370.37' stays as it is,
    while '-1+1', '-2-3' or '-cmd|…' are neutralised)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value


def yuan_amount(fen: int | None) -> Decimal | str:
    """Fen as an exact Decimal of yuan with two decimals ('' for None): a number cell with the
    format 0.00 in XLSX (so SUM works), and in CSV the very text of `yuan_text`:
    -37037 -> Decimal('-370.37'). Use it for money columns of list exports."""
    return "" if fen is None else Decimal(yuan_text(fen))


def yuan_text(fen: int | None) -> str:
    """Fen as an exact yuan amount with two decimals and no separators: 123450 → '1234.50'."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"
