"""Exports of the remaining list pages (issue #6): CSV and XLSX with the page's filters and the
page's access rule — statements, plans, runs, audit log, jobs, users, imports, registrations,
payout batch rows, my payouts, opportunities, feedback. Forbidden rows are tried and must be
refused or absent."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from channel.domain.exports import yuan_text
from channel.services import audit, selling, selling_feedback
from channel.services.conflicts_cases import register_customer
from models import db
from models.commissions import CommissionRun
from tests.functional.test_api_features import approved_batch
from tests.functional.test_commission_pages import posted  # noqa: F401 - a fixture
from tests.functional.test_exchange_pages import AGENTS, upload
from tests.ops_fixtures import add_job, add_product_manager


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.data[:300]
    return list(load_workbook(io.BytesIO(response.data), read_only=True).active.iter_rows(values_only=True))


def get(client, url):
    return client.get(url, buffered=True)


# ---- commissions ---------------------------------------------------------------------------

def test_the_statement_list_export_is_the_agents_downline_of_the_period(client, auth, posted):  # noqa: F811
    auth.login("agent_sz")
    response = get(client, "/commissions/statements/export.csv?period=2026-10")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # once, not twice
    rows = csv_rows(response)
    assert {r["收款方编码"] for r in rows} == {"SZ", "NS"}  # not GD (its upline), not TH (another branch)
    ns = next(r for r in rows if r["收款方编码"] == "NS")
    assert (ns["期间"], ns["收款方"], ns["合计（元）"]) == ("2026-10", "南山分销", "180.00")  # 3% of ¥6,000
    assert csv_rows(get(client, "/commissions/statements/export.csv?period=2026-09")) == []
    assert get(client, "/commissions/statements/export.csv?period=2026-13").status_code == 400
    client.post("/logout")
    auth.login("finance")
    book = xlsx_rows(get(client, "/commissions/statements/export.xlsx?period=2026-10"))
    assert book[0][:3] == ("期间", "收款方编码", "收款方")
    assert {"GD", "TH", "NS", "SZ"} <= {r[1] for r in book[1:]}


def test_the_plan_and_run_exports_are_for_staff_only(client, auth, posted):  # noqa: F811
    auth.login("manager")
    plans = csv_rows(get(client, "/commissions/plans/export.csv"))
    agent_plan = next(r for r in plans if r["渠道"] == "agent")
    assert (agent_plan["层级"], agent_plan["基础费率（%）"], agent_plan["一级上级提成（%）"]) == ("4", "3.00", "2.00")
    assert {r["渠道"] for r in plans} == {"agent", "direct"}
    assert get(client, "/commissions/plans/export.json").status_code == 200  # the JSON export is still there
    (run,) = csv_rows(get(client, "/commissions/runs/export.csv"))
    posted_run = db.session.scalar(select(CommissionRun))
    assert (run["期间"], run["状态"], run["行数"]) == ("2026-10", "posted", str(posted_run.lines_posted))
    assert posted_run.total_fen > 0 and run["金额（元）"] == f"{posted_run.total_fen // 100}.{posted_run.total_fen % 100:02d}"
    client.post("/logout")
    auth.login("agent_sz")
    assert get(client, "/commissions/plans/export.csv").status_code == 403
    assert get(client, "/commissions/runs/export.xlsx").status_code == 403


# ---- ops -----------------------------------------------------------------------------------

def test_the_audit_export_applies_the_filters_and_is_for_administrators(client, auth, world):
    audit.record(world.user_admin.id, "plan.edit", "commission_plan", 7, {"name": "方案甲"})
    audit.record(world.user_manager.id, "case.confirm", "conflict_case", 3)
    db.session.commit()
    auth.login("admin")
    rows = csv_rows(get(client, "/audit/export.csv"))
    assert {(r["操作"], r["操作人"]) for r in rows} >= {("plan.edit", "admin"), ("case.confirm", "manager")}
    (plan,) = csv_rows(get(client, "/audit/export.csv?action=plan"))
    assert (plan["对象类型"], plan["对象编号"], plan["详情"]) == ("commission_plan", "7", '{"name": "方案甲"}')
    assert [r[3] for r in xlsx_rows(get(client, "/audit/export.xlsx?actor=manager"))[1:]] == ["case.confirm"]
    assert get(client, "/audit/export.csv?date_from=nonsense").status_code == 400
    page = client.get("/audit?action=plan").get_data(as_text=True)
    assert "/audit/export.csv?action=plan" in page
    client.post("/logout")
    auth.login("manager")
    assert get(client, "/audit/export.csv").status_code == 403


def test_the_job_export_lists_only_the_users_own_jobs(client, auth, world):
    mine = add_job(world.user_agent_sz)
    theirs = add_job(world.user_manager)
    auth.login("agent_sz")
    rows = csv_rows(get(client, "/jobs/export.csv"))
    assert [(r["编号"], r["任务"], r["状态"], r["提交人"]) for r in rows] == [(str(mine.id), "orders.export", "done", "agent_sz")]
    client.post("/logout")
    auth.login("admin")
    assert [r[0] for r in xlsx_rows(get(client, "/jobs/export.xlsx"))[1:]] == [theirs.id, mine.id]


def test_the_user_export_is_for_administrators_and_holds_no_password(client, auth, world):
    auth.login("admin")
    response = get(client, "/users/export.csv")
    rows = csv_rows(response)
    sz = next(r for r in rows if r["用户名"] == "agent_sz")
    assert (sz["角色"], sz["绑定销售方编码"], sz["在用"]) == ("agent", "SZ", "True")
    assert b"pbkdf2" not in response.data and b"scrypt" not in response.data and b"$" not in response.data
    client.post("/logout")
    for username in ("manager", "agent_sz"):
        auth.login(username)
        assert get(client, "/users/export.csv").status_code == 403
        client.post("/logout")


# ---- exchange and conflicts ----------------------------------------------------------------

def test_the_import_history_export_shows_ones_own_runs(client, auth, world):
    auth.login("manager")
    assert upload(client, "agents", AGENTS).status_code == 302
    (run,) = csv_rows(get(client, "/imports/export.csv"))
    assert (run["数据类型"], run["文件"], run["状态"], run["新增"], run["错误行"], run["提交人"]) == (
        "代理", "f.csv", "已完成", "1", "0", "manager")
    # the labels the imports page shows, in the reader's language; not the keys agents, done
    client.post("/lang/en")
    (run,) = csv_rows(get(client, "/imports/export.csv"))
    assert (run["Kind of data"], run["Status"]) == ("Agents", "Done")
    ((_, kind, _, status, *_), ) = xlsx_rows(get(client, "/imports/export.xlsx"))[1:]
    assert (kind, status) == ("Agents", "Done")
    client.post("/lang/zh")
    client.post("/logout")
    auth.login("finance")  # may import, but did not start this run
    assert csv_rows(get(client, "/imports/export.csv")) == []
    client.post("/logout")
    auth.login("admin")
    assert len(xlsx_rows(get(client, "/imports/export.xlsx"))) == 2
    client.post("/logout")
    auth.login("agent_sz")
    assert get(client, "/imports/export.csv").status_code == 403


def test_the_registration_export_shows_only_the_sellers_in_scope(client, auth, world):
    register_customer(seller_id=world.NS.id, name="深圳前海新客有限公司", phone="13800000001", on=date(2026, 10, 1))
    register_customer(seller_id=world.HZ.id, name="杭州滨江新客有限公司", on=date(2026, 10, 2))
    auth.login("agent_sz")
    (row,) = csv_rows(get(client, "/conflicts/registrations/export.csv"))
    assert (row["报备方编码"], row["客户名称"], row["电话"], row["报备日期"]) == ("NS", "深圳前海新客有限公司", "13800000001",
                                                                       "2026-10-01")
    client.post("/logout")
    auth.login("manager")
    assert [r[1] for r in xlsx_rows(get(client, "/conflicts/registrations/export.xlsx"))[1:]] == ["HZ", "NS"]


# ---- payouts -------------------------------------------------------------------------------

def test_the_batch_row_export_applies_the_status_filter_for_finance_only(client, auth, world):
    batch = approved_batch(world)
    auth.login("finance")
    rows = csv_rows(get(client, f"/payouts/batches/{batch.id}/rows.csv"))
    assert {(r["收款方编码"], r["应付（元）"], r["状态"]) for r in rows} == {("SZ", "500.00", "payable"),
                                                                       ("GZ", "700.00", "payable")}
    assert csv_rows(get(client, f"/payouts/batches/{batch.id}/rows.csv?status=held")) == []
    book = xlsx_rows(get(client, f"/payouts/batches/{batch.id}/rows.xlsx?status=payable"))
    assert book[0][:3] == ("批次", "行号", "收款方编码") and len(book) == 3
    assert get(client, f"/payouts/batches/{batch.id}/rows.csv?status=nope").status_code == 400
    client.post("/lang/en", data={"next": "/"})
    book = xlsx_rows(get(client, f"/payouts/batches/{batch.id}/rows.xlsx?status=payable"))
    assert book[0][:3] == ("Batch", "Row id", "Payee code")  # a payout row's id; an order's 行号 is "Line no."
    client.post("/lang/zh", data={"next": "/"})
    assert get(client, f"/payouts/batches/{batch.id + 99}/rows.csv").status_code == 404
    page = client.get(f"/payouts/batches/{batch.id}?status=payable").get_data(as_text=True)
    assert f"/payouts/batches/{batch.id}/rows.csv?status=payable" in page
    client.post("/logout")
    for username in ("agent_sz", "manager"):
        auth.login(username)
        assert get(client, f"/payouts/batches/{batch.id}/rows.csv").status_code == 403
        client.post("/logout")


def test_the_hold_export_lists_the_payees_on_hold_for_finance(client, auth, world):
    from channel.services import payouts

    payouts.hold_payee(world.SZ.id, world.user_finance.id, "发票抬头不符")
    released = payouts.hold_payee(world.GZ.id, world.user_finance.id, "已解决")
    payouts.release_payee_hold(released.id, world.user_finance.id)
    auth.login("finance")
    (row,) = csv_rows(get(client, "/payouts/holds/export.csv"))
    assert (row["收款方编码"], row["暂扣原因"], row["操作人"]) == ("SZ", "发票抬头不符", "finance")
    assert "/payouts/holds/export.xlsx" in client.get("/payouts").get_data(as_text=True)
    client.post("/logout")
    auth.login("agent_sz")
    assert get(client, "/payouts/holds/export.csv").status_code == 403


def test_the_statement_downloads_as_excel_with_the_csv_rows(client, auth, posted):  # noqa: F811
    auth.login("agent_sz")
    csv_lines = list(csv.reader(io.StringIO(get(client, f"/commissions/statements/{posted.NS.id}/2026-10/csv")
                                            .get_data(as_text=True).lstrip("\ufeff"))))
    book = xlsx_rows(get(client, f"/commissions/statements/{posted.NS.id}/2026-10/xlsx"))
    # the same lines and total as the CSV, as people read them: headers, kinds, yuan
    assert book[0][:3] == ("行号", "类别", "来源订单") and "金额（元）" in book[0]
    assert [r[0] for r in book[1:-2]] == [int(r[0]) for r in csv_lines[1:-2]] and len(book) > 3
    amount = book[0].index("金额（元）")
    # amounts are number cells (exact to the fen: SUM works), not text
    assert book[-1][0] == "合计" and Decimal(str(book[-1][amount])).quantize(Decimal("0.01")) == Decimal(
        yuan_text(int(csv_lines[-1][11])))
    assert all(isinstance(r[amount], (int, float)) for r in book[1:-2])
    kinds = {r[1] for r in book[1:-2]}
    assert kinds <= {"个人提成", "阶梯返利", "第 1 层上级提成", "第 2 层上级提成", "第 3 层上级提成", "目标奖励",
                     "退货追回", "调整"} and kinds
    assert sum(Decimal(str(r[amount])) for r in book[1:-2]) == Decimal(int(csv_lines[-1][11])) / 100
    assert get(client, f"/commissions/statements/{posted.GD.id}/2026-10/xlsx").status_code == 404  # its upline


def test_my_payouts_export_is_the_payees_own_rows_only(client, auth, world):
    approved_batch(world)
    auth.login("agent_sz")
    (row,) = csv_rows(get(client, "/payouts/mine/export.csv"))
    # the status as the page shows it (the one label mapping), in the payee's language
    assert (row["期间"], row["状态"], row["应付（元）"]) == ("2026-10", "待付", "500.00")
    assert "待付" in client.get("/payouts/mine").get_data(as_text=True)
    assert xlsx_rows(get(client, "/payouts/mine/export.xlsx"))[1][1] == "待付"
    (english,) = csv_rows(get(client, "/payouts/mine/export.csv?lang=en"))
    assert "Payable" in english.values() and "payable" not in english.values()
    client.post("/logout")
    auth.login("agent_gd")  # SZ's upline: a downline's pay stays private
    assert csv_rows(get(client, "/payouts/mine/export.csv")) == []
    client.post("/logout")
    auth.login("finance")
    assert get(client, "/payouts/mine/export.csv").status_code == 403


# ---- selling -------------------------------------------------------------------------------

def test_the_opportunity_export_applies_days_and_the_scope(client, auth, world):
    w = world
    no_dm = selling.open_opportunity(w.user_rep1, customer_id=w.cust_rep1.id, title="二期", amount_fen=123456)
    selling.add_contact(w.user_rep3, customer_id=w.cust_rep3.id, name="王总", role="decision_maker")
    fresh = selling.open_opportunity(w.user_rep3, customer_id=w.cust_rep3.id, title="换新")
    selling.log_activity(w.user_rep3, seller_id=w.REP3.id, kind="visit", customer_id=w.cust_rep3.id,
                         occurred_at=datetime.utcnow() - timedelta(days=3))
    auth.login("manager")
    (row,) = csv_rows(get(client, "/selling/opportunities/export.csv?days=14"))
    assert (row["商机编号"], row["商机"], row["销售方编码"], row["金额（元）"], row["有权力者"]) == (
        str(no_dm.id), "二期", "REP1", "1234.56", "False")
    assert {r[0] for r in xlsx_rows(get(client, "/selling/opportunities/export.xlsx?days=2"))[1:]} == {no_dm.id, fresh.id}
    assert get(client, "/selling/opportunities/export.csv?days=0").status_code == 400
    client.post("/logout")
    auth.login("rep3")  # the other team's opportunity is not there
    assert [r["商机编号"] for r in csv_rows(get(client, "/selling/opportunities/export.csv?days=2"))] == [str(fresh.id)]


def test_the_feedback_export_applies_the_filters_and_the_scope(client, auth, world):
    w = world
    ns = selling_feedback.record_feedback(w.user_agent_sz, seller_id=w.NS.id, product_id=w.product.id,
                                          body="滤芯太贵", customer_id=w.cust_ns.id)
    selling_feedback.record_feedback(w.user_agent_zj, seller_id=w.HZ.id, product_id=w.product.id, body="=HYPERLINK(1)",
                                     is_request=True)
    auth.login("agent_sz")
    (row,) = csv_rows(get(client, "/selling/feedback/export.csv"))
    assert (row["编号"], row["产品编码"], row["销售方编码"], row["客户"], row["内容"], row["状态"]) == (
        str(ns.id), "P1", "NS", "深圳南山华盛贸易有限公司", "滤芯太贵", "open")
    client.post("/logout")
    pm = add_product_manager()
    auth.login("pm")  # the product manager sees every seller's feedback
    rows = csv_rows(get(client, f"/selling/feedback/export.csv?product={w.product.id}"))
    assert {r["销售方编码"] for r in rows} == {"NS", "HZ"}
    assert next(r for r in rows if r["销售方编码"] == "HZ")["内容"] == "'=HYPERLINK(1)"  # not run as a formula
    selling_feedback.set_feedback_status(pm, ns.id, status="planned", reply="下季度降价")
    book = xlsx_rows(get(client, "/selling/feedback/export.xlsx?status=planned"))
    assert [(r[0], r[-1]) for r in book[1:]] == [(ns.id, "下季度降价")]
    assert get(client, "/selling/feedback/export.csv?status=nonsense").status_code == 400
    assert "/selling/feedback/export.csv?status=planned" in client.get("/selling/product-feedback?status=planned").get_data(as_text=True)
    client.post("/logout")
    auth.login("finance")
    assert get(client, "/selling/feedback/export.csv").status_code == 403


def test_the_activity_and_task_exports_show_only_the_users_team(client, auth, world):
    w = world
    mine = selling.log_activity(w.user_rep1, seller_id=w.REP1.id, kind="visit", customer_id=w.cust_rep1.id,
                                outcome="谈了二期", next_step="寄样机", next_due_on=date(2026, 12, 1),
                                occurred_at=datetime(2026, 11, 20, 2, 0))
    selling.log_activity(w.user_rep3, seller_id=w.REP3.id, kind="visit", customer_id=w.cust_rep3.id, next_step="回访")
    auth.login("rep1")
    (row,) = csv_rows(get(client, "/selling/activities/export.csv"))
    assert (row["编号"], row["时间（UTC）"], row["类型"], row["销售方编码"], row["客户"], row["结果"], row["下一步"]) == (
        str(mine.id), "2026-11-20 02:00:00", "拜访", "REP1", "上海浦东金诚实业有限公司", "谈了二期", "寄样机")
    (task,) = csv_rows(get(client, "/selling/tasks/export.csv"))
    assert (task["到期日"], task["任务"], task["来源"], task["销售方编码"]) == ("2026-12-01", "寄样机", "下一步", "REP1")
    client.post("/logout")
    auth.login("manager")
    assert {r[2] for r in xlsx_rows(get(client, "/selling/tasks/export.xlsx"))[1:]} == {"寄样机", "回访"}
    assert len(xlsx_rows(get(client, "/selling/activities/export.xlsx"))) == 3
    client.post("/logout")
    auth.login("finance")
    assert get(client, "/selling/activities/export.csv").status_code == 403


def test_the_enablement_exports_follow_the_page_who_sees_what(client, auth, world):
    from channel.services import selling_enablement

    w = world
    training = selling_enablement.add_training(w.user_manager, title="净水器安装", held_on=date(2026, 10, 20),
                                               product_id=w.product.id, certification_code="INSTALL")
    selling_enablement.record_attendance(w.user_manager, training.id, [w.NS.id, w.HZ.id])
    selling_enablement.certify(w.user_manager, seller_id=w.NS.id, code="install", passed=True,
                               certified_on=date(2026, 10, 21), expires_on=date(2027, 10, 21))
    selling_enablement.certify(w.user_manager, seller_id=w.HZ.id, code="install", passed=False,
                               certified_on=date(2026, 10, 21))
    selling_enablement.submit_application(w.user_manager, company="佛山顺达贸易有限公司", credit_code="91350100M000100Y43",
                                          contact_name="陈先生", territory_id=440600, level=3)
    selling_feedback.open_support_request(w.user_agent_sz, seller_id=w.SZ.id, subject="要海报", body="门店海报 10 张")
    selling_feedback.open_support_request(w.user_agent_zj, seller_id=w.ZJ.id, subject="要样机", body="一台")
    auth.login("manager")
    (tr,) = csv_rows(get(client, "/selling/trainings/export.csv"))
    assert (tr["日期"], tr["培训"], tr["产品编码"], tr["认证代码"], tr["参训人数"]) == ("2026-10-20", "净水器安装", "P1", "INSTALL", "2")
    (app_row,) = csv_rows(get(client, "/selling/applications/export.csv?status=pending"))
    assert (app_row["公司"], app_row["区划代码"], app_row["层级"], app_row["状态"]) == ("佛山顺达贸易有限公司", "440600", "3", "pending")
    assert csv_rows(get(client, "/selling/applications/export.csv?status=approved")) == []
    assert get(client, "/selling/applications/export.csv?status=nope").status_code == 400
    assert [r[1] for r in xlsx_rows(get(client, "/selling/certifications/export.xlsx"))[1:]] == ["HZ", "NS"]
    client.post("/logout")
    auth.login("agent_sz")
    (cert,) = csv_rows(get(client, "/selling/certifications/export.csv"))
    assert (cert["销售方编码"], cert["认证代码"], cert["通过"], cert["有效期至"]) == ("NS", "INSTALL", "True", "2027-10-21")
    (support,) = csv_rows(get(client, "/selling/support/export.csv"))
    assert (support["销售方编码"], support["主题"], support["状态"]) == ("SZ", "要海报", "open")
    assert csv_rows(get(client, "/selling/support/export.csv?status=answered")) == []
    assert get(client, "/selling/trainings/export.csv").status_code == 403
    assert get(client, "/selling/applications/export.csv").status_code == 403


def test_the_kpi_export_applies_day_and_team_within_the_scope(client, auth, world):
    w = world
    selling.log_activity(w.user_rep1, seller_id=w.REP1.id, kind="visit", customer_id=w.cust_rep1.id)
    today = selling.today_in_shanghai().isoformat()
    auth.login("rep1")
    rows = csv_rows(get(client, "/selling/kpi/export.csv"))
    visits = next(r for r in rows if r["指标"] == "visits")
    assert (visits["日期"], visits["销售方编码"], visits["当日实际"], visits["本周实际"]) == (today, "REP1", "1", "1")
    assert {r["销售方编码"] for r in rows} == {"REP1"}  # a rep alone: not its manager's other reps
    old = csv_rows(get(client, "/selling/kpi/export.csv?day=2020-01-06"))
    assert {r["当日实际"] for r in old} == {"0"}
    client.post("/logout")
    auth.login("manager")
    team = xlsx_rows(get(client, "/selling/kpi/export.xlsx?channel=direct&team=MGR2"))
    assert {r[1] for r in team[1:]} == {"MGR2", "REP3"}
    client.post("/logout")
    auth.login("agent_sz")
    assert get(client, "/selling/kpi/export.csv?channel=agent&team=HZ").status_code == 404


def test_the_target_export_is_for_managers(client, auth, world):
    selling.set_target(world.user_manager, metric="visits", period="week", target=5, channel="direct")
    selling.set_target(world.user_manager, metric="calls", period="day", target=3, seller_id=world.REP1.id)
    auth.login("manager")
    rows = csv_rows(get(client, "/selling/targets/export.csv"))
    assert [(r["渠道"], r["销售方编码"], r["指标"], r["周期"], r["目标"]) for r in rows] == [
        ("direct", "", "visits", "week", "5"), ("", "REP1", "calls", "day", "3")]
    client.post("/logout")
    auth.login("rep1")
    assert get(client, "/selling/targets/export.csv").status_code == 403


def test_the_customer_value_export_lists_every_customer_in_scope(client, auth, world):
    auth.login("manager")
    rows = csv_rows(get(client, "/selling/value/export.csv?as_of=2026-11-30"))
    assert (rows[0]["客户"], rows[0]["毛利（元）"], rows[0]["ABC 分类"], rows[0]["购买次数"]) == (
        "深圳南山华盛贸易有限公司", "4000.00", "A", "1")  # 2 × (¥3,000 − ¥1,000 cost)
    assert len(rows) == 5
    (th,) = csv_rows(get(client, "/selling/value/export.csv?as_of=2026-11-30&seller=GZ"))
    assert (th["客户"], th["毛利（元）"]) == ("广州天河宏达电器有限公司", "1800.00")
    assert csv_rows(get(client, "/selling/value/export.csv?as_of=2026-10-01")) == []  # before any order
    client.post("/logout")
    auth.login("agent_sz")
    assert [r[1] for r in xlsx_rows(get(client, "/selling/value/export.xlsx?as_of=2026-11-30"))[1:]] == ["深圳南山华盛贸易有限公司"]
    assert get(client, "/selling/value/export.csv?seller=HZ").status_code == 404


def test_the_policy_export_is_for_case_rulers(client, auth, world):
    from channel.services.conflicts_cases import add_policy

    add_policy(name="跨区罚款", action="forfeit", rule="cross_territory", penalty_fen=50050)
    auth.login("manager")
    rows = csv_rows(get(client, "/conflicts/policies/export.csv"))
    policy = next(r for r in rows if r["政策名称"] == "跨区罚款")
    assert (policy["适用规则"], policy["处理方式"], policy["罚款（元）"]) == ("cross_territory", "forfeit", "500.50")
    client.post("/logout")
    auth.login("agent_sz")
    assert get(client, "/conflicts/policies/export.csv").status_code == 403


def test_headers_follow_the_users_language(client, auth, world):
    add_job(world.user_agent_sz)
    auth.login("agent_sz")
    client.post("/lang/en", data={"next": "/"})
    (row,) = csv_rows(get(client, "/jobs/export.csv"))
    assert list(row)[:2] == ["Id", "Job"] and list(row)[4] == "Submitted (UTC)"


def test_an_activitys_kind_exports_as_the_table_shows_it_in_the_readers_language(client, auth, world):
    w = world
    selling.log_activity(w.user_rep1, seller_id=w.REP1.id, kind="call_first", customer_id=w.cust_rep1.id)
    auth.login("rep1")
    (row,) = csv_rows(get(client, "/selling/activities/export.csv"))
    assert row["类型"] == "电话（首次联系）"
    client.post("/lang/en", data={"next": "/selling"})
    assert "Call (first contact)" in client.get("/selling").get_data(as_text=True)
    (row,) = csv_rows(get(client, "/selling/activities/export.csv"))
    assert row["Kind"] == "Call (first contact)"


def test_a_column_of_one_customer_or_opportunity_is_headed_in_the_singular_in_english(client, auth, world):
    """The menu says Customers and Opportunities; an export's column of one per row says
    Customer and Opportunity, as the pages' tables do (msgctxt 'column')."""
    w = world
    selling.open_opportunity(w.user_rep1, customer_id=w.cust_rep1.id, title="二期")
    selling.log_activity(w.user_rep1, seller_id=w.REP1.id, kind="visit", customer_id=w.cust_rep1.id,
                         next_step="寄样机", next_due_on=date(2026, 12, 1))
    auth.login("manager")
    client.post("/lang/en", data={"next": "/"})
    for path in ("/orders/export.csv", "/selling/opportunities/export.csv?days=30", "/selling/activities/export.csv",
                 "/selling/tasks/export.csv", "/selling/value/export.csv", "/selling/feedback/export.csv"):
        response = get(client, path)
        assert response.status_code == 200, path
        header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert "Customer" in header and "Customers" not in header, (path, header)
    header = xlsx_rows(get(client, "/selling/opportunities/export.xlsx?days=30"))[0]
    assert "Opportunity" in header and "Opportunities" not in header
    client.post("/lang/zh", data={"next": "/"})
    header = next(csv.reader(io.StringIO(get(client, "/orders/export.csv").data.decode("utf-8-sig"))))
    assert "客户" in header  # Chinese unchanged


