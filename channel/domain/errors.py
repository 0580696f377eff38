"""Domain errors. The domain cannot import Flask-Babel, so it raises untranslated message ids
(marked with `N_` for extraction) and their parameters; the edge translates them with
`channel.i18n.error_text`. Views map them to 400/403/404/409 with the message shown."""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message id for extraction without translating it (translated at the edge)."""
    return message


class InContext(str):
    """A message id with a context (msgctxt): one Chinese text that English says two ways, say
    任务, a selling task ("Task") and a background job ("Job"). Made by `NC_`; translated with
    its context by `channel.i18n.translate` and `error_text`; elsewhere it is its text."""

    context: str


def NC_(context: str, message: str) -> str:
    """`N_` with a context: the English is looked up under msgctxt `context` (i18n/en/*.po)."""
    marked = InContext(message)
    marked.context = context
    return marked


class Label(str):
    """A message id given as a parameter of an error (a status's label, say): translated too when
    the error is shown (channel.i18n.error_text); elsewhere (logs, job results) it is its text."""

    __slots__ = ()


class DomainError(Exception):
    """A rule refused the request.

    `message` is a msgid with %(name)s placeholders, `params` fills them, `field` names the
    input at fault when there is one (forms and the API show the message beside it).
    """

    status = 400

    def __init__(self, message: str, field: str | None = None, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params


class Conflict(DomainError):
    status = 409


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403
