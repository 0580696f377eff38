"""Maker-checker in a real browser, CSRF on: finance drafts and submits, finance2 approves."""
from sqlalchemy import select

from models import db
from models.tree import Seller
from tests.browser.conftest import login
from tests.payouts_fixtures import post_lines

PERIOD = "2020-01"  # before the demo's months (a month not yet begun is refused), so that no other test meets this batch or its lock


def test_finance_drafts_and_submits_and_another_finance_user_approves(page, live_server):
    with live_server["app"].app_context():
        sellers = db.session.scalars(select(Seller).where(Seller.payee_type != "company").order_by(Seller.id).limit(3)).all()
        post_lines(PERIOD, [(s, 50_000) for s in sellers])
        names = [s.name for s in sellers]
    login(page, "finance")
    page.click("text=付款批次")
    page.fill("input[name=period]", PERIOD)
    page.fill("input[name=minimum]", "100")
    page.click("#create-batch button[type=submit]")
    page.wait_for_selector("#row-table")
    assert all(page.locator(f"#row-table >> text={name}").count() == 1 for name in names)
    page.click("text=提交审批")
    page.wait_for_selector(".batch-status >> text=待审批")
    batch_url = page.url
    page.click("button:has-text('退出')")
    login(page, "finance2")
    page.goto(batch_url)
    page.click("text=审批（复核人）")
    page.wait_for_selector(".alert-success >> text=已审批")
    assert "alert-success" in page.locator("#reconciliation").get_attribute("class")
    assert page.locator("#event-table tbody tr").count() == 3
