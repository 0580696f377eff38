"""Pages of the commissions feature."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("commissions", __name__)

# Navigation entries this feature adds to the top bar: (endpoint, label msgid, roles or None for all).
NAV: list[tuple[str, str, tuple[str, ...] | None]] = []
