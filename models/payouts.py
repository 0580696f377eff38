"""Tables of the payouts feature (added by its own migration)."""
from __future__ import annotations

from models import db  # noqa: F401
