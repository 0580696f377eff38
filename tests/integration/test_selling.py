"""Selling services on both backends: KPI counts across Shanghai day and week boundaries,
value aggregates in SQL, reminders, certifications, recruitment, feedback."""
from datetime import date, datetime, timedelta

import pytest

from channel.domain.errors import Conflict, DomainError, NotFound
from channel.services import selling, selling_enablement, selling_feedback, selling_value
from channel.services.orders import LineInput, record_order, record_return
from models import db
from models.selling import Certification, Task
from models.tree import TerritoryGrant
from sqlalchemy import func, select


def _call(w, user, seller, when_utc, kind="call_first", customer=None):
    return selling.log_activity(user, seller_id=seller.id, kind=kind,
                                customer_id=(customer or w.cust_rep1).id, occurred_at=when_utc)


def test_kpi_counts_follow_shanghai_days_and_iso_weeks_in_sql(world):
    w, mgr = world, world.user_mgr
    # Sunday 22 Nov 2026, 23:30 Shanghai = 15:30 UTC: Sunday, week of 16 Nov
    _call(w, mgr, w.REP1, datetime(2026, 11, 22, 15, 30))
    # Monday 23 Nov 00:30 Shanghai = Sunday 16:30 UTC: Monday, next week
    _call(w, mgr, w.REP1, datetime(2026, 11, 22, 16, 30), kind="call_follow")
    # Sunday 22 Nov 07:59 Shanghai = Saturday 23:59 UTC
    _call(w, mgr, w.REP1, datetime(2026, 11, 21, 23, 59), kind="visit")
    counts = selling.activity_counts([w.REP1.id], date(2026, 11, 16), date(2026, 11, 29))
    assert counts == {(w.REP1.id, date(2026, 11, 22), "call_first"): 1,
                      (w.REP1.id, date(2026, 11, 22), "visit"): 1,
                      (w.REP1.id, date(2026, 11, 23), "call_follow"): 1}
    selling.set_target(w.user_manager, metric="calls", period="day", target=60, channel="direct")
    selling.set_target(w.user_manager, metric="visits", period="week", target=5, channel="direct")
    board = selling.kpi_board(w.user_manager, day=date(2026, 11, 22), channel="direct", root_id=w.MGR.id)
    row = next(r for r in board["rows"] if r.seller_id == w.REP1.id)
    assert (row.day["calls"].actual, row.day["calls"].target) == (1, 60)
    assert (row.week["calls"].actual, row.week["visits"].actual, row.week["visits"].target) == (1, 1, 5)
    assert board["total"].week["calls"].actual == 1
    monday = selling.kpi_board(w.user_manager, day=date(2026, 11, 23), channel="direct", root_id=w.MGR.id)
    row = next(r for r in monday["rows"] if r.seller_id == w.REP1.id)
    assert (row.day["calls"].actual, row.week["calls"].actual, row.week["first_contacts"].actual) == (1, 1, 0)
    assert board["trend"]["calls"][-1] == 1 and monday["trend"]["calls"][-1] == 1


def test_a_personal_target_replaces_the_roles_and_is_set_only_by_managers(world):
    w = world
    selling.set_target(w.user_manager, metric="calls", period="day", target=60, channel="direct")
    selling.set_target(w.user_manager, metric="calls", period="day", target=30, seller_id=w.REP1.id)
    selling.set_target(w.user_manager, metric="calls", period="day", target=35, seller_id=w.REP1.id)
    assert db.session.scalar(select(func.count()).select_from(selling.KpiTarget)) == 2
    board = selling.kpi_board(w.user_manager, day=date(2026, 11, 22), channel="direct", root_id=w.MGR.id)
    targets = {r.seller_id: r.day["calls"].target for r in board["rows"]}
    assert targets[w.REP1.id] == 35 and targets[w.REP2.id] == 60
    with pytest.raises(DomainError):
        selling.set_target(w.user_rep1, metric="calls", period="day", target=1, channel="direct")


def test_the_board_of_an_agent_shows_only_its_downline(world):
    board = selling.kpi_board(world.user_agent_sz, day=date(2026, 11, 22), channel="agent")
    assert {r.seller_id for r in board["rows"]} == {world.SZ.id, world.NS.id}
    with pytest.raises(NotFound):
        selling.kpi_board(world.user_agent_sz, day=date(2026, 11, 22), channel="agent", root_id=world.GZ.id)


def test_a_next_step_becomes_a_task_due_the_next_shanghai_day_and_can_be_done(world):
    w = world
    activity = selling.log_activity(w.user_rep1, seller_id=w.REP1.id, kind="call_first", customer_id=w.cust_rep1.id,
                                    occurred_at=datetime(2026, 11, 22, 17, 0), outcome="感兴趣", next_step="发报价")
    tasks = selling.open_tasks(w.user_rep1)
    assert [(t.title, t.due_on, t.activity_id) for t in tasks] == [("发报价", date(2026, 11, 24), activity.id)]
    assert selling.open_tasks(w.user_rep3) == []
    with pytest.raises(NotFound):
        selling.complete_task(w.user_rep3, tasks[0].id)
    selling.complete_task(w.user_rep1, tasks[0].id)
    assert selling.open_tasks(w.user_rep1) == []