# ---- the buttons ---------------------------------------------------------------------------

@pytest.mark.parametrize("username, page, link", [
    ("finance", "/commissions/statements?period=2026-10", "/commissions/statements/export.csv?period=2026-10"),
    ("finance", "/commissions/statements", "/commissions/statements/export.xlsx?period="),
    ("manager", "/commissions/plans", "/commissions/plans/export.csv"),
    ("manager", "/commissions/runs", "/commissions/runs/export.xlsx"),
    ("agent_sz", "/jobs", "/jobs/export.csv"),
    ("admin", "/users", "/users/export.xlsx"),
    ("manager", "/imports", "/imports/export.csv"),
    ("agent_sz", "/conflicts/registrations", "/conflicts/registrations/export.csv"),
    ("agent_sz", "/payouts/mine", "/payouts/mine/export.xlsx"),
    ("manager", "/selling/opportunities?days=30", "/selling/opportunities/export.csv?days=30"),
    ("agent_sz", "/selling/feedback", "/selling/feedback/export.csv"),
    ("manager", "/pyramid?channel=direct&q=REP", "/sellers/export.csv?channel=direct\""),
    ("rep1", "/selling", "/selling/tasks/export.xlsx"),
    ("manager", "/selling/enablement", "/selling/applications/export.csv"),
    ("agent_sz", "/selling/enablement", "/selling/certifications/export.csv"),
    ("manager", "/conflicts/policies", "/conflicts/policies/export.xlsx"),
    ("manager", "/selling/kpi?day=2026-10-12&channel=direct&team=MGR", "/selling/kpi/export.csv?day=2026-10-12&channel=direct&team=MGR"),
    ("manager", "/selling/kpi?day=2026-10-12", "/selling/targets/export.xlsx\""),
    ("manager", "/selling/value?as_of=2026-11-30&seller=GZ", "/selling/value/export.csv?as_of=2026-11-30&seller=GZ"),
])
def test_each_list_page_links_its_exports_with_its_filters(client, auth, world, username, page, link):
    auth.login(username)
    text = client.get(page).get_data(as_text=True)
    assert link.replace("&", "&amp;") in text


