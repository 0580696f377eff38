"""QA findings of session 11 on the selling forms and the seller page: bad input re-renders the
form with a field error and saves nothing, never a 500."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from channel.domain.errors import NotFound
from channel.services import selling, tree
from models import db
from models.ops import AuditEvent
from models.selling import Activity, Feedback, KpiTarget, Opportunity, OpportunityStage, Task
from models.tree import Seller, SellerMove, TerritoryGrant

HUGE_IDS = ["99999999999999999999", "9223372036854775808", "2147483648"]


def count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def field_errors(response) -> str:
    page = response.get_data(as_text=True)
    assert "field-error" in page
    return page


# 1. opportunity amounts


@pytest.mark.parametrize("amount, message", [
    ("12.345", "最多两位小数"), ("Infinity", "不是一个金额"), ("1e30", "不是一个金额"), ("1,00", "不是一个金额"),
    ("99999999999999999", "金额过大"), ("-1", "金额不能为负数"), ("abc", "不是一个金额"),
])
def test_a_bad_opportunity_amount_is_a_field_error_and_nothing_is_saved(client, auth, world, amount, message):
    auth.login("rep1")
    stage = selling.stages()[0]
    response = client.post(f"/customers/{world.cust_rep1.id}/opportunities",
                           data={"title": "年度采购", "stage_id": stage.id, "amount": amount})
    assert response.status_code == 400
    assert message in field_errors(response)
    assert count(Opportunity) == 0


def test_an_opportunity_amount_with_two_decimals_is_saved_in_fen(client, auth, world):
    auth.login("rep1")
    response = client.post(f"/customers/{world.cust_rep1.id}/opportunities",
                           data={"title": "年度采购", "stage_id": selling.stages()[0].id, "amount": "1,234.56"})
    assert response.status_code == 302
    assert db.session.scalar(select(Opportunity.amount_fen)) == 123456


# 2. customer and contact references


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_an_out_of_range_customer_or_contact_number_says_no_such_customer(client, auth, world, huge):
    auth.login("rep1")
    response = client.post("/selling/activities", data={"kind": "visit", "customer_id": huge})
    assert response.status_code == 404 and "没有这个客户" in field_errors(response)
    response = client.post("/selling/activities", data={"kind": "visit", "customer_id": world.cust_rep1.id,
                                                        "contact_id": huge})
    assert response.status_code == 400 and "该联系人不属于这个客户" in field_errors(response)
    response = client.post("/selling/feedback", data={"product_sku": "P1", "customer_id": huge, "body": "贵"})
    assert response.status_code == 404 and "没有这个客户" in field_errors(response)
    assert count(Activity) == 0 and count(Feedback) == 0


def test_a_customer_of_another_branch_reads_like_one_that_does_not_exist(client, auth, world):
    auth.login("rep1")
    other = client.post("/selling/activities", data={"kind": "visit", "customer_id": world.cust_rep3.id})
    missing = client.post("/selling/activities", data={"kind": "visit", "customer_id": "C9999999"})
    assert other.status_code == missing.status_code == 404
    assert "没有这个客户" in field_errors(other) and "没有这个客户" in field_errors(missing)
    assert count(Activity) == 0


def test_reps_may_name_the_customer_by_its_code_as_the_pages_show_it(client, auth, world):
    world.cust_rep1.code = "C0000099"
    db.session.commit()
    auth.login("rep1")
    assert client.post("/selling/activities", data={"kind": "visit", "customer_id": "C0000099"}).status_code == 302
    assert client.post("/selling/activities", data={"kind": "visit", "customer_id": "c0000099"}).status_code == 302
    assert client.post("/selling/activities", data={"kind": "visit",
                                                    "customer_id": str(world.cust_rep1.id)}).status_code == 302
    assert client.post("/selling/feedback", data={"product_sku": "P1", "customer_id": "C0000099",
                                                  "body": "贵"}).status_code == 302
    assert count(Activity, Activity.customer_id == world.cust_rep1.id) == 3
    assert count(Feedback, Feedback.customer_id == world.cust_rep1.id) == 1


def test_a_customer_code_stored_in_mixed_case_is_found_as_typed_in_any_case(client, auth, world):
    """It tried the code as typed and in upper case only: 'c-ns' missed the stored 'C-Ns'."""
    world.cust_rep1.code = "C-Ns"
    db.session.commit()
    assert selling.customer_by_ref(world.user_rep1, " c-ns ") == world.cust_rep1.id
    auth.login("rep1")
    for typed in ("c-ns", "C-NS", "C-Ns"):
        assert client.post("/selling/activities", data={"kind": "visit", "customer_id": typed}).status_code == 302
    assert count(Activity, Activity.customer_id == world.cust_rep1.id) == 3


# 4. activity times, due dates and the order of recent activities


@pytest.mark.parametrize("data, message", [
    ({"occurred_at": "2030-01-01T10:00"}, "活动时间不能晚于现在"),
    ({"occurred_at": "1970-01-01T00:00"}, "活动时间不能早于一年前"),
    ({"occurred_at": "2026-13-01T10:00"}, "时间无效"),
    ({"next_step": "回访", "next_due_on": "2020-01-01"}, "截止日期不能早于今天"),
    ({"next_step": "回访", "next_due_on": "2026-02-30"}, "日期无效"),
])
def test_activity_times_in_the_future_or_far_past_and_past_due_dates_are_refused(app, client, auth, world, data,
                                                                                message):
    app.config["SELLING_ACTIVITY_MAX_AGE_DAYS"] = 366  # the default (the test config widens it)
    auth.login("rep1")
    response = client.post("/selling/activities", data={"kind": "visit", "customer_id": world.cust_rep1.id, **data})
    assert response.status_code == 400
    assert message in field_errors(response)
    assert count(Activity) == 0 and count(Task) == 0


def test_recent_activities_are_ordered_by_time_then_id(client, auth, world):
    now = datetime.utcnow().replace(microsecond=0)
    log = lambda when, outcome: selling.log_activity(  # noqa: E731
        world.user_rep1, seller_id=world.REP1.id, kind="visit", customer_id=world.cust_rep1.id, occurred_at=when,
        outcome=outcome)
    later = log(now - timedelta(hours=1), "后发生")
    earlier = log(now - timedelta(days=3), "先发生")  # logged after, happened before
    tied = log(now - timedelta(hours=1), "同时")
    assert [a.id for a in selling.recent_activities(world.user_rep1)] == [tied.id, later.id, earlier.id]
    assert [a.id for a in selling.recent_activities(world.user_rep1, before_id=later.id)] == [earlier.id]
    for missing in (2**40, 2**31 - 2):  # no row: the answer of an activity outside the scope
        with pytest.raises(NotFound):
            selling.recent_activities(world.user_rep1, before_id=missing)
    auth.login("rep1")
    page = client.get("/selling").get_data(as_text=True)
    assert page.index("同时") < page.index("后发生") < page.index("先发生")


def test_the_paging_cursor_of_the_activities_is_refused_by_id_outside_the_scope(client, auth, world):
    """?before=<id> looked any activity up (only its time was used): rep1 paged by rep3's."""
    now = datetime.utcnow().replace(microsecond=0)
    theirs = selling.log_activity(world.user_rep3, seller_id=world.REP3.id, kind="visit",
                                  customer_id=world.cust_rep3.id, occurred_at=now - timedelta(hours=1), outcome="别家的")
    mine = selling.log_activity(world.user_rep1, seller_id=world.REP1.id, kind="visit",
                                customer_id=world.cust_rep1.id, occurred_at=now - timedelta(days=1), outcome="自己的")
    auth.login("rep1")
    assert client.get(f"/selling?before={theirs.id}").status_code == 404
    with pytest.raises(NotFound):
        selling.recent_activities(world.user_rep1, before_id=theirs.id)
    assert client.get(f"/selling?before={mine.id}").status_code == 200