def test_an_agent_cannot_log_for_or_about_another_branch(world):
    w = world
    with pytest.raises(NotFound):
        selling.log_activity(w.user_agent_sz, seller_id=w.GZ.id, kind="visit", customer_id=w.cust_ns.id)
    with pytest.raises(NotFound):
        selling.log_activity(w.user_agent_sz, seller_id=w.SZ.id, kind="visit", customer_id=w.cust_th.id)
    selling.log_activity(w.user_agent_sz, seller_id=w.NS.id, kind="visit", customer_id=w.cust_ns.id)
    assert [a.seller_id for a in selling.recent_activities(w.user_agent_gd)] == [w.NS.id]
    assert selling.recent_activities(w.user_agent_zj) == []


def test_opportunity_report_flags_missing_decision_maker_and_stale_contact(world):
    w = world
    stale = selling.open_opportunity(w.user_rep1, customer_id=w.cust_rep1.id, title="二期", amount_fen=100000)
    selling.add_contact(w.user_rep3, customer_id=w.cust_rep3.id, name="王总", role="decision_maker")
    fresh = selling.open_opportunity(w.user_rep3, customer_id=w.cust_rep3.id, title="换新")
    selling.log_activity(w.user_rep3, seller_id=w.REP3.id, kind="visit", customer_id=w.cust_rep3.id,
                         occurred_at=datetime(2026, 11, 20, 2, 0))
    report = selling.opportunity_report(w.user_manager, days=14, today=date(2026, 11, 30))
    assert [r["opportunity"].id for r in report] == [stale.id]
    assert report[0]["has_decision_maker"] is False and report[0]["stale"] is True
    later = selling.opportunity_report(w.user_manager, days=5, today=date(2026, 11, 30))
    assert {r["opportunity"].id for r in later} == {stale.id, fresh.id}
    won = next(s for s in selling.stages() if s.won)
    selling.move_opportunity(w.user_rep1, stale.id, won.id)
    assert [r["opportunity"].id for r in selling.opportunity_report(w.user_manager, days=5, today=date(2026, 11, 30))] == [fresh.id]
    assert selling.opportunity_report(w.user_rep1, days=5, today=date(2026, 11, 30)) == []


def test_gross_profit_per_customer_nets_returns_in_sql(world):
    w = world
    # a second order for cust_ns: 3 units at ¥2,600 (cost ¥1,000), one unit returned for ¥2,600
    order = record_order(order_no="SO-NS-2", kind="sell_out", seller_id=w.NS.id, customer_id=w.cust_ns.id,
                         ship_to_district_id=440305, order_date=date(2026, 11, 2),
                         lines=[LineInput(w.product.id, 3, 260000)])
    record_return(return_no="R-1", order_line_id=order.lines[0].id, qty=1,
                  return_date=date(2026, 11, 5))
    figures = selling_value.customer_figures(w.user_manager)
    # first order 2×(3000−1000)=4000; second 3×(2600−1000)=4800 less (2600−1000)=1600 back: 3200
    assert figures[w.cust_ns.id] == (2, 720000, date(2026, 11, 2))
    assert figures[w.cust_th.id] == (1, 180000, date(2026, 10, 8))
    gd = selling_value.customer_figures(w.user_agent_gd)
    assert set(gd) == {w.cust_ns.id, w.cust_th.id}
    team = selling_value.customer_figures(w.user_manager, seller_id=w.SZ.id)
    assert set(team) == {w.cust_ns.id}
    with pytest.raises(NotFound):
        selling_value.customer_figures(w.user_agent_sz, seller_id=w.GZ.id)
    report = selling_value.value_report(w.user_manager, as_of=date(2026, 11, 30))
    assert report["repeat"].repeat_customers == 1 and report["repeat"].customers == 5
    assert report["abc"][0].customer_id == w.cust_ns.id and report["abc"][0].klass == "A"


