"""Error pages: HTML in the app's style or JSON, by what the client accepts. No stack trace
ever reaches a user; the 500 handler rolls the session back."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from channel.domain.errors import DomainError
from channel.i18n import error_text
from models import db


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _respond(status: int, title: str, message: str, field: str | None = None):
    if wants_json():
        body = {"error": {"status": status, "title": title, "message": message}}
        if field:
            body["error"]["field"] = field
        return jsonify(body), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        titles = {403: _("禁止访问"), 404: _("未找到"), 409: _("冲突")}
        return _respond(error.status, titles.get(error.status, _("请求有误")), error_text(error), error.field)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        titles = {
            400: _("请求有误"),
            401: _("需要登录"),
            403: _("禁止访问"),
            404: _("页面不存在"),
            405: _("不允许的方法"),
            413: _("文件太大"),
            429: _("请求过于频繁"),
        }
        messages = {
            403: _("您无权访问此页面。"),
            404: _("您要找的页面不存在，或您无权查看。"),
        }
        status = error.code or 500
        return _respond(status, titles.get(status, error.name), messages.get(status, error.description or ""))

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(500, _("服务器错误"), _("出了点问题，我们已记录下来。您的数据没有被部分保存。"))
