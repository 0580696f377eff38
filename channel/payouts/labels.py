"""How payout statuses and batch events read for people, in the request's language: the pages
(`templates/payouts/_labels.html`) and the payee's export use these, over the one mapping of
message ids in `channel.domain.payouts`. An unknown code is shown as it is."""
from __future__ import annotations

from channel.domain.payouts import BATCH_STATUS_LABELS, EVENT_LABELS, ROW_STATUS_LABELS
from channel.i18n import code_label


def batch_status_label(status: str | None) -> str:
    return code_label(BATCH_STATUS_LABELS, status)


def row_status_label(status: str | None) -> str:
    return code_label(ROW_STATUS_LABELS, status)


def event_label(action: str | None) -> str:
    return code_label(EVENT_LABELS, action)
