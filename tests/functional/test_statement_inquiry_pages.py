"""Statement inquiries on the pages: asked from a statement (or one of its lines), answered by
finance, closed and reopened by the asker; refused by id outside the scope or the role; form
errors re-render the statement (400) with the text as typed; the inbox lists, filters and counts."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from channel.services import commissions_inquiries as inquiries
from models import db
from models.commissions import StatementInquiry
from models.ops import AuditEvent
from tests.commissions_fixtures import ledger, post_october


@pytest.fixture
def posted(world):
    return post_october(world)


def statement_url(seller, period="2026-10"):
    return f"/commissions/statements/{seller.id}/{period}"


def count() -> int:
    return len(db.session.scalars(select(StatementInquiry.id)).all())


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_payee_asks_about_a_line_from_its_statement_and_finance_answers_there(client, auth, posted):
    w = posted
    line = ledger(payee_id=w.SZ.id, rule="override")[0]
    auth.login("agent_sz")
    page = client.get(statement_url(w.SZ)).get_data(as_text=True)
    link = re.search(rf'href="([^"]*line={line.id})#inquiry-form" class="small ask-line"', page).group(1)
    prefilled = client.get(html.unescape(link)).get_data(as_text=True)
    assert re.search(rf'name="ledger_line_id"[^>]*value="{line.id}"', prefilled)
    response = client.post(statement_url(w.SZ) + "/inquiries", data={"question": "这笔怎么算的？", "ledger_line_id": line.id})
    asked = db.session.scalars(select(StatementInquiry)).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{statement_url(w.SZ)}#inquiry-{asked.id}")
    page = client.get(statement_url(w.SZ)).get_data(as_text=True)
    assert "这笔怎么算的？" in page and f"关于第 {line.id} 行" in page and "待答复" in page
    assert "answer-form" not in page  # an agent never answers
    client.post("/logout")

    auth.login("finance")
    assert client.get(statement_url(w.SZ)).get_data(as_text=True).count('class="mt-1 answer-form"') == 1
    response = client.post(f"/commissions/inquiries/{asked.id}/answer", data={"answer": "直接上级提成 2%。"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#inquiry-{asked.id}")
    client.post("/logout")

    auth.login("agent_sz")
    page = client.get(statement_url(w.SZ)).get_data(as_text=True)
    assert "直接上级提成 2%。" in page and "已答复" in page
    assert client.post(f"/commissions/inquiries/{asked.id}/close").status_code == 302
    assert client.post(f"/commissions/inquiries/{asked.id}/reopen", data={"follow_up": "十一月也一样吗？"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(StatementInquiry, asked.id).status == "open"
    trail = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(asked.id),
                                                               AuditEvent.object_type == "statement_inquiry")
                               .order_by(AuditEvent.id)).all()
    assert trail == ["inquiry.raise", "inquiry.answer", "inquiry.close", "inquiry.reopen"]


def test_an_agent_cannot_ask_about_or_read_another_branchs_statement_or_line(client, auth, posted):
    w = posted
    theirs = inquiries.raise_inquiry(w.user_agent_sz, w.SZ.id, "2026-10", "深圳的疑问")
    auth.login("agent_zj")
    assert client.post(statement_url(w.SZ) + "/inquiries", data={"question": "看看"}).status_code == 404
    assert client.post(statement_url(w.NS) + "/inquiries", data={"question": "看看"}).status_code == 404
    assert client.get(f"/commissions/inquiries/{theirs.id}").status_code == 404
    assert client.post(f"/commissions/inquiries/{theirs.id}/close").status_code == 404
    assert client.post(f"/commissions/inquiries/{theirs.id}/reopen", data={"follow_up": "x"}).status_code == 404
    assert client.post(f"/commissions/inquiries/{theirs.id}/answer", data={"answer": "x"}).status_code == 403
    inbox = client.get("/commissions/inquiries")  # its own list: another branch's inquiry is not in it
    assert inbox.status_code == 200 and f'data-inquiry="{theirs.id}"' not in inbox.get_data(as_text=True)
    assert "深圳的疑问" not in text_of(inbox) and "answer-form" not in text_of(inbox)
    # with its own statement, another payee's line is refused beside the field
    response = client.post(statement_url(w.ZJ) + "/inquiries",
                           data={"question": "这行？", "ledger_line_id": ledger(payee_id=w.SZ.id)[0].id})
    assert response.status_code == 400 and "不在这张对账单上" in text_of(response)
    assert count() == 1
    client.post("/logout")
    auth.login("agent_sz")  # the asker reads it at its place on the statement
    response = client.get(f"/commissions/inquiries/{theirs.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{statement_url(w.SZ)}#inquiry-{theirs.id}")


def test_a_rep_manager_outside_the_team_is_refused_and_never_answers(client, auth, posted):
    w = posted
    theirs = inquiries.raise_inquiry(w.user_rep3, w.REP3.id, "2026-10", "我的提成？")
    auth.login("mgr")  # manages REP1 and REP2, not REP3
    assert client.post(statement_url(w.REP3) + "/inquiries", data={"question": "代问"}).status_code == 404
    assert client.get(f"/commissions/inquiries/{theirs.id}").status_code == 404
    assert client.post(f"/commissions/inquiries/{theirs.id}/answer", data={"answer": "答"}).status_code == 403
    assert client.post(statement_url(w.REP1) + "/inquiries", data={"question": "代 REP1 问"}).status_code == 302
    client.post("/logout")
    auth.login("finance")  # finance answers but does not ask
    assert client.post(statement_url(w.REP3) + "/inquiries", data={"question": "财务提问"}).status_code == 403
    assert count() == 2


def test_the_upline_sees_the_inquiry_but_only_the_asker_closes_it(client, auth, posted):
    w = posted
    asked = inquiries.raise_inquiry(w.user_agent_sz, w.NS.id, "2026-10", "南山的疑问")
    auth.login("agent_gd")
    page = client.get(statement_url(w.NS)).get_data(as_text=True)
    assert "南山的疑问" in page and "close-form" not in page
    assert client.post(f"/commissions/inquiries/{asked.id}/close").status_code == 403
    client.post("/logout")
    auth.login("manager")
    own = inquiries.raise_inquiry(w.user_manager, w.NS.id, "2026-10", "经理代问")
    page = client.get(statement_url(w.NS)).get_data(as_text=True)
    assert page.count('class="mt-1 answer-form"') == 1  # the agent's question, not its own
    assert client.post(f"/commissions/inquiries/{own.id}/answer", data={"answer": "自答"}).status_code == 403
    assert db.session.get(StatementInquiry, own.id).status == "open"


@pytest.mark.parametrize("question, line, message", [
    ("", "", "请填写内容"),
    ("长" * 2001, "", "内容最多 2000 个字（现在 2001 个）"),
    ("这一行？", "abc", "请填写整数"),
])
def test_a_bad_question_re_renders_the_statement_with_the_error_and_the_text_kept(client, auth, posted, question,
                                                                                   line, message):
    w = posted
    auth.login("agent_sz")
    response = client.post(statement_url(w.SZ) + "/inquiries", data={"question": question, "ledger_line_id": line})
    text = text_of(response)
    assert response.status_code == 400 and message in text
    assert re.search(r'field-error">[^<]*' + re.escape(message), text)
    assert re.search(rf'name="question">\s*{re.escape(question)}</textarea>', text) and 'id="statement-total"' in text
    assert count() == 0


def test_control_characters_in_a_question_an_answer_or_a_follow_up_are_refused_beside_the_text(client, auth, posted):
    """A NUL was stored on SQLite and made PostgreSQL answer 500."""
    w = posted
    auth.login("agent_sz")
    response = client.post(statement_url(w.SZ) + "/inquiries", data={"question": "问\x00题"})
    assert response.status_code == 400 and re.search(r'field-error">不能包含控制字符', text_of(response))
    assert count() == 0
    asked = inquiries.raise_inquiry(w.user_agent_sz, w.SZ.id, "2026-10", "第一行\n第二行")
    client.post("/logout")
    auth.login("finance")
    response = client.post(f"/commissions/inquiries/{asked.id}/answer", data={"answer": "答\x07复"})
    assert response.status_code == 400 and "不能包含控制字符" in text_of(response)
    assert client.post(f"/commissions/inquiries/{asked.id}/answer", data={"answer": "一\r\n二"}).status_code == 302
    client.post("/logout")
    auth.login("agent_sz")
    response = client.post(f"/commissions/inquiries/{asked.id}/reopen", data={"follow_up": "\x1b追问"})
    assert response.status_code == 400 and "不能包含控制字符" in text_of(response)
    db.session.expire_all()
    stored = db.session.get(StatementInquiry, asked.id)
    assert (stored.status, stored.question, len(stored.messages)) == ("answered", "第一行\n第二行", 1)


def test_a_line_of_another_payee_is_refused_beside_the_line_keeping_both_fields(client, auth, posted):
    w = posted
    other = ledger(payee_id=w.NS.id)[0]
    auth.login("agent_sz")  # NS is in its scope, but the line is on NS's statement, not SZ's
    response = client.post(statement_url(w.SZ) + "/inquiries", data={"question": "这一行？", "ledger_line_id": other.id})
    text = text_of(response)
    assert response.status_code == 400 and f"第 {other.id} 行不在这张对账单上" in text
    assert re.search(r'name="question">\s*这一行？</textarea>', text) and re.search(rf'name="ledger_line_id"[^>]*value="{other.id}"', text)
    assert count() == 0


def test_a_bad_answer_re_renders_with_the_error_beside_that_inquiry_and_a_late_one_is_told(client, auth, posted):
    w = posted
    asked = inquiries.raise_inquiry(w.user_agent_sz, w.SZ.id, "2026-10", "问")
    auth.login("finance")
    response = client.post(f"/commissions/inquiries/{asked.id}/answer", data={"answer": "答" * 2001})
    text = text_of(response)
    block = text[text.index(f'id="inquiry-{asked.id}"'):]
    assert response.status_code == 400 and "内容最多 2000 个字" in block and ">" + "答" * 2001 + "</textarea>" in block
    inquiries.answer_inquiry(w.user_manager, asked.id, "经理已答")
    response = client.post(f"/commissions/inquiries/{asked.id}/answer", data={"answer": "财务也答"}, follow_redirects=True)
    assert "当前的状态不允许此操作" in text_of(response)
    client.post("/logout")
    auth.login("agent_sz")
    response = client.post(f"/commissions/inquiries/{asked.id}/reopen", data={"follow_up": " "})
    assert response.status_code == 400 and "请填写内容" in text_of(response)
    assert db.session.get(StatementInquiry, asked.id).status == "answered"


def test_the_inbox_filters_counts_and_pages_newest_first(client, auth, posted, monkeypatch):
    from channel.commissions import views

    w = posted
    first = inquiries.raise_inquiry(w.user_agent_sz, w.SZ.id, "2026-10", "第一")
    second = inquiries.raise_inquiry(w.user_agent_sz, w.NS.id, "2026-10", "第二",
                                     ledger(payee_id=w.NS.id)[0].id)
    third = inquiries.raise_inquiry(w.user_rep1, w.REP1.id, "2026-11", "第三")
    inquiries.answer_inquiry(w.user_finance, first.id, "已答")
    auth.login("manager")
    assert "/commissions/inquiries" in client.get("/").get_data(as_text=True)  # in the navigation

    def ids(response):
        return [int(i) for i in re.findall(r'<tr data-inquiry="(\d+)">', response.get_data(as_text=True))]

    everything = client.get("/commissions/inquiries")
    assert ids(everything) == [third.id, second.id, first.id]
    counts = dict(re.findall(r'data-status="(\w+)">[^<]*<span class="badge text-bg-light">(\d+)<', text_of(everything)))
    assert counts == {"open": "2", "answered": "1", "closed": "0"}
    line = ledger(payee_id=w.NS.id)[0]
    link = re.search(rf'href="([^"]*after=base~{line.id - 1})#statement-lines"', everything.get_data(as_text=True)).group(1)
    statement = client.get(html.unescape(link)).get_data(as_text=True)
    assert re.findall(r"<tr><td>(\d+)</td>", statement)[0] == str(line.id)  # the line asked about, first
    row = statement[statement.index(f"<tr><td>{line.id}</td>"):]
    assert 'class="badge text-bg-warning text-decoration-none line-asked"' in row[:row.index("</tr>")]
    assert ids(client.get("/commissions/inquiries?status=open&period=2026-10")) == [second.id]
    october = client.get("/commissions/inquiries?period=2026-10")
    assert dict(re.findall(r'data-status="(\w+)">[^<]*<span class="badge text-bg-light">(\d+)<', text_of(october))) == \
        {"open": "1", "answered": "1", "closed": "0"}
    refused = client.get("/commissions/inquiries?period=2026-13")
    assert refused.status_code == 400 and "期间必须写成 YYYY-MM" in text_of(refused) and len(ids(refused)) == 3
    assert client.get("/commissions/inquiries?status=pending").status_code == 400
    monkeypatch.setattr(views, "INQUIRY_PAGE", 2)
    page_one = client.get("/commissions/inquiries")
    assert ids(page_one) == [third.id, second.id]
    cursor = re.search(r'rel="next" href="[^"]*after=(\d+)', page_one.get_data(as_text=True)).group(1)
    assert ids(client.get(f"/commissions/inquiries?after={cursor}")) == [first.id]


def test_an_agent_finds_its_questions_and_their_answers_again_in_its_own_inbox(client, auth, posted):
    """The inbox was finance's and managers' only: after asking, an agent had no list leading
    back to its question, nor a sign that it was answered."""
    w = posted
    own = inquiries.raise_inquiry(w.user_agent_sz, w.SZ.id, "2026-10", "我的疑问")
    downline = inquiries.raise_inquiry(w.user_agent_sz, w.NS.id, "2026-10", "下级的疑问")
    elsewhere = inquiries.raise_inquiry(w.user_rep1, w.REP1.id, "2026-10", "代表的疑问")
    inquiries.answer_inquiry(w.user_finance, own.id, "已答")
    auth.login("agent_sz")
    assert 'href="/commissions/inquiries"' in client.get("/").get_data(as_text=True)  # in its navigation
    page = client.get("/commissions/inquiries").get_data(as_text=True)
    assert re.findall(r'<tr data-inquiry="(\d+)">', page) == [str(downline.id), str(own.id)]
    assert f'href="{statement_url(w.SZ)}#inquiry-{own.id}"' in page and "代表的疑问" not in page
    counts = dict(re.findall(r'data-status="(\w+)">[^<]*<span class="badge text-bg-light">(\d+)<', text_of(client.get(
        "/commissions/inquiries"))))
    assert counts == {"open": "1", "answered": "1", "closed": "0"}
    client.post("/logout")
    auth.login("rep1")
    page = client.get("/commissions/inquiries").get_data(as_text=True)
    assert re.findall(r'<tr data-inquiry="(\d+)">', page) == [str(elsewhere.id)]


def test_in_the_inbox_a_reopened_inquiry_awaits_an_answer_and_names_its_last_answerer_as_such(client, auth, posted):
    """A follow-up reopened the inquiry (待答复) while the answerer column still named finance, as
    if it were answered."""
    w = posted
    asked = inquiries.raise_inquiry(w.user_agent_sz, w.SZ.id, "2026-10", "问")
    inquiries.answer_inquiry(w.user_finance, asked.id, "答")
    auth.login("finance")
    row = re.search(rf'<tr data-inquiry="{asked.id}">.*?</tr>', text_of(client.get("/commissions/inquiries")), re.S).group(0)
    assert 'text-bg-success inquiry-status">已答复' in row and "previous-answerer" not in row
    inquiries.reopen_inquiry(w.user_agent_sz, asked.id, "还是不懂")
    row = re.search(rf'<tr data-inquiry="{asked.id}">.*?</tr>', text_of(client.get("/commissions/inquiries")), re.S).group(0)
    assert 'text-bg-warning inquiry-status">待答复' in row
    assert re.search(rf'class="text-muted previous-answerer">上次：{w.user_finance.display_name}<', row)


def test_the_api_lists_and_reads_inquiries_with_the_statement_scope(client, posted):
    from channel.services.api_tokens import create_token

    w = posted
    def bearer(user):
        return {"Authorization": f"Bearer {create_token(user, 'test')[1]}"}

    ns = inquiries.raise_inquiry(w.user_agent_sz, w.NS.id, "2026-10", "南山", ledger(payee_id=w.NS.id)[0].id)
    th = inquiries.raise_inquiry(w.user_agent_gd, w.TH.id, "2026-10", "天河")
    inquiries.answer_inquiry(w.user_finance, ns.id, "已答")
    inquiries.reopen_inquiry(w.user_agent_sz, ns.id, "再问")
    sz = bearer(w.user_agent_sz)
    listed = client.get("/api/v1/statement_inquiries", headers=sz).json
    assert [row["id"] for row in listed["data"]] == [ns.id]  # not TH's (another city)
    assert listed["data"][0]["answer"] == "已答" and listed["data"][0]["status"] == "open"
    detail = client.get(f"/api/v1/statement_inquiries/{ns.id}", headers=sz).json
    assert [(m["kind"], m["body"]) for m in detail["messages"]] == [("answer", "已答"), ("follow_up", "再问")]
    assert client.get(f"/api/v1/statement_inquiries/{th.id}", headers=sz).status_code == 404
    assert client.get(f"/api/v1/statement_inquiries/{ns.id}", headers=bearer(w.user_agent_zj)).status_code == 404
    finance = bearer(w.user_finance)
    assert [row["id"] for row in client.get("/api/v1/statement_inquiries?status=open&payee_id=%d" % w.TH.id,
                                            headers=finance).json["data"]] == [th.id]
    assert client.get("/api/v1/statement_inquiries?status=pending", headers=finance).status_code == 400
    assert client.get("/api/v1/statement_inquiries?period=2026-13", headers=finance).status_code == 400


def test_in_english_the_section_the_link_and_the_errors_are_english(client, auth, posted):
    w = posted
    auth.login("agent_sz")
    client.post("/lang/en", data={"next": "/"})
    page = client.get(statement_url(w.SZ)).get_data(as_text=True)
    assert "Statement inquiries" in page and "Ask about this line" in page and "No questions on this statement yet." in page
    response = client.post(statement_url(w.SZ) + "/inquiries", data={"question": "x" * 2001})
    assert response.status_code == 400 and "At most 2000 characters (now 2001)." in text_of(response)


def test_the_inbox_exports_what_it_lists_with_its_filters(client, auth, posted):
    import csv
    import io

    w = posted
    first = inquiries.raise_inquiry(w.user_agent_sz, w.SZ.id, "2026-10", "第一", ledger(payee_id=w.SZ.id)[0].id)
    inquiries.raise_inquiry(w.user_rep1, w.REP1.id, "2026-11", "第二")
    inquiries.answer_inquiry(w.user_finance, first.id, "已答")
    auth.login("finance")
    page = client.get("/commissions/inquiries?period=2026-10").get_data(as_text=True)
    assert 'href="/commissions/inquiries/export.csv?period=2026-10"' in page
    rows = list(csv.reader(io.StringIO(client.get("/commissions/inquiries/export.csv?period=2026-10").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["编号", "提出时间（UTC）", "收款方编码", "收款方"] and len(rows) == 2
    assert rows[1][0] == str(first.id) and rows[1][2:8] == ["SZ", w.SZ.name, "2026-10", str(first.ledger_line_id), "第一", "已答复"]
    assert rows[1][8:11] == [w.user_agent_sz.display_name, "已答", w.user_finance.display_name]
    client.post("/lang/en", data={"next": "/"})
    english = client.get("/commissions/inquiries/export.csv?status=open").get_data(as_text=True)
    assert "Awaiting answer" in english and "第二" in english and "第一" not in english
    assert client.get("/commissions/inquiries/export.csv?period=2026-13").status_code == 400
    client.post("/logout")
    auth.login("agent_sz")  # its own and its downline's inquiries, not a rep's
    rows = list(csv.reader(io.StringIO(client.get("/commissions/inquiries/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == [str(first.id)]
