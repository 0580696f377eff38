"""How an import run's kind and status read for people, in the request's language: the imports
page (`templates/exchange/_run_status.html`, `imports.html`) and the import history export use
these. An unknown code is shown as it is."""
from __future__ import annotations

from channel.domain.imports import RUN_STATUS_LABELS
from channel.i18n import code_label


def run_status_label(status: str | None) -> str:
    return code_label(RUN_STATUS_LABELS, status)


def kind_label(kind: str | None) -> str:
    """An import kind's label (`ImportKind.label`: 代理, 客户, ...)."""
    from channel.services.imports import IMPORT_KINDS

    return code_label({key: registered.label for key, registered in IMPORT_KINDS.items()}, kind)
