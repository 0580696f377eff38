"""Payout pages through HTTP: finance's workflow, exports, uploads, and who may see which payout."""
from __future__ import annotations

import io

from sqlalchemy import select

from channel.domain.payouts import reference
from channel.services import payouts
from models import db
from models.commissions import LedgerHold
from models.payouts import PayoutBatch, PayoutRow
from tests.payouts_fixtures import post_lines, uid

YUAN = 100


def row_of(batch_id, seller) -> PayoutRow:
    return db.session.scalar(select(PayoutRow).where(PayoutRow.batch_id == batch_id, PayoutRow.payee_id == seller.id))


def paid_batch(world):
    """Rows for GD, SZ (company agents, invoiced), REP1 (employee), approved and exported."""
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.SZ, 400 * YUAN), (world.REP1, 300 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    for row in payouts.batch_rows(batch.id, status="awaiting_invoice"):
        payouts.record_invoice(row.id, uid(world, "finance"), f"INV{row.id:06d}")
    payouts.submit(batch.id, uid(world, "finance"))
    payouts.approve(batch.id, uid(world, "finance2"))
    payouts.start_export(batch.id, uid(world, "finance"))
    return batch.id


def download_export(client, batch_id: int, file: str, fmt: str):
    """Export through the page: a `payouts.export` job, then the download its page links to."""
    submitted = client.post(f"/payouts/batches/{batch_id}/export", data={"file": file, "fmt": fmt})
    assert submitted.status_code == 302 and submitted.headers["Location"].startswith("/jobs/")
    page = client.get(submitted.headers["Location"]).get_data(as_text=True)
    job_id = int(submitted.headers["Location"].rsplit("/", 1)[1])
    assert f'href="/payouts/jobs/{job_id}/download"' in page, page
    return client.get(f"/payouts/jobs/{job_id}/download", buffered=True)


def test_finance_runs_a_batch_through_the_pages_with_maker_checker(client, auth, world):
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.REP1, 300 * YUAN)])
    auth.login("finance")
    assert client.post("/payouts/batches", data={"period": "2026-13"}).status_code == 400
    response = client.post("/payouts/batches", data={"period": "2026-10", "minimum": "100"})
    assert response.status_code == 302
    batch_id = db.session.scalar(select(PayoutBatch.id))
    gd = row_of(batch_id, world.GD)
    assert client.post(f"/payouts/rows/{gd.id}/invoice", data={"invoice_no": "12345678"}).status_code == 302
    assert client.post(f"/payouts/batches/{batch_id}/submit").status_code == 302
    refused = client.post(f"/payouts/batches/{batch_id}/approve")
    assert refused.status_code == 403 and "不能审批自己创建或提交的批次" in refused.get_data(as_text=True)
    assert client.post(f"/payouts/rows/{gd.id}/hold", data={"reason": "x"}).status_code == 409
    auth.logout()
    auth.login("finance2")
    assert client.post(f"/payouts/batches/{batch_id}/approve").status_code == 302
    page = client.get(f"/payouts/batches/{batch_id}").get_data(as_text=True)
    assert "¥800.00" in page and 'id="reconciliation"' in page and "alert-success" in page
    response = download_export(client, batch_id, "payroll", "csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data().decode("utf-8-sig")
    assert "销售代表一" in body and "广东省代" not in body
    response = download_export(client, batch_id, "bank", "xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert f"payout-2026-10-batch{batch_id}-bank.xlsx" in response.headers["Content-Disposition"]
    assert client.post(f"/payouts/batches/{batch_id}/pay").status_code == 302
    listing = client.get("/payouts").get_data(as_text=True)
    assert f"#{batch_id}" in listing and "已付款" in listing
    assert "Payout batches" in client.get("/payouts?lang=en").get_data(as_text=True)
    twice = client.post(f"/payouts/batches/{batch_id}/pay")
    assert twice.status_code == 409 and "不能重复付款" in twice.get_data(as_text=True)


def test_finance_uploads_the_banks_result_file(client, auth, world):
    batch_id = paid_batch(world)
    gd, sz = row_of(batch_id, world.GD), row_of(batch_id, world.SZ)
    rep1 = row_of(batch_id, world.REP1)
    content = (f"参考号,状态,说明\n{reference(batch_id, gd.id)},成功,\n{reference(batch_id, sz.id)},失败,户名不符\n"
               f"{reference(batch_id, rep1.id)},成功,\n").encode("utf-8")
    auth.login("finance")
    response = client.post(f"/payouts/batches/{batch_id}/bank-result",
                           data={"file": (io.BytesIO(content), "result.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert (row_of(batch_id, world.SZ).status, row_of(batch_id, world.SZ).result_message) == ("failed", "户名不符")
    assert db.session.get(PayoutBatch, batch_id).status == "paid"


def test_an_agent_sees_its_own_payouts_and_is_refused_anyone_elses_by_id(client, auth, world):
    batch_id = paid_batch(world)
    gd, sz, rep1 = row_of(batch_id, world.GD), row_of(batch_id, world.SZ), row_of(batch_id, world.REP1)
    auth.login("agent_gd")
    own = client.get(f"/payouts/rows/{gd.id}")
    assert own.status_code == 200 and "¥500.00" in own.get_data(as_text=True)
    assert "Remittance advice" in client.get(f"/payouts/rows/{gd.id}?lang=en").get_data(as_text=True)
    assert client.get(f"/payouts/rows/{sz.id}").status_code == 404  # its own downline: still refused
    assert client.get(f"/payouts/rows/{rep1.id}").status_code == 404
    assert client.get("/payouts/rows/999999").status_code == 404
    mine = client.get("/payouts/mine").get_data(as_text=True)
    assert f"/payouts/rows/{gd.id}" in mine and f"/payouts/rows/{sz.id}" not in mine
    assert client.get("/payouts").status_code == 403
    assert client.get(f"/payouts/batches/{batch_id}").status_code == 403
    assert client.post(f"/payouts/batches/{batch_id}/pay").status_code == 403
    auth.logout()
    auth.login("agent_zj")
    assert client.get(f"/payouts/rows/{gd.id}").status_code == 404


def test_a_rep_sees_their_own_payout_but_their_manager_does_not(client, auth, world):
    batch_id = paid_batch(world)
    rep1 = row_of(batch_id, world.REP1)
    auth.login("rep1")
    assert client.get(f"/payouts/rows/{rep1.id}").status_code == 200
    auth.logout()
    auth.login("mgr")
    assert client.get(f"/payouts/rows/{rep1.id}").status_code == 404
    auth.logout()
    auth.login("manager")
    assert client.get(f"/payouts/rows/{rep1.id}").status_code == 403


def test_a_payee_does_not_see_its_row_while_the_batch_is_a_draft(client, auth, world):
    post_lines("2026-10", [(world.GD, 500 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    auth.login("agent_gd")
    assert client.get(f"/payouts/rows/{row_of(batch.id, world.GD).id}").status_code == 404


def test_the_cli_creates_the_draft_batch_like_the_button(app, world):
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.NS, 20 * YUAN)])
    result = app.test_cli_runner().invoke(args=["payouts", "create", "--period", "2026-10", "--user", "finance"])
    assert result.exit_code == 0, result.output
    batch = db.session.scalar(select(PayoutBatch))
    assert (batch.status, batch.created_by_id, batch.total_fen) == ("draft", uid(world, "finance"), 500 * YUAN)
    # each row status as the batch page shows it (in English), not its key
    assert "Below minimum, carried forward" in result.output
    assert not any(line.split()[:1] == ["carried"] for line in result.output.splitlines())
    again = app.test_cli_runner().invoke(args=["payouts", "create", "--period", "2026-10"])
    assert again.exit_code == 1 and f"#{batch.id}" in again.output


def test_the_cli_holds_and_releases_a_line_and_reconciles_a_batch(app, world):
    kept, held = post_lines("2026-10", [(world.GD, 500 * YUAN), (world.GD, 300 * YUAN)])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["payouts", "hold-line", str(held.id), "--reason", "串货调查", "--user", "finance"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["payouts", "create", "--period", "2026-10"]).exit_code == 0
    batch = db.session.scalar(select(PayoutBatch))
    assert batch.total_fen == 500 * YUAN
    result = runner.invoke(args=["payouts", "reconcile", str(batch.id)])
    assert result.exit_code == 0 and "OK" in result.output
    hold_id = db.session.scalar(select(LedgerHold.id))
    assert runner.invoke(args=["payouts", "release-line", str(hold_id)]).exit_code == 0
    again = runner.invoke(args=["payouts", "release-line", str(hold_id)])
    assert again.exit_code == 1 and "已经解除" in again.output


def test_the_batch_minimum_is_read_like_every_money_field(client, auth, world):
    """'1,00' is ambiguous and refused beside the field (it used to be read as ¥100); '1,000'
    and full-width digits are read."""
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.REP1, 300 * YUAN)])
    auth.login("finance")
    refused = client.post("/payouts/batches", data={"period": "2026-10", "minimum": "1,00"})
    assert refused.status_code == 400 and "“1,00”不是一个金额" in refused.get_data(as_text=True)
    assert db.session.scalar(select(PayoutBatch.id)) is None
    assert client.post("/payouts/batches", data={"period": "2026-10", "minimum": "１,０００"}).status_code == 302
    assert db.session.scalar(select(PayoutBatch.minimum_fen)) == 1000 * YUAN


def test_the_batch_list_heads_its_count_of_payees_as_a_count(client, auth, world):
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.REP1, 300 * YUAN)])
    payouts.create_batch("2026-10", uid(world, "finance"))
    auth.login("finance")
    head = client.get("/payouts").get_data(as_text=True).split("<thead>")[-1].split("</thead>")[0]
    assert "收款方数" in head
    client.post("/lang/en", data={"next": "/payouts"})
    head = client.get("/payouts").get_data(as_text=True).split("<thead>")[-1].split("</thead>")[0]
    assert ">Payees<" in head and ">Payee<" not in head