# 5. KPI targets and stages


def test_a_target_of_zero_is_accepted(client, auth, world):
    auth.login("manager")
    response = client.post("/selling/targets", data={"scope": "direct", "metric": "calls", "period": "day",
                                                     "target": "0"})
    assert response.status_code == 302
    assert db.session.scalar(select(KpiTarget.target)) == 0


@pytest.mark.parametrize("data, message", [
    ({"scope": "seller", "seller_code": ""}, "个人目标请填写销售方编码"),
    ({"scope": "seller", "seller_code": "NOPE"}, "没有编码为 NOPE 的销售方"),
    ({"target": ""}, "请填写目标"),
    ({"target": "abc"}, "请填写整数"),
    ({"target": "100001"}, "目标必须在 0 到 100000 之间"),
    ({"target": "-1"}, "目标必须在 0 到 100000 之间"),
])
def test_each_target_mistake_has_its_own_field_error(client, auth, world, data, message):
    auth.login("manager")
    response = client.post("/selling/targets", data={"scope": "direct", "metric": "calls", "period": "day",
                                                     "target": "5", **data})
    assert response.status_code == 400
    page = field_errors(response)
    assert message in page and "目标无效" not in page
    assert count(KpiTarget) == 0


@pytest.mark.parametrize("data, message", [
    ({"won": "y"}, "赢单阶段也是结束阶段"),
    ({"name": ""}, "field-error"),
    ({"position": ""}, "请填写顺序"),
    ({"position": "x"}, "请填写整数"),
    ({"position": "-5"}, "顺序不能为负数"),
    ({"name": "发现需求"}, "阶段 发现需求 已存在"),
])
def test_each_stage_mistake_has_its_own_field_error(client, auth, world, data, message):
    before = len(selling.stages())
    auth.login("manager")
    response = client.post("/selling/stages", data={"name": "试用", "position": "0", **data})
    assert response.status_code == 400
    page = field_errors(response)
    assert message in page and "阶段无效" not in page
    assert count(OpportunityStage) == before


