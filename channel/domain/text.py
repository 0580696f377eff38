"""Rules of free text typed by people, shared by the forms and the services."""
from __future__ import annotations

import unicodedata

LINE_BREAKS = frozenset("\t\n\r")  # the control characters a multi-line text (a textarea) may hold


def has_control_characters(text: str | None, *, multiline: bool = False) -> bool:
    """Whether `text` holds a control character (Unicode category Cc: NUL, BEL, ESC...), which no
    one means to type and PostgreSQL refuses (NUL: a 500 instead of an answer); tabs and line
    breaks are allowed when `multiline`."""
    return any(unicodedata.category(ch) == "Cc" and not (multiline and ch in LINE_BREAKS) for ch in text or "")
