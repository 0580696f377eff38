"""QA session 14 on the conflict pages: a seller cannot register its own customer twice; a case
is ruled only with a policy written for its rule; policies are deactivated and reactivated."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from channel.domain.selling_kpi import shanghai_day
from channel.services import conflicts_cases
from models import db, utcnow
from models.conflicts import ConflictCase, ConflictPolicy, CustomerRegistration
from models.ops import AuditEvent
from tests.functional.test_conflict_form_checks import errors_by_field
from tests.functional.test_conflict_pages import leak  # noqa: F401  (fixture)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---- registrations ---------------------------------------------------------------------------

def test_registering_ones_own_customer_again_is_an_error_beside_the_name_and_opens_no_case(client, auth, world):
    today = shanghai_day(utcnow())
    auth.login("agent_zj")
    form = {"name": "深圳前海重复报备有限公司", "phone": "13800000077", "registered_on": (today - timedelta(days=2)).isoformat()}
    assert client.post("/conflicts/registrations", data=form).status_code == 302
    again = form | {"name": "深圳前海 重复报备", "registered_on": today.isoformat(), "accept_clash": "y"}
    response = client.post("/conflicts/registrations", data=again)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    errors = errors_by_field(page)
    assert list(errors) == ["name"] and "保护期内不能重复报备" in errors["name"][0]
    assert 'value="深圳前海 重复报备"' in page  # the typed text is kept
    assert count(CustomerRegistration) == 1 and count(ConflictCase) == 0


# ---- policies on a case ----------------------------------------------------------------------

def _policies():
    cross = conflicts_cases.add_policy(name="串货没收", rule="cross_territory", action="forfeit", penalty_fen=100000)
    price = conflicts_cases.add_policy(name="乱价罚款", rule="price_violation", action="hold", penalty_fen=50000)
    every = conflicts_cases.add_policy(name="通用暂扣", action="hold")
    gone = conflicts_cases.add_policy(name="旧串货政策", rule="cross_territory", action="hold")
    gone.active = False
    db.session.commit()
    return cross, price, every, gone


def _offered(page: str) -> list[str]:
    form = page.split('id="policy-form"')[1].split("</form>")[0]
    return re.findall(r'<option[^>]*>([^<]*)</option>', form)[1:]  # after （按规则自动选择）


def test_the_case_page_offers_only_active_policies_for_the_cases_rule(client, auth, leak):
    world, line, cross_case, price_case = leak
    _policies()
    auth.login("manager")
    assert _offered(client.get(f"/conflicts/cases/{cross_case.id}").get_data(as_text=True)) == ["串货没收", "通用暂扣"]
    assert _offered(client.get(f"/conflicts/cases/{price_case.id}").get_data(as_text=True)) == ["乱价罚款", "通用暂扣"]


def test_posting_a_policy_for_another_rule_is_an_error_beside_the_policy_field(client, auth, leak):
    world, line, cross_case, price_case = leak
    cross, price, every, gone = _policies()
    auth.login("manager")
    for refused, says in ((price, "本案件属于"), (gone, "已停用")):
        response = client.post(f"/conflicts/cases/{cross_case.id}/policy", data={"policy-policy": str(refused.id)})
        assert response.status_code == 400
        errors = errors_by_field(response.get_data(as_text=True))
        assert list(errors) == ["policy-policy"] and says in errors["policy-policy"][0], errors
    db.session.expire_all()
    assert db.session.get(ConflictCase, cross_case.id).policy_id is None
    assert client.post(f"/conflicts/cases/{cross_case.id}/policy", data={"policy-policy": str(cross.id)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ConflictCase, cross_case.id).policy_id == cross.id


def test_the_english_refusal_names_both_rules_in_english(client, auth, leak):
    world, line, cross_case, price_case = leak
    cross, price, every, gone = _policies()
    auth.login("manager")
    client.post("/lang/en", data={"next": "/"})
    response = client.post(f"/conflicts/cases/{cross_case.id}/policy", data={"policy-policy": str(price.id)})
    error = errors_by_field(response.get_data(as_text=True))["policy-policy"][0]
    assert error == ("The policy “乱价罚款” is for “Price violation”, this case is “Cross-territory sale”: "
                     "choose a policy for this rule or for all rules.")


# ---- deactivating and reactivating policies ----------------------------------------------------

def _audit(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_a_manager_deactivates_and_reactivates_a_policy_from_the_policies_page(client, auth, world):
    chosen = conflicts_cases.add_policy(name="串货没收", rule="cross_territory", action="forfeit")
    auth.login("manager")
    row = client.get("/conflicts/policies").get_data(as_text=True).split(f'id="policy-{chosen.id}"')[1].split("</tr>")[0]
    assert f"/conflicts/policies/{chosen.id}/deactivate" in row
    response = client.post(f"/conflicts/policies/{chosen.id}/deactivate", follow_redirects=True)
    page = response.get_data(as_text=True)
    row = page.split(f'id="policy-{chosen.id}"')[1].split("</tr>")[0]
    assert "已停用" in row and f"/conflicts/policies/{chosen.id}/reactivate" in row
    db.session.expire_all()
    assert db.session.get(ConflictPolicy, chosen.id).active is False and _audit("conflicts.deactivate_policy") == 1
    assert client.post(f"/conflicts/policies/{chosen.id}/reactivate").status_code == 302
    db.session.expire_all()
    assert db.session.get(ConflictPolicy, chosen.id).active is True and _audit("conflicts.reactivate_policy") == 1


def test_reactivating_next_to_an_active_namesake_says_why_and_changes_nothing(client, auth, world):
    old = conflicts_cases.add_policy(name="串货没收", rule="cross_territory", action="forfeit")
    auth.login("manager")
    client.post(f"/conflicts/policies/{old.id}/deactivate")
    conflicts_cases.add_policy(name="串货没收", rule="cross_territory", action="hold")
    page = client.post(f"/conflicts/policies/{old.id}/reactivate", follow_redirects=True).get_data(as_text=True)
    assert "已有同名的生效政策" in page
    db.session.expire_all()
    assert db.session.get(ConflictPolicy, old.id).active is False and _audit("conflicts.reactivate_policy") == 0


@pytest.mark.parametrize("username", ["finance", "agent_sz", "rep1"])
def test_a_user_without_the_role_is_refused_deactivating_a_policy_by_id(client, auth, world, username):
    chosen = conflicts_cases.add_policy(name="串货没收", rule="cross_territory", action="forfeit")
    auth.login(username)
    assert client.post(f"/conflicts/policies/{chosen.id}/deactivate").status_code == 403
    db.session.expire_all()
    assert db.session.get(ConflictPolicy, chosen.id).active is True and _audit("conflicts.deactivate_policy") == 0
    chosen.active = False
    db.session.commit()
    assert client.post(f"/conflicts/policies/{chosen.id}/reactivate").status_code == 403
    db.session.expire_all()
    assert db.session.get(ConflictPolicy, chosen.id).active is False


def test_an_unknown_policy_id_is_404(client, auth, world):
    auth.login("manager")
    assert client.post("/conflicts/policies/999999/deactivate").status_code == 404


def test_a_case_ruled_by_a_deactivated_policy_still_shows_it(client, auth, leak):
    world, line, cross_case, price_case = leak
    cross, price, every, gone = _policies()
    conflicts_cases.set_policy(world.user_manager, cross_case.id, cross.id)
    conflicts_cases.change_status(world.user_manager, cross_case.id, "investigating")
    conflicts_cases.change_status(world.user_manager, cross_case.id, "confirmed", note="核实")
    auth.login("manager")
    client.post(f"/conflicts/policies/{cross.id}/deactivate")
    page = client.get(f"/conflicts/cases/{cross_case.id}").get_data(as_text=True)
    shown = page.split('id="case-policy"')[1].split("</dd>")[0]
    assert "串货没收" in shown and "已停用" in shown
    assert "¥1,000.00" in page.split('id="effect"')[1].split("</dd>")[0]  # its penalty stays


def test_staff_registering_for_a_deactivated_seller_see_the_error_beside_the_seller_code(client, auth, world):
    from datetime import date

    from channel.services.tree import deactivate_seller

    deactivate_seller(world.HZ.id, date(2026, 1, 1))
    auth.login("manager")
    form = {"seller_code": "HZ", "name": "杭州停用测试有限公司", "registered_on": shanghai_day(utcnow()).isoformat()}
    response = client.post("/conflicts/registrations", data=form)
    errors = errors_by_field(response.get_data(as_text=True))
    assert response.status_code == 400 and list(errors) == ["seller_code"] and "已停用" in errors["seller_code"][0]
    assert count(CustomerRegistration) == 0


def test_the_timeline_names_the_policy_chosen(client, auth, leak):
    world, line, cross_case, price_case = leak
    cross, price, every, gone = _policies()
    auth.login("manager")
    assert client.post(f"/conflicts/cases/{cross_case.id}/policy", data={"policy-policy": str(every.id)}).status_code == 302
    timeline = client.get(f"/conflicts/cases/{cross_case.id}").get_data(as_text=True).split('id="timeline"')[1]
    assert f"更换处理政策：{every.name}" in timeline
    client.post("/lang/en", data={"next": "/"})
    timeline = client.get(f"/conflicts/cases/{cross_case.id}").get_data(as_text=True).split('id="timeline"')[1]
    assert f"Policy changed: {every.name}" in timeline