def test_the_activities_export_link_drops_the_paging_cursor(client, auth, world):
    """The cursor is one of the user's activities (any other id is a 404)."""
    activity = selling.log_activity(world.user_rep1, seller_id=world.REP1.id, kind="visit",
                                    customer_id=world.cust_rep1.id)
    auth.login("rep1")
    assert '/selling/activities/export.csv"' in client.get(f"/selling?before={activity.id}").get_data(as_text=True)


def test_negative_amounts_export_as_numbers_without_an_apostrophe(client, auth, posted):  # noqa: F811
    """NS returns one of its two October units in November: its November statement claws back
    3 % of ¥3,000 = -¥90.00 (hand-computed). The CSV says -90.00 (no apostrophe), the XLSX holds
    the number -90 with the format 0.00 in the statement list and in the statement itself."""
    from channel.services.commissions_run import run_period
    from channel.services.orders import record_return

    w = posted
    record_return(return_no="R-NS", order_line_id=w.order_ns.lines[0].id, qty=1, return_date=date(2026, 11, 3))
    run_period("2026-11")
    auth.login("finance")
    rows = csv_rows(get(client, "/commissions/statements/export.csv?period=2026-11"))
    assert next(r for r in rows if r["收款方编码"] == "NS")["合计（元）"] == "-90.00"
    for url, code_column in (("/commissions/statements/export.xlsx?period=2026-11", 1),
                             (f"/commissions/statements/{w.NS.id}/2026-11/xlsx", None)):
        response = get(client, url)
        sheet = load_workbook(io.BytesIO(response.data)).active
        header = [c.value for c in sheet[1]]
        column = header.index("合计（元）" if code_column else "金额（元）") + 1
        cells = [sheet.cell(row, column) for row in range(2, sheet.max_row + 1)
                 if code_column is None or sheet.cell(row, code_column + 1).value == "NS"]
        cell = cells[-1] if code_column is None else cells[0]  # the statement's total row / NS's row
        assert (cell.value, cell.data_type, cell.number_format) == (-90, "n", "0.00")
    # formula-looking text is still neutralised in the same export
    w.NS.name = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    rows = csv_rows(get(client, "/commissions/statements/export.csv?period=2026-11"))
    assert next(r for r in rows if r["收款方编码"] == "NS")["收款方"] == "'=HYPERLINK(\"http://evil\")"
