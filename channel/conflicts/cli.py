"""`flask --app app ...` commands of the conflicts feature."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add this feature's commands to `app.cli`."""
