"""Selling pages through the test client: they render per role, forms work, and every
object of another branch is refused by id."""
from datetime import date, datetime, timedelta

import pytest

from channel.services import selling, selling_feedback
from models import db
from models.users import User


def _pm():
    pm = User(username="pm", display_name="PM", role="product_manager")
    pm.set_password("secret-pass")
    db.session.add(pm)
    db.session.commit()
    return pm


@pytest.mark.parametrize("username", ["manager", "agent_gd", "rep1", "admin"])
@pytest.mark.parametrize("path", ["/selling", "/selling/kpi", "/selling/value", "/selling/enablement",
                                  "/selling/opportunities", "/selling/feedback"])
def test_selling_pages_render_for_field_roles(client, auth, world, username, path):
    auth.login(username)
    assert client.get(path).status_code == 200


def test_finance_has_no_selling_pages_and_pm_has_the_product_view(client, auth, world):
    _pm()
    auth.login("finance")
    assert client.get("/selling").status_code == 403
    assert client.get("/selling/product-feedback").status_code == 403
    auth.logout()
    auth.login("pm")
    assert client.get("/selling/product-feedback").status_code == 200
    assert client.get(f"/customers/{world.cust_ns.id}/selling").status_code == 200


def test_a_rep_logs_a_call_with_a_next_step_and_sees_the_task(client, auth, world):
    auth.login("rep1")
    today = selling.today_in_shanghai()  # the time must not be in the future, the due date not past
    yesterday, due = today - timedelta(days=1), today + timedelta(days=2)
    response = client.post("/selling/activities", data={
        "kind": "call_first", "customer_id": world.cust_rep1.id, "occurred_at": f"{yesterday}T23:30",
        "outcome": "约了下周拜访", "next_step": "准备方案", "next_due_on": due.isoformat()})
    assert response.status_code == 302
    page = client.get("/selling").get_data(as_text=True)
    assert "准备方案" in page and "约了下周拜访" in page and f"{yesterday} 23:30" in page


def test_a_call_without_a_customer_is_refused_with_a_field_error(client, auth, world):
    auth.login("rep1")
    response = client.post("/selling/activities", data={"kind": "visit"})
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True)


def test_an_agent_cannot_log_on_another_branchs_customer_or_seller(client, auth, world):
    auth.login("agent_sz")
    assert client.post("/selling/activities", data={"kind": "visit", "customer_id": world.cust_th.id}).status_code == 404
    # a seller outside the scope is answered as an unknown code: the form keeps what was typed
    for code in ("GZ", "NO-SUCH-CODE"):
        response = client.post("/selling/activities", data={"kind": "visit", "customer_id": world.cust_ns.id,
                                                            "seller_code": code, "outcome": "谈了两小时"})
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and f"没有编码为 {code} 的销售方。" in page and "谈了两小时" in page
    for url, data in [("/selling/support", {"seller_code": "GZ", "subject": "缺货", "body": "请补货"}),
                      ("/selling/feedback", {"seller_code": "GZ", "product_sku": world.product.sku, "body": "太贵"})]:
        response = client.post(url, data=data)
        assert response.status_code == 400 and "没有编码为 GZ 的销售方。" in response.get_data(as_text=True), url