def test_reminders_for_stale_high_value_customers_and_greetings_are_made_once(world):
    w = world
    selling.add_contact(w.user_rep1, customer_id=w.cust_rep1.id, name="李经理", role="acceptor",
                        birthday=date(1980, 12, 1))
    selling.add_greeting(w.user_manager, name="元旦", month=1, day=1)
    made = selling.generate_reminders(today=date(2026, 12, 1), stale_days=30, high_value_ids=[w.cust_ns.id, w.cust_rep1.id])
    assert made == {"maintenance": 2, "greeting": 1}
    assert selling.generate_reminders(today=date(2026, 12, 1), stale_days=30,
                                      high_value_ids=[w.cust_ns.id, w.cust_rep1.id]) == {"maintenance": 0, "greeting": 0}
    titles = sorted(t.title for t in selling.open_tasks(w.user_rep1))
    assert titles == ["回访高价值客户 上海浦东金诚实业有限公司", "祝 李经理 生日快乐"]
    new_year = selling.generate_reminders(today=date(2027, 1, 1), stale_days=30, high_value_ids=[])
    assert new_year == {"maintenance": 0, "greeting": 1}
    # a contact made recently keeps the customer off the maintenance list
    selling.log_activity(w.user_rep1, seller_id=w.REP1.id, kind="visit", customer_id=w.cust_rep1.id)
    assert selling.generate_reminders(today=selling.today_in_shanghai() + timedelta(days=10), stale_days=30,
                                      high_value_ids=[w.cust_rep1.id])["maintenance"] == 0


def test_certification_rows_follow_the_contract_and_expire(world):
    w = world
    selling_enablement.certify(w.user_manager, seller_id=w.NS.id, code="pro", passed=True,
                               certified_on=date(2026, 1, 1), expires_on=date(2027, 1, 1))
    selling_enablement.certify(w.user_manager, seller_id=w.TH.id, code="PRO", passed=False, certified_on=date(2026, 1, 1))
    row = db.session.scalar(select(Certification).where(Certification.seller_id == w.NS.id))
    assert (row.code, row.passed, row.expires_on) == ("PRO", True, date(2027, 1, 1))
    assert selling_enablement.holds_certification(w.NS.id, "PRO", date(2026, 12, 31))
    assert not selling_enablement.holds_certification(w.NS.id, "PRO", date(2027, 1, 1))
    assert not selling_enablement.holds_certification(w.NS.id, "PRO", date(2025, 12, 31))
    assert not selling_enablement.holds_certification(w.TH.id, "PRO", date(2026, 6, 1))
    assert [c.seller_id for c in selling_enablement.certifications(w.user_agent_sz)] == [w.NS.id]
    with pytest.raises(DomainError):
        selling_enablement.certify(w.user_agent_gd, seller_id=w.NS.id, code="PRO", passed=True, certified_on=date(2026, 1, 1))


def test_an_application_for_a_free_territory_is_approved_into_an_agent_with_its_grant(world):
    w = world
    application = selling_enablement.submit_application(
        w.user_manager, company="佛山顺达贸易有限公司", credit_code="91350100M000100Y43", contact_name="陈先生",
        territory_id=440600, level=3, capacity="10 人团队")
    assert selling_enablement.exclusive_holders(440600, date(2026, 12, 1)) == []
    seller = selling_enablement.approve_application(
        w.user_manager, application.id, code="FS", parent_id=w.GD.id, contract_from=date(2026, 12, 1),
        contract_to=date(2027, 12, 1), deposit_fen=5000000)
    assert (seller.channel, seller.level, seller.parent_id, seller.credit_code) == ("agent", 3, w.GD.id, "91350100M000100Y43")
    grant = db.session.scalar(select(TerritoryGrant).where(TerritoryGrant.seller_id == seller.id))
    assert (grant.territory_id, grant.exclusive, grant.valid_to) == (440600, True, date(2027, 12, 1))
    assert application.status == "approved" and application.deposit_fen == 5000000
    with pytest.raises(Conflict):
        selling_enablement.decline_application(w.user_manager, application.id, reason="重复")


def test_an_application_for_a_territory_under_an_exclusive_grant_is_refused_and_nothing_is_created(world):
    w = world
    application = selling_enablement.submit_application(
        w.user_manager, company="深圳福田新贸易有限公司", credit_code="91350100M000100Y43", contact_name="林女士",
        territory_id=440304, level=4)
    holders = selling_enablement.exclusive_holders(440304, date(2026, 12, 1))
    assert [g.seller_id for g in holders] == [w.SZ.id]
    with pytest.raises(Conflict):
        selling_enablement.approve_application(w.user_manager, application.id, code="FT", parent_id=w.SZ.id,
                                               contract_from=date(2026, 12, 1), contract_to=None, deposit_fen=0)
    assert selling_enablement.get_application(application.id).status == "pending"
    from models.tree import Seller
    assert db.session.scalar(select(Seller).where(Seller.code == "FT")) is None
    selling_enablement.decline_application(w.user_manager, application.id, reason="区域已有独家代理")
    assert selling_enablement.get_application(application.id).reason == "区域已有独家代理"


def test_an_invalid_credit_code_is_refused(world):
    with pytest.raises(DomainError) as error:
        selling_enablement.submit_application(world.user_manager, company="x", credit_code="91350100M000100Y44",
                                              contact_name="y", territory_id=440600, level=3)
    assert error.value.field == "credit_code"


