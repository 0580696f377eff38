"""Statement inquiries (对账疑问): the rules of their texts and of their status, without the
database. Who may do what is decided in channel/services/commissions_inquiries.py."""
from __future__ import annotations

from channel.domain.errors import Conflict, DomainError, N_
from channel.domain.text import has_control_characters

MAX_TEXT = 2000  # characters of a question, an answer or a follow-up

# action -> (statuses it starts from, status it leads to)
TRANSITIONS = {
    "answer": (("open",), "answered"),
    "close": (("open", "answered"), "closed"),
    "reopen": (("answered", "closed"), "open"),
}


def check_text(text: str | None, field: str) -> str:
    """The text stripped; DomainError (on `field`) when empty, longer than MAX_TEXT characters or
    holding a control character other than a tab or a line break."""
    text = (text or "").strip()
    if not text:
        raise DomainError(N_("请填写内容。"), field=field)
    if len(text) > MAX_TEXT:
        raise DomainError(N_("内容最多 %(max)s 个字（现在 %(n)s 个）。"), field=field, max=MAX_TEXT, n=len(text))
    if has_control_characters(text, multiline=True):
        raise DomainError(N_("不能包含控制字符。"), field=field)
    return text


def next_status(action: str, status: str) -> str:
    """The status `action` ('answer', 'close', 'reopen') leads to from `status`; Conflict (409)
    when the action does not apply to it (answering a closed inquiry, closing a closed one...)."""
    starts, result = TRANSITIONS[action]
    if status not in starts:
        raise Conflict(N_("这条疑问当前的状态不允许此操作。"), field="status")
    return result
