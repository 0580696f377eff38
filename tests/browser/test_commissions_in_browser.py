"""Commissions in a real browser: the run buttons, then a statement as the agent sees it."""
from sqlalchemy import select

from models import db
from models.users import User
from tests.browser.conftest import login


def _prepare(live_server):
    from channel.services.commissions import install_demo_plans

    with live_server["app"].app_context():
        install_demo_plans()
        users = {u.username: u.seller_id for u in db.session.scalars(select(User).where(User.seller_id.is_not(None)))}
        return users


def test_finance_previews_then_posts_a_month_and_an_agent_reads_its_statement(page, live_server):
    sellers = _prepare(live_server)
    app = live_server["app"]
    inline = app.config["JOBS_INLINE"]
    app.config["JOBS_INLINE"] = "thread"  # as under `make run`: the job page polls until the run ends
    try:
        login(page, "finance")
        page.goto("/commissions/runs")
        page.fill("input[name=period]", "2026-10")
        page.click("button[name=preview]")
        page.wait_for_selector("#run-outcome", timeout=60_000)
        assert "/jobs/" in page.url and "预览" in page.inner_text("#run-outcome")
        page.goto("/commissions/runs")
        page.fill("input[name=period]", "2026-10")
        page.click("button[name=post]")
        page.wait_for_selector("#run-outcome", timeout=60_000)
        page.click("#runs-link")
        page.wait_for_selector("#run-table")
        assert "已记账" in page.inner_text("#run-table")  # the status, translated
    finally:
        app.config["JOBS_INLINE"] = inline
    page.context.clear_cookies()
    login(page, "agent")
    page.goto(f"/commissions/statements/{sellers['agent']}/2026-10")
    page.wait_for_selector("#totals")
    assert page.locator("#statement-total").inner_text().startswith(("¥", "-¥"))
    assert page.locator("#csv-link").is_visible()
    # the print button prints (app.js; no inline script under the CSP): window.print is called
    page.evaluate("window.printed = 0; window.clicks = 0; window.print = function () { window.printed += 1; };"
                  "document.addEventListener('click', function () { window.clicks += 1; })")
    page.click("#print-statement")
    assert page.evaluate("[window.printed, window.clicks]") == [1, 1]
    response = page.goto(f"/commissions/statements/{sellers['agent2']}/2026-10")
    assert response.status == 404
