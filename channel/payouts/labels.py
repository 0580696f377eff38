"""How payout statuses and batch events read for people, in the request's language: the pages
(`templates/payouts/_labels.html`) and the payee's export use these, over the one mapping of
message ids in `channel.domain.payouts`. An unknown code is shown as it is."""
from __future__ import annotations

from flask_babel import gettext

from channel.domain.payouts import BATCH_STATUS_LABELS, EVENT_LABELS, ROW_STATUS_LABELS, read_bank_result_note
from channel.i18n import code_label


def batch_status_label(status: str | None) -> str:
    return code_label(BATCH_STATUS_LABELS, status)


def row_status_label(status: str | None) -> str:
    return code_label(ROW_STATUS_LABELS, status)


def event_label(action: str | None) -> str:
    return code_label(EVENT_LABELS, action)


def event_note(action: str | None, note: str | None) -> str:
    """A batch event's note as people read it: a bank result's counts in the reader's language
    (stored as `bank_result_note` wrote them); any other note (a cancellation's reason) as typed."""
    counts = read_bank_result_note(note) if action == "bank_result" else None
    if counts is None:
        return note or ""
    paid, failed, remaining = counts
    return gettext("银行结果已导入：成功 %(paid)s 笔，失败 %(failed)s 笔，待定 %(remaining)s 笔。",
                   paid=paid, failed=failed, remaining=remaining)
