"""How large a request may be: `MAX_CONTENT_LENGTH` for every request, `MAX_IMPORT_UPLOAD_LENGTH`
for the import upload (a file of a million order lines is ~100 MB of CSV), and the 413 answer
(JSON on /api/, the error page elsewhere) saying the limit in the request's language."""
from __future__ import annotations

from flask import Flask, Request, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

MIB = 1024 * 1024
# endpoints that take import files: they get MAX_IMPORT_UPLOAD_LENGTH instead
IMPORT_UPLOAD_ENDPOINTS = frozenset({"exchange.imports"})


class SizeLimitedRequest(Request):
    """A request whose byte limit depends on its endpoint (known once the URL is matched, before
    any before_request function such as the CSRF check reads the form)."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and current_app and self.endpoint in IMPORT_UPLOAD_ENDPOINTS:
            return current_app.config.get("MAX_IMPORT_UPLOAD_LENGTH") or current_app.config["MAX_CONTENT_LENGTH"]
        return Request.max_content_length.fget(self)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def register(app: Flask) -> None:
    from channel.errors import _respond  # the one renderer of error answers (JSON or page)

    app.request_class = SizeLimitedRequest

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        limit = request.max_content_length
        if limit:
            message = _("请求太大：最多 %(mb)s MB。导入文件太大时，请拆成几个文件分别导入。", mb=max(1, limit // MIB))
        else:
            message = _("请求太大。")
        return _respond(413, _("文件太大"), message)
