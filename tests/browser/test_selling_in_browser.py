"""In Chromium: a rep logs a call with a next step and sees it on the task list; a manager
sets a target and reads the KPI board (actual / target, team total, trend chart)."""
from datetime import date, timedelta

from sqlalchemy import select

from models import db
from models.sales import Customer
from models.users import User
from tests.browser.conftest import login


# activity times may not lie ahead nor more than a year back, a new task not be due before today
DAY = date.today() - timedelta(days=200)  # days the seeded world has no activity on, one per test
KPI_DAY = date.today() - timedelta(days=210)
DUE = date.today() + timedelta(days=3)


def _customer_of(live_server, username):
    with live_server["app"].app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        customer = db.session.scalar(select(Customer).where(Customer.owner_seller_id == user.seller_id).limit(1))
        return user.seller.code, user.seller.name, customer.id, customer.name


def test_a_rep_logs_a_call_and_its_next_step_becomes_a_task(page, live_server):
    code, name, customer_id, customer_name = _customer_of(live_server, "rep")
    login(page, "rep")
    page.click("nav >> text=销售执行")
    page.wait_for_selector("#activity-form")
    page.select_option("#activity-form select[name=kind]", "call_first")
    page.fill("#activity-form input[name=customer_id]", str(customer_id))
    page.fill("#activity-form input[name=occurred_at]", f"{DAY}T23:30")
    page.fill("#activity-form textarea[name=outcome]", "浏览器里记录的首次电话")
    page.fill("#activity-form input[name=next_step]", "寄送样品目录")
    page.fill("#activity-form input[name=next_due_on]", str(DUE))
    page.click("#activity-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert "寄送样品目录" in page.inner_text("#task-table")
    row = page.locator("#activity-table tbody tr", has_text="浏览器里记录的首次电话")
    assert f"{DAY} 23:30" in row.inner_text() and customer_name in row.inner_text()
    # the task is done from the list
    page.locator("#task-table tr", has_text="寄送样品目录").locator("button").click()
    page.wait_for_selector(".alert-success")
    assert "寄送样品目录" not in page.inner_text("#task-table")


def test_a_manager_sets_a_target_and_reads_the_kpi_board(page, live_server):
    code, name, customer_id, _ = _customer_of(live_server, "rep")
    login(page, "rep")
    page.goto("/selling")
    for minute in ("10", "20"):
        page.select_option("#activity-form select[name=kind]", "call_follow")
        page.fill("#activity-form input[name=customer_id]", str(customer_id))
        page.fill("#activity-form input[name=occurred_at]", f"{KPI_DAY}T09:{minute}")
        page.click("#activity-form button[type=submit]")
        page.wait_for_selector(".alert-success")
    page.click("button:has-text('退出')")
    login(page, "manager")
    page.click("nav >> text=KPI 看板")
    page.wait_for_selector("#target-form")
    page.select_option("#target-form select[name=scope]", "seller")
    page.fill("#target-form input[name=seller_code]", code)
    page.select_option("#target-form select[name=metric]", "calls")
    page.select_option("#target-form select[name=period]", "day")
    page.fill("#target-form input[name=target]", "60")
    page.click("#target-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    page.fill("#kpi-filter input[name=day]", str(KPI_DAY))
    page.select_option("#kpi-filter select[name=channel]", "direct")
    page.click("#kpi-filter button[type=submit]")
    page.wait_for_url(f"**day={KPI_DAY}**")
    row = page.locator("#kpi-table tbody tr", has_text=name)
    assert "2 / 60" in row.inner_text()
    assert "2" in page.inner_text("#kpi-total")
    assert page.locator("#kpi-trend svg").count() == 1