def test_objects_of_another_branch_are_refused_by_id(client, auth, world):
    w = world
    activity = selling.log_activity(w.user_manager, seller_id=w.TH.id, kind="visit", customer_id=w.cust_th.id,
                                    next_step="回访", occurred_at=datetime(2026, 11, 20, 2, 0))
    task = selling.open_tasks(w.user_manager, seller_id=w.TH.id)[0]
    opp = selling.open_opportunity(w.user_manager, customer_id=w.cust_th.id, title="大单")
    feedback = selling_feedback.record_feedback(w.user_manager, seller_id=w.TH.id, product_id=w.product.id, body="贵")
    support = selling_feedback.open_support_request(w.user_manager, seller_id=w.TH.id, subject="a", body="b")
    stage = selling.stages()[1]
    auth.login("agent_sz")
    assert client.get(f"/customers/{w.cust_th.id}/selling").status_code == 404
    assert client.post(f"/customers/{w.cust_th.id}/contacts", data={"name": "x", "role": "acceptor"}).status_code == 404
    assert client.post(f"/customers/{w.cust_th.id}/opportunities", data={"title": "x", "stage_id": stage.id}).status_code == 404
    assert client.post(f"/selling/tasks/{task.id}/done").status_code == 404
    assert client.post(f"/opportunities/{opp.id}/stage", data={"stage_id": stage.id}).status_code == 404
    assert client.post("/selling/feedback", data={"product_sku": "P1", "customer_id": w.cust_th.id,
                                                  "body": "x"}).status_code == 404
    assert client.post(f"/selling/feedback/{feedback.id}/answer", data={"status": "done"}).status_code == 403
    assert client.post(f"/selling/support/{support.id}/answer", data={"answer": "x", "status": "closed"}).status_code == 403
    assert client.post("/selling/targets", data={"scope": "agent", "metric": "calls", "period": "day",
                                                 "target": 1}).status_code == 403
    for path in ("/selling", "/selling/enablement", "/selling/feedback", "/selling/opportunities"):
        page = client.get(path).get_data(as_text=True)
        assert "天河分销" not in page, path
    assert activity.id  # the object exists; it is only hidden


def test_a_manager_sees_the_other_branch_and_a_rep_sees_its_own_only(client, auth, world):
    w = world
    selling.log_activity(w.user_manager, seller_id=w.REP3.id, kind="visit", customer_id=w.cust_rep3.id,
                         outcome="客户很满意")
    auth.login("rep1")
    assert "客户很满意" not in client.get("/selling").get_data(as_text=True)
    assert client.get(f"/customers/{w.cust_rep3.id}/selling").status_code == 404
    auth.logout()
    auth.login("manager")
    assert "客户很满意" in client.get("/selling").get_data(as_text=True)


def test_the_customer_selling_page_shows_the_roles_covered(client, auth, world):
    auth.login("agent_sz")
    response = client.post(f"/customers/{world.cust_ns.id}/contacts",
                           data={"name": "赵主任", "role": "dissatisfied", "birthday": "1985-03-08"})
    assert response.status_code == 302
    page = client.get(f"/customers/{world.cust_ns.id}/selling").get_data(as_text=True)
    assert 'data-role="dissatisfied" data-covered="1"' in page
    assert 'data-role="decision_maker" data-covered="0"' in page
    assert "赵主任" in page


def test_a_pm_reply_is_shown_to_the_seller_on_the_customer_page(client, auth, world):
    _pm()
    auth.login("agent_sz")
    response = client.post("/selling/feedback", data={"product_sku": "P1", "customer_id": world.cust_ns.id,
                                                      "body": "希望支持远程监控", "is_request": "y"})
    assert response.status_code == 302
    auth.logout()
    auth.login("pm")
    page = client.get("/selling/product-feedback").get_data(as_text=True)
    assert "希望支持远程监控" in page and "广东省" in page
    item = selling_feedback.feedback_list(world.user_manager)[0]
    assert client.post(f"/selling/feedback/{item.id}/answer", data={"status": "planned", "reply": "明年一季度"}).status_code == 302
    auth.logout()
    auth.login("agent_sz")
    page = client.get(f"/customers/{world.cust_ns.id}/selling").get_data(as_text=True)
    assert "明年一季度" in page and "计划中" in page