def test_a_won_and_closed_stage_at_position_zero_is_accepted(client, auth, world):
    auth.login("manager")
    response = client.post("/selling/stages", data={"name": "试用赢单", "position": "0", "won": "y", "closed": "y"})
    assert response.status_code == 302
    stage = db.session.scalar(select(OpportunityStage).where(OpportunityStage.name == "试用赢单"))
    assert stage.won and stage.closed and stage.position == 0


# 3. exclusive grants at every level


def test_an_exclusive_grant_of_the_whole_country_is_refused_when_a_city_is_held(client, auth, world):
    auth.login("manager")
    before = count(TerritoryGrant)
    response = client.post(f"/sellers/{world.TH.id}/grants", data={
        "grant-territory_code": "100000", "grant-exclusive": "y", "grant-valid_from": "2026-01-01"})
    assert response.status_code == 400
    page = field_errors(response)
    assert "独家授权重叠" in page
    assert count(TerritoryGrant) == before


# 6. deactivated sellers


def test_deactivation_ends_the_sellers_grants_and_frees_its_city(client, auth, world):
    auth.login("manager")
    day = date.today()
    response = client.post(f"/sellers/{world.HZ.id}/deactivate", data={"deactivate-effective_on": day.isoformat()})
    assert response.status_code == 302
    grant = db.session.scalar(select(TerritoryGrant).where(TerritoryGrant.seller_id == world.HZ.id))
    assert grant.valid_to == day
    assert count(AuditEvent, AuditEvent.action == "territory.end", AuditEvent.object_id == str(world.HZ.id)) == 1
    page = client.get(f"/sellers/{world.HZ.id}").get_data(as_text=True)
    assert f"{grant.valid_from} → {day}" in page
    # the city is free from that day for another exclusive agent
    tree.grant_territory(world.SZ.id, 330100, exclusive=True, valid_from=day)


def test_a_deactivated_seller_cannot_be_moved(client, auth, world):
    tree.deactivate_seller(world.TH.id, date.today())
    moves = count(SellerMove)
    auth.login("manager")
    response = client.post(f"/sellers/{world.TH.id}/move", data={"move-parent_code": "SZ",
                                                                 "move-effective_on": date.today().isoformat()})
    assert response.status_code == 400
    assert "它已停用，不能调整上级" in field_errors(response)
    assert db.session.get(Seller, world.TH.id).parent_id == world.GZ.id and count(SellerMove) == moves


# 7. the seller page


def test_the_upline_history_names_the_uplines_by_code_and_name(client, auth, world):
    tree.move_seller(world.SZ.id, world.ZJ.id, date.today(), moved_by_id=world.user_manager.id)
    auth.login("manager")
    page = client.get(f"/sellers/{world.SZ.id}").get_data(as_text=True)
    assert "GD 广东省代 → ZJ 浙江省代" in page


@pytest.mark.parametrize("path, data", [
    ("move", {"move-parent_code": "ZJ", "move-effective_on": "2026-02-30"}),
    ("deactivate", {"deactivate-effective_on": "not-a-date"}),
])
def test_an_invalid_date_in_the_move_and_deactivate_forms_says_so(client, auth, world, path, data):
    auth.login("manager")
    response = client.post(f"/sellers/{world.SZ.id}/{path}", data=data)
    assert response.status_code == 400
    page = field_errors(response)
    assert "日期无效" in page and "必填" not in page
    assert db.session.get(Seller, world.SZ.id).parent_id == world.GD.id and db.session.get(Seller, world.SZ.id).active
