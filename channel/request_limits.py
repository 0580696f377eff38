"""How large a request may be: `MAX_CONTENT_LENGTH` for every request, `MAX_IMPORT_UPLOAD_LENGTH`
for the import upload (a file of a million order lines is ~100 MB of CSV), and what the 413
answer (rendered by channel.errors: JSON on /api/, the error page elsewhere) says: the limit, in
the request's language."""
from __future__ import annotations

from flask import Flask, Request, current_app, request
from flask_babel import gettext as _

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


def too_large_message() -> str:
    """What a 413 says (channel.errors renders it): the limit of this request, in MB."""
    limit = request.max_content_length
    if limit:
        return _("请求太大：最多 %(mb)s MB。导入文件太大时，请拆成几个文件分别导入。", mb=max(1, limit // MIB))
    return _("请求太大。")


def register(app: Flask) -> None:
    app.request_class = SizeLimitedRequest
