"""Cells of exported files: values a spreadsheet will not run as formulas."""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Numbers, dates and None pass through; a text starting with = + - @ (or a tab / carriage
    return) gets a leading apostrophe so Excel and WPS show it as text instead of running it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def yuan_text(fen: int | None) -> str:
    """Fen as an exact yuan amount with two decimals and no separators: 123450 → '1234.50'."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"
