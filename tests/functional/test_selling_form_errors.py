"""Selling forms: bad input is said beside its field (or, for an inline form of a list, in
a message naming the field), keeps what was typed, never a bare 400."""
from datetime import datetime

import pytest
from sqlalchemy import func, select

from channel.services import selling, selling_feedback
from models import db
from models.selling import Greeting


def test_a_bad_holiday_is_said_beside_its_field_and_keeps_what_was_typed(client, auth, world):
    """It redirected with "日期无效" for any mistake, an empty name or month 13 alike, and lost the form."""
    auth.login("manager")
    for data, field, says in [({"name": "中秋节", "month": "13", "day": "1"}, "month", "月份必须在 1 到 12 之间"),
                              ({"name": "中秋节", "month": "2", "day": "30"}, "day", "日期无效"),
                              ({"name": "中秋节", "month": "abc", "day": "1"}, "month", "请填写整数"),
                              ({"name": "", "month": "8", "day": "15"}, "name", "")]:
        response = client.post("/selling/greetings", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, data
        block = page.split(f'id="{field}"')[1].split('<div class="mb-2')[0]
        assert "field-error" in block and says in block, data
        assert f'value="{data["name"]}"' in page
    assert db.session.scalar(select(func.count()).select_from(Greeting)) == 0
    assert client.post("/selling/greetings", data={"name": "中秋节", "month": "9", "day": "25"}).status_code == 302


@pytest.mark.parametrize("url, data, field", [
    ("/selling/trainings", {"title": "新品培训", "held_on": "2026-13-01"}, "held_on"),
    ("/selling/certifications", {"seller_code": "SZ", "code": "PRODUCT-101", "certified_on": "abc"}, "certified_on"),
    ("/selling/certifications", {"seller_code": "SZ", "code": "PRODUCT-101", "certified_on": "2026-11-01",
                                 "expires_on": "2026-02-30"}, "expires_on"),
])
def test_an_unreadable_enablement_date_says_so_not_that_the_field_is_required(client, auth, world, url, data, field):
    auth.login("manager")
    response = client.post(url, data=data)
    block = response.get_data(as_text=True).split(f'id="{field}"')[1].split('<div class="mb-2')[0]
    assert response.status_code == 400 and "日期无效" in block and "必填" not in block


@pytest.mark.parametrize("level, says", [("abc", "请填写整数"), ("-2", "意向层级最小为 1"), ("", "请填写意向层级")])
def test_a_bad_application_level_says_what_is_wrong(client, auth, world, level, says):
    auth.login("manager")
    response = client.post("/selling/applications", data={
        "company": "佛山顺达贸易有限公司", "credit_code": "91350100M000100Y43", "contact_name": "陈先生",
        "territory_code": "440600", "level": level})
    page = response.get_data(as_text=True)
    block = page.split('id="level"')[1].split('<div class="mb-2')[0]
    assert response.status_code == 400 and says in block and "佛山顺达贸易有限公司" in page


def test_a_contact_birthday_that_is_no_date_says_so(client, auth, world):
    auth.login("rep1")
    response = client.post(f"/customers/{world.cust_rep1.id}/contacts",
                           data={"name": "王工", "role": "acceptor", "birthday": "1990-02-30"})
    block = response.get_data(as_text=True).split('id="birthday"')[1].split('<div class="mb-2')[0]
    assert response.status_code == 400 and "日期无效" in block


def test_a_bad_support_answer_names_the_field_at_fault(client, auth, world):
    support = selling_feedback.open_support_request(world.user_agent_sz, seller_id=world.NS.id, subject="缺货", body="补货")
    auth.login("manager")
    page = client.post(f"/selling/support/{support.id}/answer", data={"answer": "已补", "status": "bogus"},
                       follow_redirects=True).get_data(as_text=True)
    alert = page.split("alert-danger")[1].split("</div>")[0]
    assert "状态" in alert and "请填写答复" not in alert  # it said "fill in the reply" though one was given


def test_a_stage_posted_by_hand_outside_the_choices_says_no_such_stage(client, auth, world):
    """It answered a bare 400 "The request could not be understood."."""
    opp = selling.open_opportunity(world.user_manager, customer_id=world.cust_rep1.id, title="大单")
    auth.login("rep1")
    for stage in ("abc", "999999", "99999999999999999999"):
        response = client.post(f"/opportunities/{opp.id}/stage", data={"stage_id": stage})
        assert response.status_code == 400 and "没有这个阶段" in response.get_data(as_text=True), stage
    auth.logout()
    auth.login("rep3")  # not rep3's: refused before the stage is looked at
    assert client.post(f"/opportunities/{opp.id}/stage", data={"stage_id": "abc"}).status_code == 404


def test_an_empty_attendance_says_which_field_is_missing(client, auth, world):
    from channel.services import selling_enablement

    training = selling_enablement.add_training(world.user_manager, title="新品培训", held_on=datetime(2026, 11, 2).date())
    auth.login("manager")
    response = client.post(f"/selling/trainings/{training.id}/attendance", data={"seller_codes": " "},
                           follow_redirects=True)
    alert = response.get_data(as_text=True).split("alert-danger")[1].split("</div>")[0]
    assert response.status_code == 200 and "出席的销售方编码" in alert
