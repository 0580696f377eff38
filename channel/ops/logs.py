"""Structured logging: one JSON object per line on stdout (QUDAO_LOG_JSON=1, the production
default), so that any log collector can read it. Gunicorn's own and access logs use the same
formatter (channel/ops/gunicorn_conf.py)."""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, the request (method, path, user) when there is one,
    any `extra=` fields, and the exception text."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["method"] = request.method
            entry["path"] = request.path
            entry["remote"] = request.remote_addr
            user_id = g.get("_login_user") and getattr(g._login_user, "id", None)
            if user_id:
                entry["user_id"] = user_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def json_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    return handler


def configure(app: Flask) -> None:
    """With LOG_JSON, the app's and the root logger write JSON lines to stdout."""
    if not app.config.get("LOG_JSON"):
        return
    handler = json_handler()
    app.logger.handlers[:] = [handler]
    app.logger.propagate = False
    app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        root.addHandler(handler)
