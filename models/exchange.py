"""Tables of the exchange feature (added by its own migration)."""
from __future__ import annotations

from models import db  # noqa: F401