def test_a_manager_sets_a_target_and_the_board_shows_actual_over_target(client, auth, world):
    auth.login("manager")
    assert client.post("/selling/targets", data={"scope": "direct", "metric": "calls", "period": "day",
                                                 "target": 60}).status_code == 302
    selling.log_activity(world.user_manager, seller_id=world.REP1.id, kind="call_first", customer_id=world.cust_rep1.id,
                         occurred_at=datetime(2026, 11, 22, 15, 30))
    page = client.get("/selling/kpi", query_string={"day": "2026-11-22", "team": "MGR"}).get_data(as_text=True)
    assert "1 / 60" in page and "<svg" in page
    assert client.get("/selling/kpi", query_string={"day": "bad"}).status_code == 400


def test_a_manager_reviews_and_approves_an_application(client, auth, world):
    auth.login("manager")
    response = client.post("/selling/applications", data={
        "company": "佛山顺达贸易有限公司", "credit_code": "91350100M000100Y43", "contact_name": "陈先生",
        "territory_code": "440600", "level": 3})
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="territory-free"' in detail
    response = client.post(response.headers["Location"] + "/approve", data={
        "code": "FS", "parent_code": "GD", "contract_from": "2026-12-01", "deposit": "50000", "exclusive": "y"})
    assert response.status_code == 302 and "/sellers/" in response.headers["Location"]


