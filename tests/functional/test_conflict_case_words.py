"""The case and policy pages: a hand-made policy or assignee value is a clear translated error
beside its field (not WTForms' "could not coerce" / "Not a valid choice"), and the pages name
one order, one customer and the policies right in English and Chinese."""
import re

import pytest
from sqlalchemy import func, select

from models import db
from models.conflicts import ConflictCase, ConflictEvent
from tests.functional.test_conflict_form_checks import errors_by_field
from tests.functional.test_conflict_pages import leak  # noqa: F401  (fixture)


def english(client):
    client.post("/lang/en", data={"next": "/"})


@pytest.mark.parametrize("value", ["abc", "", "1.5", "-1", "99999999999999999999", "٣"])
def test_a_hand_made_policy_value_is_a_clear_error_beside_the_field(client, auth, leak, value):
    world, line, cross, price = leak
    auth.login("manager")
    response = client.post(f"/conflicts/cases/{cross.id}/policy", data={"policy-policy": value})
    assert response.status_code == 400
    assert errors_by_field(response.get_data(as_text=True)) == {"policy-policy": ["请从列表中选择处理政策。"]}
    english(client)
    response = client.post(f"/conflicts/cases/{cross.id}/policy", data={"policy-policy": value})
    assert errors_by_field(response.get_data(as_text=True)) == {"policy-policy": ["Choose a policy from the list."]}
    db.session.expire_all()
    assert db.session.get(ConflictCase, cross.id).policy_id is None
    assert db.session.scalar(select(func.count()).select_from(ConflictEvent).where(ConflictEvent.action == "policy")) == 0


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "424242"])
def test_a_hand_made_assignee_is_a_clear_error_beside_the_field(client, auth, leak, value):
    world, line, cross, price = leak
    auth.login("manager")
    english(client)
    response = client.post(f"/conflicts/cases/{cross.id}/assign", data={"assign-assignee": value})
    assert response.status_code == 400
    assert errors_by_field(response.get_data(as_text=True)) == {"assign-assignee": ["Choose an assignee from the list."]}


def test_the_english_case_and_policy_pages_name_one_order_one_customer_and_the_policies(client, auth, leak):
    world, line, cross, price = leak
    auth.login("manager")
    english(client)
    page = client.get(f"/conflicts/cases/{cross.id}").get_data(as_text=True)
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", page.split('id="evidence"')[1].split("</thead>")[0])
    assert headers[:4] == ["Date", "Territory", "Order", "Customer"]
    assert "<title>Case #" in page and '<h1 class="h4">Case #' in page
    page = client.get("/conflicts/policies").get_data(as_text=True)
    assert "<title>Conflict policies" in page and '<h1 class="h4">Conflict policies</h1>' in page
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", page.split('id="policy-table"')[1].split("</thead>")[0])
    assert headers[-3:] == ["Penalty", "Status", "Activate / deactivate"]  # not a second "Action"
    assert headers.count("Action") == 1
    page = client.get("/conflicts/registrations").get_data(as_text=True)
    assert re.search(r'<button class="btn btn-sm btn-primary" type="submit">Register</button>', page)
    client.post("/lang/zh", data={"next": "/"})
    page = client.get(f"/conflicts/cases/{cross.id}").get_data(as_text=True)
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", page.split('id="evidence"')[1].split("</thead>")[0])
    assert headers[:4] == ["日期", "区域", "订单", "客户"] and "<title>案件 #" in page
    assert '<h1 class="h4">处理政策</h1>' in client.get("/conflicts/policies").get_data(as_text=True)
