"""How payout statuses and batch events read for people, in the request's language: the pages
(`templates/payouts/_labels.html`) and the payee's export use these, over the one mapping of
message ids in `channel.domain.payouts`. An unknown code is shown as it is."""
from __future__ import annotations

from channel.domain.payouts import BATCH_STATUS_LABELS, EVENT_LABELS, ROW_STATUS_LABELS
from channel.i18n import request_translations


def _label(labels: dict[str, str], code: str | None) -> str:
    if code in labels:
        return request_translations().ugettext(labels[code])
    return code or ""


def batch_status_label(status: str | None) -> str:
    return _label(BATCH_STATUS_LABELS, status)


def row_status_label(status: str | None) -> str:
    return _label(ROW_STATUS_LABELS, status)


def event_label(action: str | None) -> str:
    return _label(EVENT_LABELS, action)