def test_a_feedback_status_change_is_visible_to_the_seller(world):
    from models.users import User

    w = world
    pm = User(username="pm", display_name="PM", role="product_manager")
    pm.set_password("secret-pass")
    db.session.add(pm)
    db.session.commit()
    item = selling_feedback.record_feedback(w.user_agent_sz, seller_id=w.NS.id, product_id=w.product.id,
                                            customer_id=w.cust_ns.id, body="希望有更大容量的滤芯", is_request=True)
    selling_feedback.record_feedback(w.user_rep1, seller_id=w.REP1.id, product_id=w.product.id, body="噪音大",
                                    customer_id=w.cust_rep1.id)
    groups = selling_feedback.feedback_by_product(pm)
    assert groups[0]["total"] == 2 and groups[0]["channels"] == {"agent": 1, "direct": 1}
    assert {(pid, name): n for pid, name, n in groups[0]["places"]} == {(440000, "广东省"): 1, (310000, "上海市"): 1}
    assert groups[0]["kinds"] == {"request": 1, "feedback": 1}
    selling_feedback.set_feedback_status(pm, item.id, status="planned", reply="第二季度上线")
    seen = selling_feedback.feedback_list(w.user_agent_sz, customer_id=w.cust_ns.id)
    assert [(f.status, f.reply) for f in seen] == [("planned", "第二季度上线")]
    assert selling_feedback.feedback_list(w.user_agent_zj) == []
    with pytest.raises(DomainError):
        selling_feedback.set_feedback_status(w.user_agent_sz, item.id, status="done", reply="")
    with pytest.raises(DomainError):
        selling_feedback.set_feedback_status(pm, item.id, status="open", reply="")


def test_support_requests_are_seen_by_their_agent_and_answered_by_managers(world):
    w = world
    item = selling_feedback.open_support_request(w.user_agent_sz, seller_id=w.SZ.id, subject="样机", body="需要两台样机")
    assert [r.id for r in selling_feedback.support_requests(w.user_agent_gd)] == [item.id]
    assert selling_feedback.support_requests(w.user_agent_zj) == []
    with pytest.raises(NotFound):
        selling_feedback.open_support_request(w.user_agent_sz, seller_id=w.GZ.id, subject="x", body="y")
    selling_feedback.answer_support_request(w.user_manager, item.id, answer="下周寄出")
    assert selling_feedback.support_requests(w.user_agent_sz)[0].answer == "下周寄出"


def test_trainings_record_attendance_once(world):
    w = world
    training = selling_enablement.add_training(w.user_manager, title="净水器安装", held_on=date(2026, 11, 1),
                                               product_id=w.product.id, certification_code="INSTALL")
    assert selling_enablement.record_attendance(w.user_manager, training.id, [w.NS.id, w.TH.id, w.NS.id]) == 2
    assert selling_enablement.record_attendance(w.user_manager, training.id, [w.NS.id]) == 0
    assert [s.code for s in selling_enablement.attendees(training.id)] == ["NS", "TH"]


def test_the_reminders_command_runs_for_a_given_day(app, world):
    selling.add_contact(world.user_rep1, customer_id=world.cust_rep1.id, name="李经理", role="acceptor",
                        birthday=date(1980, 12, 1))
    result = app.test_cli_runner().invoke(args=["selling", "reminders", "--on", "2026-12-01", "--stale-days", "30"])
    assert result.exit_code == 0, result.output
    assert "1 greeting" in result.output and "1 greetings" not in result.output
    assert db.session.scalar(select(func.count()).select_from(Task)) >= 1


def test_the_selling_demo_loads_once_over_a_company(world):
    from channel.services.selling_demo import load_selling_demo

    counts = load_selling_demo(today=date(2026, 11, 27))
    assert counts["activities"] > 0 and counts["contacts"] > 0
    board = selling.kpi_board(world.user_manager, day=date(2026, 11, 26), channel="direct")
    assert board["total"].week["calls"].actual > 0
    with pytest.raises(DomainError):
        load_selling_demo(today=date(2026, 11, 27))


@pytest.mark.parametrize("args, says", [
    (["--on", "2026-13-01"], "YYYY-MM-DD"),        # was a ValueError traceback
    (["--on", "9999-12-31"], "日期超出范围"),        # made every class-A customer a task due in 9999
    (["--stale-days", "-1"], "--stale-days"),      # the value page's form refuses it too (1-3650)
    (["--stale-days", "0"], "--stale-days"),
])
def test_the_reminders_command_refuses_a_bad_day_or_stale_days_and_makes_nothing(app, world, args, says):
    result = app.test_cli_runner().invoke(args=["selling", "reminders", *args])
    assert result.exit_code == 2 and says in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert db.session.scalar(select(func.count()).select_from(Task)) == 0
