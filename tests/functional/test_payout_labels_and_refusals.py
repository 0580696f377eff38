"""QA findings on the payout pages: codes read as labels (statuses, events, ledger kinds, the
payee's export), refused invoices and holds come back on the batch page with nothing saved, one
invoice number pays one row, and a bank-returned payment reads as not paid."""
from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from channel.domain.payouts import reference
from channel.services import payouts
from models import db
from models.commissions import CommissionRun, LedgerLine
from models.payouts import PayeeHold, PayoutRow
from tests.payouts_fixtures import post_lines, uid

YUAN = 100


def row_of(batch_id, seller) -> PayoutRow:
    db.session.expire_all()
    return db.session.scalar(select(PayoutRow).where(PayoutRow.batch_id == batch_id, PayoutRow.payee_id == seller.id))


def event_actions(page: str) -> list[str]:
    return [a.strip() for a in re.findall(r'<td class="event-action">([^<]*)</td>', page)]


def refused_text(page: str) -> str:
    match = re.search(r'<div class="alert alert-danger small" role="alert" id="refused">(.*?)</div>', page, re.S)
    assert match, page[:2000]
    return match.group(1)


def test_a_refused_transition_names_the_batch_status_label_and_events_read_as_actions(client, auth, world):
    post_lines("2026-10", [(world.REP1, 300 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    auth.login("finance")
    assert client.post(f"/payouts/batches/{batch.id}/submit").status_code == 302
    again = client.post(f"/payouts/batches/{batch.id}/submit").get_data(as_text=True)
    assert "批次当前状态为“待审批”" in again and "submitted" not in again
    english = client.post(f"/payouts/batches/{batch.id}/submit?lang=en").get_data(as_text=True)
    assert "The batch is “Submitted”" in english
    page = client.get(f"/payouts/batches/{batch.id}").get_data(as_text=True)
    assert event_actions(page) == ["生成草稿", "提交审批"]
    assert event_actions(client.get(f"/payouts/batches/{batch.id}?lang=en").get_data(as_text=True)) == [
        "Create draft", "Submit for approval"]


def test_the_remittance_advice_names_each_line_s_kind(client, auth, world):
    post_lines("2026-10", [(world.SZ, 500 * YUAN, "base"), (world.SZ, 100 * YUAN, "tier")])
    run = db.session.scalar(select(CommissionRun).order_by(CommissionRun.id.desc()))
    db.session.add_all([LedgerLine(run_id=run.id, period="2026-10", payee_id=world.SZ.id, rule="override",
                                   override_level=2, amount_fen=80 * YUAN),
                        LedgerLine(run_id=run.id, period="2026-10", payee_id=world.SZ.id, rule="override",
                                   amount_fen=60 * YUAN)])  # an override without its level
    db.session.commit()
    post_lines("2026-10", [(world.SZ, 50 * YUAN, "bonus"), (world.SZ, -30 * YUAN, "clawback")])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    row = row_of(batch.id, world.SZ)
    auth.login("finance")
    page = client.get(f"/payouts/rows/{row.id}").get_data(as_text=True)
    table = page[page.index('id="composition"'):]
    rules = re.findall(r"<tr><td>\d+</td><td>2026-10</td><td>([^<]*)</td>", table)
    assert rules == ["个人提成", "阶梯返利", "第 2 层上级提成", "上级提成", "目标奖励", "退货追回"]


def test_an_empty_or_too_long_invoice_or_hold_comes_back_on_the_batch_page_unsaved(client, auth, world):
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.REP1, 300 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    gd, rep1 = row_of(batch.id, world.GD), row_of(batch.id, world.REP1)
    auth.login("finance")
    for typed, message in (("", "请填写发票号码。"), ("   ", "请填写发票号码。"), ("9" * 65, "发票号码最多 64 个字符。")):
        response = client.post(f"/payouts/rows/{gd.id}/invoice", data={"invoice_no": typed})
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and 'id="row-table"' in page, page[:500]
        assert message in refused_text(page) and "广东省代" in refused_text(page)
        assert f'id="refused-{gd.id}">{message}' in page  # beside the row's invoice field
        assert "请求有误" not in page
        assert (row_of(batch.id, world.GD).invoice_no, row_of(batch.id, world.GD).status) == (None, "awaiting_invoice")
    for typed, message in (("", "暂扣必须写明原因。"), ("x" * 301, "暂扣原因最多 300 个字符。")):
        response = client.post(f"/payouts/rows/{rep1.id}/hold", data={"reason": typed})
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in refused_text(page)
        assert f'id="refused-hold-{rep1.id}">{message}' in page
        assert row_of(batch.id, world.REP1).status == "payable"
    assert db.session.scalar(select(func.count()).select_from(PayeeHold)) == 0
    english = client.post(f"/payouts/rows/{gd.id}/invoice?lang=en", data={"invoice_no": ""})
    assert english.status_code == 400 and "Nothing was saved." in english.get_data(as_text=True)
    cancelled = client.post(f"/payouts/batches/{batch.id}/cancel", data={"reason": ""})
    assert cancelled.status_code == 400 and "请写明取消的原因。" in refused_text(cancelled.get_data(as_text=True))
    assert payouts.get_batch(batch.id).status == "draft"
    # a refusal by the rules (the batch is no longer a draft) comes back on the page too
    payouts.submit(batch.id, uid(world, "finance"))
    late = client.post(f"/payouts/rows/{rep1.id}/hold", data={"reason": "核对中"})
    assert late.status_code == 409 and "不能再修改" in refused_text(late.get_data(as_text=True))


def test_one_invoice_number_pays_one_row(client, auth, world):
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.SZ, 400 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    gd, sz = row_of(batch.id, world.GD), row_of(batch.id, world.SZ)
    auth.login("finance")
    assert client.post(f"/payouts/rows/{gd.id}/invoice", data={"invoice_no": "04400123456789"}).status_code == 302
    response = client.post(f"/payouts/rows/{sz.id}/invoice", data={"invoice_no": " 04400123456789 "})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    message = refused_text(page)
    assert "04400123456789" in message and "已登记在另一条付款记录上" in message
    assert "广东省代" not in message and "GD" not in message  # the other payee stays unnamed
    assert (row_of(batch.id, world.SZ).invoice_no, row_of(batch.id, world.SZ).status) == (None, "awaiting_invoice")
    # recording it again on its own row is no duplicate
    assert client.post(f"/payouts/rows/{gd.id}/invoice", data={"invoice_no": "04400123456789"}).status_code == 302


def bank_failed_batch(world):
    """GD (company, invoiced) and REP1 payable, NS carried (below the minimum); exported; the bank
    then returns GD's payment."""
    post_lines("2026-10", [(world.GD, 11024 * YUAN + 15), (world.REP1, 300 * YUAN), (world.NS, 20 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    payouts.record_invoice(row_of(batch.id, world.GD).id, uid(world, "finance"), "04400123456789")
    payouts.submit(batch.id, uid(world, "finance"))
    payouts.approve(batch.id, uid(world, "finance2"))
    payouts.start_export(batch.id, uid(world, "finance"))
    gd = row_of(batch.id, world.GD)
    payouts.apply_bank_result(batch.id, uid(world, "finance"),
                              f"reference,status,message\n{reference(batch.id, gd.id)},failed,账户已冻结\n")
    return batch.id


def test_a_payment_the_bank_returned_reads_as_not_paid(client, auth, world):
    batch_id = bank_failed_batch(world)
    gd = row_of(batch_id, world.GD)
    assert gd.status == "failed"
    auth.login("agent_gd")
    page = client.get(f"/payouts/rows/{gd.id}").get_data(as_text=True)
    net = page[page.index('id="net"'):page.index("</dd>", page.index('id="net"'))]
    assert "未付款：银行退回" in net and "下一个付款批次" in net and 'fw-bold" id="net"' not in page
    assert "银行退回" in page and "账户已冻结" in page
    mine = client.get("/payouts/mine").get_data(as_text=True)
    assert '<span class="text-danger">未付款</span>' in mine  # its 实付 column
    auth.logout()
    auth.login("finance")
    batch_page = client.get(f"/payouts/batches/{batch_id}").get_data(as_text=True)
    assert "04400123456789账户已冻结" not in batch_page
    assert '<div class="invoice-no">发票 04400123456789</div>' in batch_page
    assert '<div class="bank-message">银行回执：账户已冻结</div>' in batch_page
    assert '<span class="text-danger">未付款</span>' in batch_page and "¥11,024.15</td><td class=\"money\">¥11,024.15" not in batch_page


def test_a_bank_result_line_for_a_carried_row_says_it_is_not_paid_in_this_batch(client, auth, world):
    batch_id = bank_failed_batch(world)
    ns, rep1 = row_of(batch_id, world.NS), row_of(batch_id, world.REP1)
    assert ns.status == "carried"
    content = (f"reference,status,message\n{reference(batch_id, rep1.id)},success,\n"
               f"{reference(batch_id, ns.id)},success,\n").encode("utf-8")
    auth.login("finance")
    response = client.post(f"/payouts/batches/{batch_id}/bank-result",
                           data={"file": (io.BytesIO(content), "result.csv")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and 'id="row-table"' in page
    message = refused_text(page)
    assert "第 3 行" in message and "本批不付款（低于起付额，结转）" in message and "已经处理过了" not in message
    assert row_of(batch_id, world.REP1).status == "payable"  # nothing applied


def test_the_batch_page_in_english_uses_english_punctuation(client, auth, world):
    batch_id = bank_failed_batch(world)
    auth.login("finance")
    page = client.get(f"/payouts/batches/{batch_id}?lang=en").get_data(as_text=True)
    assert '<div class="bank-message">Bank result: 账户已冻结</div>' in page
    assert "：" not in page.replace("账户已冻结", "")
    chinese = client.get(f"/payouts/batches/{batch_id}").get_data(as_text=True)
    assert '<div class="bank-message">银行回执：账户已冻结</div>' in chinese


def test_a_carried_row_pays_nothing_on_the_pages(client, auth, world):
    batch_id = bank_failed_batch(world)
    ns = row_of(batch_id, world.NS)
    assert ns.status == "carried" and ns.net_fen == 20 * YUAN
    auth.login("finance")
    notice = client.get(f"/payouts/rows/{ns.id}").get_data(as_text=True)
    assert re.search(r'id="net">¥0\.00<', notice)
    batch_page = client.get(f"/payouts/batches/{batch_id}").get_data(as_text=True)
    ns_row = batch_page[batch_page.index(world.NS.name):]
    ns_row = ns_row[:ns_row.index("</tr>")]
    assert "¥20.00" in ns_row and ns_row.count("¥0.00") >= 2  # 应付 ¥20.00; tax and 实付 nothing


def test_a_bank_results_event_reads_in_the_readers_language_and_counts_payees(client, auth, world):
    """The batch log showed the stored note "bank result: 1 paid, 0 failed, 0 awaiting" on the
    Chinese page too, under a column headed 收款方 (Payee) that held a count of payees."""
    post_lines("2026-10", [(world.REP1, 300 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    payouts.submit(batch.id, uid(world, "finance"))
    payouts.approve(batch.id, uid(world, "finance2"))
    payouts.start_export(batch.id, uid(world, "finance"))
    rep1 = row_of(batch.id, world.REP1)
    auth.login("finance")
    content = f"reference,status\n{reference(batch.id, rep1.id)},success\n".encode()
    assert client.post(f"/payouts/batches/{batch.id}/bank-result", data={"file": (io.BytesIO(content), "r.csv")},
                       content_type="multipart/form-data").status_code == 302
    page = client.get(f"/payouts/batches/{batch.id}").get_data(as_text=True)
    notes = [n.strip() for n in re.findall(r'<td class="event-note">([^<]*)</td>', page)]
    assert notes[-1] == "银行结果已导入：成功 1 笔，失败 0 笔，待定 0 笔。" and "bank result" not in page
    assert "<th class=\"money\">收款方数</th>" in page.split('id="event-table"')[1]
    english = client.get(f"/payouts/batches/{batch.id}?lang=en").get_data(as_text=True)
    assert "Bank result applied: 1 paid, 0 failed, 0 pending." in english
