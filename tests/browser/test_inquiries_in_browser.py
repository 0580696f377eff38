"""Statement inquiries in a real browser (CSRF on): an agent asks about one line from its
statement, finance answers from the inbox's link, the agent reads the answer."""
from sqlalchemy import select

from models import db
from models.users import User
from tests.browser.conftest import login


def test_an_agent_asks_about_a_line_and_finance_answers_from_the_inbox(page, live_server):
    from channel.services.commissions import install_demo_plans
    from channel.services.commissions_run import run_period

    with live_server["app"].app_context():
        install_demo_plans()
        run_period("2026-10")  # posted once; a second call (another test posted it) adds nothing
        agent_seller = db.session.scalar(select(User.seller_id).where(User.username == "agent"))
    login(page, "agent")
    page.goto(f"/commissions/statements/{agent_seller}/2026-10")
    ask = page.locator("a.ask-line").first
    line_id = ask.get_attribute("data-line")
    ask.click()
    page.wait_for_url(f"**line={line_id}#inquiry-form")
    assert page.input_value("input[name=ledger_line_id]") == line_id
    page.fill("textarea[name=question]", "这一行的费率为什么是这样？")
    page.click("#inquiry-form button[type=submit]")
    page.wait_for_selector("[data-inquiry] .inquiry-question")
    card = page.locator("[data-inquiry]").first
    assert "这一行的费率为什么是这样？" in card.inner_text() and f"关于第 {line_id} 行" in card.inner_text()
    assert card.get_attribute("data-status") == "open"
    page.context.clear_cookies()

    login(page, "finance")
    page.goto("/commissions/inquiries?status=open")
    page.click("#inquiry-table tbody tr:first-child td:first-child a")
    page.wait_for_selector(".answer-form")
    page.fill(".answer-form textarea[name=answer]", "按方案第 1 版的 4%。")
    page.click(".answer-form button[type=submit]")
    page.wait_for_selector("[data-status=answered]")
    page.context.clear_cookies()

    login(page, "agent")
    page.goto(f"/commissions/statements/{agent_seller}/2026-10#inquiries")
    assert "按方案第 1 版的 4%。" in page.locator("[data-status=answered]").first.inner_text()


def test_on_a_phone_an_agent_finds_its_answered_question_from_the_menu_and_no_page_is_wider_than_the_screen(
        page, live_server):
    """The statement's lines and the inbox's table pushed the page to twice a phone's width; the
    inbox was not offered to the agent who asked."""
    from channel.services import commissions_inquiries as inquiries
    from channel.services.commissions import install_demo_plans
    from channel.services.commissions_run import run_period

    with live_server["app"].app_context():
        install_demo_plans()
        run_period("2026-10")
        agent = db.session.scalar(select(User).where(User.username == "agent"))
        finance = db.session.scalar(select(User).where(User.username == "finance"))
        asked = inquiries.raise_inquiry(agent, agent.seller_id, "2026-10", "手机上问的")
        inquiries.answer_inquiry(finance, asked.id, "手机上答的")
        seller_id, asked_id = agent.seller_id, asked.id
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, "agent")
    page.click("nav a[href='/commissions/inquiries']")
    page.wait_for_selector("#inquiry-table")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click(f"#inquiry-table tr[data-inquiry='{asked_id}'] td:first-child a")
    page.wait_for_selector(f"#inquiry-{asked_id}[data-status=answered]")
    assert "手机上答的" in page.locator(f"#inquiry-{asked_id}").inner_text()
    assert page.url.endswith(f"/commissions/statements/{seller_id}/2026-10#inquiry-{asked_id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.clear_cookies()
    login(page, "finance")
    page.goto("/commissions/inquiries")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
