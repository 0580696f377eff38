"""Statement inquiries (对账疑问): who may raise, answer, close and reopen them, what a line
must be, what each one sees, and the audit trail (channel/services/commissions_inquiries.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from channel.domain.errors import Conflict, DomainError, Forbidden, NotFound
from channel.services import commissions_inquiries as inquiries
from channel.services.commissions_run import run_period
from models import db
from models.ops import AuditEvent
from tests.commissions_fixtures import ledger, post_october


@pytest.fixture
def posted(world):
    return post_october(world)


def line_of(payee, rule="base"):
    return ledger(payee_id=payee.id, rule=rule)[0]


def events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_a_payee_asks_about_its_own_line_and_the_question_is_audited(posted):
    w = posted
    line = line_of(w.SZ, "override")
    asked = inquiries.raise_inquiry(w.user_agent_sz, w.SZ.id, "2026-10", "  这笔上级提成怎么算的？ ", line.id)
    assert (asked.status, asked.question, asked.ledger_line_id, asked.period) == ("open", "这笔上级提成怎么算的？", line.id, "2026-10")
    [event] = events("inquiry.raise")
    assert (event.actor_id, event.object_type, event.object_id) == (w.user_agent_sz.id, "statement_inquiry", str(asked.id))
    assert event.detail["ledger_line_id"] == line.id and event.detail["question"] == "这笔上级提成怎么算的？"


def test_an_upline_agent_and_a_channel_manager_may_ask_for_a_payee_in_their_scope(posted):
    w = posted
    assert inquiries.raise_inquiry(w.user_agent_gd, w.NS.id, "2026-10", "南山的基础提成？").payee_id == w.NS.id
    assert inquiries.raise_inquiry(w.user_manager, w.NS.id, "2026-10", "代为询问").raised_by_id == w.user_manager.id


def test_outside_the_scope_a_statement_is_not_found_and_finance_does_not_ask(posted):
    w = posted
    with pytest.raises(NotFound):
        inquiries.raise_inquiry(w.user_agent_zj, w.NS.id, "2026-10", "别人的对账单")
    with pytest.raises(NotFound):
        inquiries.raise_inquiry(w.user_agent_sz, w.GD.id, "2026-10", "上级的对账单")
    with pytest.raises(NotFound):  # a rep manager asking about another manager's team
        inquiries.raise_inquiry(w.user_mgr, w.REP3.id, "2026-10", "别的团队")
    with pytest.raises(Forbidden):
        inquiries.raise_inquiry(w.user_finance, w.NS.id, "2026-10", "财务不提问")
    assert events("inquiry.raise") == []


@pytest.mark.parametrize("question, message", [("", "请填写内容"), ("   ", "请填写内容"), ("问" * 2001, "最多 2000")])
def test_a_question_is_required_and_at_most_2000_characters(posted, question, message):
    with pytest.raises(DomainError, match=message) as refused:
        inquiries.raise_inquiry(posted.user_agent_sz, posted.SZ.id, "2026-10", question)
    assert refused.value.field == "question"
    assert inquiries.raise_inquiry(posted.user_agent_sz, posted.SZ.id, "2026-10", "问" * 2000).question == "问" * 2000


def test_the_line_must_be_on_that_statement(posted):
    w = posted
    others = line_of(w.NS)  # NS's own line, on NS's statement, not SZ's
    for line_id in (others.id, 10 ** 6):
        with pytest.raises(DomainError, match="不在这张对账单上") as refused:
            inquiries.raise_inquiry(w.user_agent_sz, w.SZ.id, "2026-10", "这一行？", line_id)
        assert refused.value.field == "ledger_line_id"
    with pytest.raises(DomainError, match="不在这张对账单上"):  # SZ's line, but of October, asked on November
        inquiries.raise_inquiry(w.user_agent_sz, w.SZ.id, "2026-11", "这一行？", line_of(w.SZ, "override").id)


def test_a_correction_posted_in_the_month_is_a_line_of_that_statement(posted):
    """A line counts by the month it is posted in (the statement shows it), whatever month it
    corrects."""
    from channel.services.commissions import lock_period
    from tests.commissions_fixtures import sale
    from datetime import date

    w = posted
    lock_period("2026-10")
    sale(w, w.NS, 100_000, date(2026, 10, 20))
    run_period("2026-11")
    correction = next(line for line in ledger(payee_id=w.NS.id, period="2026-11") if line.source_period == "2026-10")
    asked = inquiries.raise_inquiry(w.user_agent_sz, w.NS.id, "2026-11", "十月的更正？", correction.id)
    assert asked.ledger_line_id == correction.id


def test_finance_answers_and_the_asker_closes_then_reopens_with_a_follow_up(posted):
    w = posted
    asked = inquiries.raise_inquiry(w.user_agent_sz, w.SZ.id, "2026-10", "为什么是 2%？")
    inquiries.answer_inquiry(w.user_finance, asked.id, "直接上级提成 2%。")
    assert (asked.status, asked.answer, asked.answered_by_id) == ("answered", "直接上级提成 2%。", w.user_finance.id)
    with pytest.raises(Conflict):  # answered: a second answer waits for a follow-up
        inquiries.answer_inquiry(w.user_manager, asked.id, "再答")
    inquiries.close_inquiry(w.user_agent_sz, asked.id)
    assert asked.status == "closed" and asked.closed_at is not None
    with pytest.raises(Conflict):
        inquiries.close_inquiry(w.user_agent_sz, asked.id)
    with pytest.raises(DomainError, match="请填写内容"):
        inquiries.reopen_inquiry(w.user_agent_sz, asked.id, " ")
    inquiries.reopen_inquiry(w.user_agent_sz, asked.id, "那 11 月呢？")
    assert asked.status == "open" and asked.closed_at is None
    inquiries.answer_inquiry(w.user_manager, asked.id, "11 月相同。")
    assert asked.answer == "11 月相同。" and asked.answered_by_id == w.user_manager.id
    assert [(m.kind, m.body) for m in asked.messages] == [
        ("answer", "直接上级提成 2%。"), ("follow_up", "那 11 月呢？"), ("answer", "11 月相同。")]
    trail = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "statement_inquiry",
                                                                    AuditEvent.object_id == str(asked.id))
                                    .order_by(AuditEvent.id)))
    assert trail == ["inquiry.raise", "inquiry.answer", "inquiry.close", "inquiry.reopen", "inquiry.answer"]


def test_only_commission_staff_answer_and_never_their_own_question(posted):
    w = posted
    asked = inquiries.raise_inquiry(w.user_agent_sz, w.SZ.id, "2026-10", "问题")
    for user in (w.user_agent_gd, w.user_agent_sz, w.user_director):
        with pytest.raises(Forbidden):
            inquiries.answer_inquiry(user, asked.id, "我来答")
    own = inquiries.raise_inquiry(w.user_manager, w.SZ.id, "2026-10", "代为询问")
    with pytest.raises(Forbidden, match="自己"):
        inquiries.answer_inquiry(w.user_manager, own.id, "自问自答")
    with pytest.raises(NotFound):
        inquiries.answer_inquiry(w.user_finance, 10 ** 6, "没有这条")
    assert events("inquiry.answer") == [] and asked.status == "open"


def test_only_the_asker_closes_or_reopens(posted):
    w = posted
    asked = inquiries.raise_inquiry(w.user_agent_gd, w.SZ.id, "2026-10", "上级代问")
    with pytest.raises(Forbidden):  # the payee sees it, but did not ask
        inquiries.close_inquiry(w.user_agent_sz, asked.id)
    with pytest.raises(Forbidden):
        inquiries.close_inquiry(w.user_manager, asked.id)
    with pytest.raises(NotFound):  # another branch does not even see it
        inquiries.close_inquiry(w.user_agent_zj, asked.id)
    inquiries.close_inquiry(w.user_agent_gd, asked.id)
    with pytest.raises(Forbidden):
        inquiries.reopen_inquiry(w.user_agent_sz, asked.id, "我也要问")


def test_lists_are_scoped_filtered_counted_and_newest_first(posted):
    w = posted
    ns = inquiries.raise_inquiry(w.user_agent_sz, w.NS.id, "2026-10", "南山")
    th = inquiries.raise_inquiry(w.user_agent_gd, w.TH.id, "2026-10", "天河")
    nov = inquiries.raise_inquiry(w.user_agent_sz, w.SZ.id, "2026-11", "十一月")
    inquiries.answer_inquiry(w.user_finance, ns.id, "已答")
    ids = lambda rows: [row.id for row in rows]  # noqa: E731
    assert ids(db.session.scalars(inquiries.inquiries_query(w.user_finance))) == [nov.id, th.id, ns.id]
    assert ids(db.session.scalars(inquiries.inquiries_query(w.user_agent_sz))) == [nov.id, ns.id]  # not TH (GZ's)
    assert ids(db.session.scalars(inquiries.inquiries_query(w.user_agent_zj))) == []
    assert ids(db.session.scalars(inquiries.inquiries_query(w.user_finance, status="open", period="2026-10"))) == [th.id]
    assert inquiries.status_counts(w.user_finance) == {"open": 2, "answered": 1, "closed": 0}
    assert inquiries.status_counts(w.user_finance, period="2026-11") == {"open": 1, "answered": 0, "closed": 0}
    assert inquiries.status_counts(w.user_agent_sz, period="2026-10") == {"open": 0, "answered": 1, "closed": 0}
    first, cursor = inquiries.inquiries_page(w.user_finance, size=2)
    assert ids(first) == [nov.id, th.id] and cursor == th.id
    rest, end = inquiries.inquiries_page(w.user_finance, size=2, before_id=cursor)
    assert ids(rest) == [ns.id] and end is None
    with pytest.raises(DomainError):
        inquiries.inquiries_query(w.user_finance, status="pending")
    assert ids(inquiries.statement_inquiries(w.user_agent_sz, w.NS.id, "2026-10")) == [ns.id]
