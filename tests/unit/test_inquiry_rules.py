"""The rules of a statement inquiry's texts and statuses (channel/domain/inquiries.py)."""
import pytest

from channel.domain.errors import Conflict, DomainError
from channel.domain.inquiries import MAX_TEXT, check_text, next_status


def test_a_text_is_stripped_and_must_say_something():
    assert check_text("  为什么？\n", "question") == "为什么？"
    for empty in (None, "", " \n\t"):
        with pytest.raises(DomainError, match="请填写内容") as refused:
            check_text(empty, "answer")
        assert refused.value.field == "answer"


def test_a_text_holds_at_most_2000_characters_counted_after_stripping():
    assert check_text(" " + "字" * MAX_TEXT + " ", "question") == "字" * MAX_TEXT
    with pytest.raises(DomainError) as refused:
        check_text("字" * (MAX_TEXT + 1), "follow_up")
    assert refused.value.params == {"max": 2000, "n": 2001} and refused.value.field == "follow_up"


def test_a_text_keeps_its_line_breaks_and_tabs_but_holds_no_other_control_character():
    assert check_text("第一行\r\n\t第二行", "question") == "第一行\r\n\t第二行"
    for bad in ("问\x00题", "\x07响铃", "转义\x1b[31m", "删除\x7f"):  # a NUL made PostgreSQL answer 500
        with pytest.raises(DomainError, match="不能包含控制字符") as refused:
            check_text(bad, "answer")
        assert refused.value.field == "answer"


@pytest.mark.parametrize("action, status, result", [
    ("answer", "open", "answered"), ("close", "open", "closed"), ("close", "answered", "closed"),
    ("reopen", "answered", "open"), ("reopen", "closed", "open"),
])
def test_each_action_leads_from_the_statuses_it_applies_to(action, status, result):
    assert next_status(action, status) == result


@pytest.mark.parametrize("action, status", [
    ("answer", "answered"), ("answer", "closed"), ("close", "closed"), ("reopen", "open"),
])
def test_an_action_the_status_does_not_allow_is_a_conflict(action, status):
    with pytest.raises(Conflict):
        next_status(action, status)