def test_an_approval_dated_year_9999_is_refused_beside_the_contract_start_and_creates_nothing(client, auth, world):
    """A contract start of 9999-12-31 used to create the agent (joined, closure and grant in year
    9999: frozen, no later move possible); the date error now sits on 合同开始, not on the code."""
    from models.tree import Seller

    auth.login("manager")
    response = client.post("/selling/applications", data={
        "company": "佛山顺达贸易有限公司", "credit_code": "91350100M000100Y43", "contact_name": "陈先生",
        "territory_code": "440600", "level": 3})
    location = response.headers["Location"]
    response = client.post(location + "/approve", data={
        "code": "FS", "parent_code": "GD", "contract_from": "9999-12-31", "deposit": "0", "exclusive": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    block = page.split('id="contract_from"')[1].split('<div class="mb-2')[0]
    assert "日期超出范围" in block and "日期超出范围" not in page.split('id="code"')[1].split('<div class="mb-2')[0]
    assert db.session.query(Seller).filter_by(code="FS").count() == 0


def test_a_bad_credit_code_shows_beside_its_field(client, auth, world):
    auth.login("manager")
    response = client.post("/selling/applications", data={
        "company": "x", "credit_code": "123", "contact_name": "y", "territory_code": "440600", "level": 3})
    assert response.status_code == 400
    assert "统一社会信用代码 123 无效" in response.get_data(as_text=True)


def test_agents_cannot_use_manager_only_actions(client, auth, world):
    auth.login("agent_gd")
    assert client.post("/selling/certifications", data={"seller_code": "NS", "code": "PRO", "passed": "y",
                                                        "certified_on": "2026-01-01"}).status_code == 403
    assert client.post("/selling/reminders", data={"stale_days": 30}).status_code == 403
    assert client.get("/selling/applications/1").status_code == 403


def test_the_customer_page_include_shows_the_roles_covered(app, client, auth, world):
    from flask import render_template_string
    from flask_login import login_user

    from channel.services import selling as service

    service.add_contact(world.user_manager, customer_id=world.cust_ns.id, name="周总", role="decision_maker")
    pm = _pm()
    item = selling_feedback.record_feedback(world.user_agent_sz, seller_id=world.NS.id, product_id=world.product.id,
                                            customer_id=world.cust_ns.id, body="要更安静")
    selling_feedback.set_feedback_status(pm, item.id, status="done", reply="新款已降噪")
    with app.test_request_context():
        login_user(world.user_agent_sz)
        html = render_template_string('{% include "selling/_customer_extra.html" %}', customer=world.cust_ns)
    assert 'data-role="decision_maker"' in html and "权力者 ✓" in html and "接纳者 ✗" in html
    assert "新款已降噪" in html and "已完成" in html


@pytest.mark.parametrize("path", ["/selling", "/selling/kpi", "/selling/value", "/selling/enablement",
                                  "/selling/opportunities", "/selling/feedback"])
def test_selling_pages_render_in_english(client, auth, world, path):
    auth.login("manager")
    client.post("/lang/en")
    page = client.get(path)
    assert page.status_code == 200
    assert "Selling" in page.get_data(as_text=True)


def test_in_english_the_kpi_metrics_are_calls_and_visits_not_a_phone_number(client, auth, world):
    """电话 / 拜访 / 培训 as a KPI metric (msgctxt "KPI metric") count activities; 电话 alone is a
    contact's Phone and 拜访 an activity's kind (Visit)."""
    auth.login("manager")
    client.post("/lang/en")
    board = client.get("/selling/kpi").get_data(as_text=True)
    header = board.split("<thead")[1].split("</thead>")[0]
    assert '<th class="text-end">Calls</th>' in header and '<th class="text-end">Visits</th>' in header
    assert '<th class="text-end">Trainings</th>' in header and "Phone" not in header
    assert '<option value="calls">Calls</option>' in board and '<option value="visits">Visits</option>' in board
    contacts = client.get(f"/customers/{world.cust_rep1.id}/selling").get_data(as_text=True)
    assert ">Phone</label>" in contacts and '<option value="visit">Visit</option>' not in board
    client.post("/lang/zh")
    board = client.get("/selling/kpi").get_data(as_text=True)
    assert '<th class="text-end">电话</th>' in board and '<option value="visits">拜访</option>' in board


def test_an_agent_is_refused_another_branchs_kpi_team_and_value_report(client, auth, world):
    auth.login("agent_sz")
    assert client.get("/selling/kpi", query_string={"team": "GZ"}).status_code == 404
    assert client.get("/selling/value", query_string={"seller": "GZ"}).status_code == 404
    assert client.get("/selling/kpi", query_string={"team": "NS"}).status_code == 200
    page = client.get("/selling/value").get_data(as_text=True)
    assert "深圳南山华盛贸易有限公司" in page and "广州天河宏达电器有限公司" not in page


def test_in_english_a_selling_task_is_a_task_and_a_background_job_a_job(client, auth, world):
    """任务 is said two ways in English: the selling pages' task (msgctxt "selling task") and
    the background jobs' job."""
    w = world
    selling.log_activity(w.user_rep1, seller_id=w.REP1.id, kind="visit", customer_id=w.cust_rep1.id,
                         next_step="回访", occurred_at=datetime(2026, 11, 20, 2, 0))
    task = selling.open_tasks(w.user_rep1, seller_id=w.REP1.id)[0]
    auth.login("rep1")
    home = client.get("/selling?lang=en").get_data(as_text=True)
    assert "<th>Task</th>" in home and "<th>Job</th>" not in home
    header = client.get("/selling/tasks/export.csv?lang=en").get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert "Task" in header.split(",") and "Job" not in header
    assert "Due on" in header.split(",") and "Expires on" not in header  # 到期日 of a task, not a certification
    assert client.get("/selling/tasks/export.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()[0].split(",")[2] == "任务"
    done = client.post(f"/selling/tasks/{task.id}/done?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "Task done." in done and "The job is done." not in done
    missing = client.post("/selling/tasks/999999/done?lang=en").get_data(as_text=True)
    assert "No such task, or you may not see it." in missing
    jobs = client.get("/jobs?lang=en").get_data(as_text=True)
    assert "<th>Job</th>" in jobs


def test_in_english_a_certification_in_force_reads_valid_and_a_target_for_one_seller_reads_so(client, auth, world):
    auth.login("manager")
    response = client.post("/selling/certifications", data={"seller_code": "GD", "code": "PRO", "passed": "y",
                                                           "certified_on": "2026-01-01"})
    assert response.status_code == 302
    client.post("/lang/en", data={"next": "/"})
    page = client.get("/selling/enablement").get_data(as_text=True)
    assert '<span class="badge text-bg-success">Valid</span>' in page and ">Active</span>" not in page
    assert '<option value="seller">One seller</option>' in client.get("/selling/kpi").get_data(as_text=True)
@pytest.mark.parametrize("days", ["-5", "0", "3651", "abc", "99999999999999999999", "²"])
def test_a_bad_days_filter_on_the_opportunities_says_what_is_wrong(client, auth, world, days):
    """days=-5 answered "The request could not be understood." and days=abc silently showed 14
    days; the page and its export now say the bound."""
    auth.login("manager")
    for url in ("/selling/opportunities", "/selling/opportunities/export.csv"):
        response = client.get(url, query_string={"days": days})
        assert response.status_code == 400, url
        assert "天数必须是 1 到 3650 之间的整数。" in response.get_data(as_text=True), url
    assert client.get("/selling/opportunities", query_string={"days": "30"}).status_code == 200
    assert client.get("/selling/opportunities", query_string={"days": ""}).status_code == 200


def test_a_next_step_due_in_year_9999_is_refused_beside_its_field(client, auth, world):
    """A due date of 9999-12-31 used to make a task that sat on the list for ever."""
    from models.selling import Activity

    auth.login("rep1")
    response = client.post("/selling/activities", data={
        "kind": "visit", "customer_id": world.cust_rep1.id, "outcome": "谈妥了", "next_step": "回访",
        "next_due_on": "9999-12-31"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "谈妥了" in page
    block = page.split('id="next_due_on"')[1].split('<div class="mb-2')[0]
    assert "日期超出范围" in block
    assert db.session.query(Activity).count() == 0


@pytest.mark.parametrize("stale_days", ["0", "-1", "abc", "3651"])
def test_a_bad_stale_days_on_the_reminders_button_says_what_is_wrong(client, auth, world, stale_days):
    """It answered a bare 400 "The request could not be understood."; it now says the bound beside
    the field on the value page, keeps what was typed and makes nothing."""
    from models.selling import Task

    auth.login("manager")
    response = client.post("/selling/reminders", data={"stale_days": stale_days})
    block = response.get_data(as_text=True).split('id="stale_days"')[1].split('<div class="col-6')[0]
    assert response.status_code == 400 and "field-error" in block and f'value="{stale_days}"' in block
    assert "该字段是必填字段" not in block and ("未联系天数必须在 1 到 3650 之间" in block or "整数" in block), block
    assert db.session.query(Task).count() == 0


def test_a_training_or_certification_dated_outside_the_years_is_refused_beside_its_field(client, auth, world):
    """A training held on 0001-01-01 and a certification dated 9999-12-31 used to be saved."""
    from models.selling import Certification, Training

    auth.login("manager")
    response = client.post("/selling/trainings", data={"title": "新品培训", "held_on": "0001-01-01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "新品培训" in page
    assert "日期超出范围" in page.split('id="held_on"')[1].split('<div class="mb-2')[0]
    response = client.post("/selling/certifications", data={"seller_code": "NS", "code": "PRO", "passed": "y",
                                                            "certified_on": "9999-12-31"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "日期超出范围" in page.split('id="certified_on"')[1].split('<div class="mb-2')[0]
    assert db.session.query(Training).count() == 0 and db.session.query(Certification).count() == 0


def test_table_columns_name_one_customer_and_one_opportunity_in_english(client, auth, world):
    """The menu says Customers; a column of one customer per row says Customer."""
    import re

    auth.login("manager")
    client.post("/lang/en", data={"next": "/selling"})
    heads = []
    for path in ("/selling", "/selling/opportunities", "/selling/value"):
        page = client.get(path).get_data(as_text=True)
        heads += re.findall(r"<thead>.*?</thead>", page, re.S)
    columns = [c for head in heads for c in re.findall(r"<th[^>]*>([^<]*)</th>", head)]
    assert columns.count("Customer") >= 4 and "Opportunity" in columns
    assert "Customers" not in columns and "Opportunities" not in columns
