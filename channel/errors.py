"""Error pages: HTML in the app's style or JSON, by what the client accepts. No stack trace
ever reaches a user; the 500 handler rolls the session back."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from channel.domain.errors import DomainError
from channel.i18n import error_text
from channel.request_limits import too_large_message
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
        # Werkzeug's own descriptions are English: in their place, ours (a description given on
        # purpose, `abort(400, description=...)`, is kept)
        defaults = {
            400: _("请求有误，无法处理。"),
            401: _("请先登录。"),
            405: _("此地址不接受这种请求方式。"),
            429: _("请求过于频繁，请稍后再试。"),
        }
        status = error.code or 500
        if isinstance(error, CSRFError):
            message = _("表单已过期或缺少安全令牌（CSRF）：请刷新页面后重新提交。")
        elif status == 413:
            message = too_large_message()
        elif status in messages:
            message = messages[status]
        elif status in defaults and error.description == type(error).description:
            message = defaults[status]
        else:
            message = error.description or ""
        body, status = _respond(status, titles.get(status, error.name), message)
        # the exception's own headers stay (405's Allow, 401's WWW-Authenticate), not its type
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return body, status, headers

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(500, _("服务器错误"), _("出了点问题，我们已记录下来。您的数据没有被部分保存。"))