def test_in_english_one_batch_is_a_batch_and_its_hold_button_a_verb(client, auth, world):
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.REP1, 300 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    auth.login("finance")
    client.post("/lang/en", data={"next": "/payouts"})
    page = client.get(f"/payouts/batches/{batch.id}").get_data(as_text=True)
    assert f"<title>Payout batch #{batch.id}" in page and f">Payout batch #{batch.id} ·" in page
    assert ">Hold</button>" in page and ">Held</button>" not in page
    assert "Payout batches" in client.get("/payouts").get_data(as_text=True)  # the list keeps its plural


def test_in_english_the_remittance_advice_heads_each_lines_kind_and_order(client, auth, world):
    batch_id = paid_batch(world)
    auth.login("agent_gd")
    client.post("/lang/en", data={"next": "/"})
    advice = client.get(f"/payouts/rows/{row_of(batch_id, world.GD).id}").get_data(as_text=True)
    head = advice.split('id="composition"')[1].split("</thead>")[0]
    assert ">Kind<" in head and ">Order<" in head and ">Orders<" not in head
    # its print button is handled by the app's script (the payouts-only script is gone)
    assert "data-print>Print</button>" in advice and "js/payouts.js" not in advice and "js/app.js" in advice


def test_payee_and_line_counts_are_grouped_by_thousands(client, auth, world):
    post_lines("2026-10", [(world.GD, 500 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    batch.payees = 12345
    row = db.session.scalar(select(PayoutRow).where(PayoutRow.batch_id == batch.id))
    row.lines = 3039
    db.session.commit()
    auth.login("finance")
    assert "12,345" in client.get("/payouts").get_data(as_text=True)
    page = client.get(f"/payouts/batches/{batch.id}").get_data(as_text=True)
    assert "12,345" in page and "3,039" in page and "12345" not in page



def test_the_remittance_advice_names_the_withholding_table_once_in_the_readers_language(client, auth, world, app):
    from tests.payouts_fixtures import set_payee

    set_payee(world.GD, "individual")
    post_lines("2026-10", [(world.GD, 30_000 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    row = row_of(batch.id, world.GD)
    formula = "(¥30,000.00 − ¥6,000.00) × 30% − ¥2,000.00 = ¥5,200.00"
    assert row.tax_note == f"劳务报酬预扣预缴: {formula}"  # stored as configured, untranslated
    auth.login("finance")

    def note(row_id: int, lang: str) -> str:
        client.post(f"/lang/{lang}", data={"next": "/"})
        page = client.get(f"/payouts/rows/{row_id}").get_data(as_text=True)
        return page.split('id="tax-note">')[1].split("</div>")[0]

    assert note(row.id, "zh") == f"劳务报酬预扣预缴: {formula}"
    assert note(row.id, "en") == f"Individual income tax withheld on service income: {formula}"
    # a name the customer configured shows as configured, in either language
    payouts.cancel(batch.id, uid(world, "finance"), "换预扣表")
    app.config["PAYOUT_WITHHOLDING"] = {"name": "上海分公司预扣表"}
    row = row_of(payouts.create_batch("2026-10", uid(world, "finance")).id, world.GD)
    assert note(row.id, "en") == note(row.id, "zh") == f"上海分公司预扣表: {formula}"


def test_a_payee_not_paid_for_want_of_an_invoice_or_a_bank_account_sees_why_and_no_one_else_does(client, auth, world):
    """Approved without its invoice, a company agent's row became 缺发票，结转 — and its 我的付款 said
    "还没有付款记录", with no hint that an invoice was wanted. Likewise a payee without a bank account."""
    from tests.payouts_fixtures import set_payee

    post_lines("2026-10", [(world.GD, 500 * YUAN)])  # GD: a company agent (invoices), given an account
    post_lines("2026-10", [(world.SZ, 400 * YUAN)], give_accounts=False)
    set_payee(world.SZ, "individual")
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    payouts.submit(batch.id, uid(world, "finance"))
    payouts.approve(batch.id, uid(world, "finance2"))  # GD's invoice never came
    gd, sz = row_of(batch.id, world.GD), row_of(batch.id, world.SZ)
    assert (gd.status, sz.status) == ("invoice_missing", "no_account")

    auth.login("agent_gd")
    mine = client.get("/payouts/mine").get_data(as_text=True)
    assert f"/payouts/rows/{gd.id}" in mine and "缺发票，结转" in mine and "未付款" in mine
    assert f"/payouts/rows/{sz.id}" not in mine
    advice = client.get(f"/payouts/rows/{gd.id}").get_data(as_text=True)
    assert "未付款：缺发票" in advice and "¥500.00" in advice and "请按下一批次的金额开具发票" in advice
    assert client.get(f"/payouts/rows/{sz.id}").status_code == 404  # its downline's row, by id: refused
    export = client.get("/payouts/mine/export.csv").get_data(as_text=True)
    assert "缺发票，结转" in export and ",0.00," in export and "500.00" in export  # 实付 0.00: nothing was paid
    assert "Not paid: no invoice" in client.get(f"/payouts/rows/{gd.id}?lang=en").get_data(as_text=True)
    auth.logout()

    auth.login("agent_sz")
    advice = client.get(f"/payouts/rows/{sz.id}").get_data(as_text=True)
    assert "未付款：缺银行账户" in advice and "请把银行账户告知财务" in advice
    assert client.get(f"/payouts/rows/{gd.id}").status_code == 404
    auth.logout()
    auth.login("agent_zj")
    assert client.get(f"/payouts/rows/{gd.id}").status_code == 404
    assert "还没有付款记录" in client.get("/payouts/mine").get_data(as_text=True)


def test_the_batch_page_flags_a_payee_whose_statement_has_an_inquiry_not_closed(client, auth, world):
    """Finance paid from the batch page without a word of a payee disputing its statement."""
    from channel.services import commissions_inquiries as inquiries

    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.SZ, 400 * YUAN), (world.REP1, 300 * YUAN)])
    disputed = inquiries.raise_inquiry(world.user_agent_sz, world.SZ.id, "2026-10", "这个月少了？")
    answered = inquiries.raise_inquiry(world.user_rep1, world.REP1.id, "2026-09", "九月的")
    inquiries.answer_inquiry(world.user_finance, answered.id, "已答")
    closed = inquiries.raise_inquiry(world.user_agent_gd, world.GD.id, "2026-10", "已解决")
    inquiries.close_inquiry(world.user_agent_gd, closed.id)
    later = inquiries.raise_inquiry(world.user_agent_gd, world.GD.id, "2026-11", "下个月的")
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    auth.login("finance")
    page = client.get(f"/payouts/batches/{batch.id}").get_data(as_text=True)

    def notes(seller):
        row = page[page.index(f'href="/payouts/rows/{row_of(batch.id, seller).id}"'):]
        return row[:row.index("</tr>")]

    assert f'href="/commissions/inquiries/{disputed.id}"' in notes(world.SZ) and "待答复" in notes(world.SZ)
    assert f'href="/commissions/inquiries/{answered.id}"' in notes(world.REP1) and "已答复" in notes(world.REP1)
    assert "open-inquiry" not in notes(world.GD)  # closed, or on a month after the batch's
    assert f"/commissions/inquiries/{closed.id}" not in page and f"/commissions/inquiries/{later.id}" not in page
