"""Keyset pagination cursors: opaque strings of (date, id) or (id), stable deep into a list."""
from __future__ import annotations

from datetime import date


def encode_date_cursor(day: date, row_id: int) -> str:
    return f"{day.isoformat()}_{row_id}"


MAX_ID = 2**31 - 1  # the largest id: ids are INTEGER columns on both backends


def decode_date_cursor(cursor: str | None) -> tuple[date, int] | None:
    """None for a missing or malformed cursor (the list then starts from the top)."""
    if not cursor:
        return None
    try:
        day, row_id = cursor.split("_", 1)
        return date.fromisoformat(day), _id(row_id)
    except ValueError:
        return None


def decode_id_cursor(cursor: str | None) -> int | None:
    """None for a missing or malformed cursor, or a number no id can be."""
    try:
        return _id(cursor) if cursor else None
    except ValueError:
        return None


def _id(text: str) -> int:
    value = int(text)
    if not 0 <= value <= MAX_ID:
        raise ValueError(text)
    return value
