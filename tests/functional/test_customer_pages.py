"""The New / Edit customer pages: who may file a customer under which seller, every refusal
beside its field with the input kept (400, nothing saved), 撞单 prevention (a taken credit
code, look-alike names) and every forbidden access by id."""
import re

import pytest
from sqlalchemy import func, select

from models import db
from models.ops import AuditEvent
from models.sales import Customer
from tests.conflicts_fixtures import credit_code

GOOD_CODE = credit_code("91440300MA5DC6QX9")  # a valid unified social credit code


def errors_by_field(page: str) -> dict[str, list[str]]:
    """{input id: its errors} of the fields shown with an error (templates/macros.html `field`)."""
    found = {}
    for block in page.split('<div class="mb-2')[1:]:
        errors = [part.split("</div>")[0] for part in block.split('field-error">')[1:]]
        if errors:
            found[re.search(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', block).group(1)] = errors
    return found


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Customer))


def new_customer(**changes) -> dict:
    data = {"name": "深圳科技园新客户有限公司", "district": "440305", "address": "科技园 1 号", "contact_name": "王五",
            "phone": "13800000001", "credit_code": "", "owner": ""}
    data.update(changes)
    return data


def stored(name: str) -> Customer | None:
    db.session.expire_all()
    return db.session.scalar(select(Customer).where(Customer.name == name))


# ---- success --------------------------------------------------------------------------------

def test_a_rep_adds_a_customer_it_owns_by_default(client, auth, world):
    auth.login("rep1")
    form = client.get("/customers/new").get_data(as_text=True)
    assert 'value="REP1"' in form  # the owner field starts with the rep's own code
    response = client.post("/customers/new", data=new_customer(credit_code=GOOD_CODE.lower()))
    assert response.status_code == 302
    customer = stored("深圳科技园新客户有限公司")
    assert response.headers["Location"].endswith(f"/customers/{customer.id}")
    assert (customer.owner_seller_id, customer.district_id, customer.credit_code, customer.phone) == \
        (world.REP1.id, 440305, GOOD_CODE, "13800000001")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customers.add"))
    assert (event.actor_id, event.object_id) == (world.user_rep1.id, str(customer.id))


def test_an_agent_adds_a_customer_for_a_seller_of_its_downline(client, auth, world):
    auth.login("agent_gd")
    assert client.post("/customers/new", data=new_customer(owner="ns")).status_code == 302
    assert stored("深圳科技园新客户有限公司").owner_seller_id == world.NS.id


def test_a_channel_manager_adds_a_customer_for_any_seller_and_must_name_one(client, auth, world):
    auth.login("manager")
    unnamed = client.post("/customers/new", data=new_customer(owner=""))
    assert unnamed.status_code == 400
    assert errors_by_field(unnamed.get_data(as_text=True)) == {"owner": ["请填写归属销售方编码。"]}
    assert client.post("/customers/new", data=new_customer(owner="HZ", district="330106")).status_code == 302
    assert stored("深圳科技园新客户有限公司").owner_seller_id == world.HZ.id


def test_the_chooser_lists_provinces_then_cities_then_districts(client, auth, world):
    auth.login("rep1")
    provinces = client.get("/customers/divisions.json").get_json()
    assert [440000, "广东省", 1] in provinces and len(provinces) == 34
    assert [440300, "深圳市", 2] in client.get("/customers/divisions.json?parent=440000").get_json()
    assert [440305, "南山区", 3] in client.get("/customers/divisions.json?parent=440300").get_json()
    for bad in ("x", "-1", "99999999999999999999", "４４"):
        assert client.get(f"/customers/divisions.json?parent={bad}").status_code == 400
    edit = client.get(f"/customers/{world.cust_rep1.id}/edit").get_data(as_text=True)
    assert 'data-chosen="310000,310100,310115"' in edit  # the chooser opens on the stored district


# ---- refusals: beside the field, input kept, nothing saved ------------------------------------

def test_a_credit_code_with_a_wrong_check_digit_is_refused(client, auth, world):
    auth.login("rep1")
    wrong = GOOD_CODE[:-1] + ("0" if GOOD_CODE[-1] != "0" else "1")
    before = count()
    response = client.post("/customers/new", data=new_customer(credit_code=wrong))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert list(errors_by_field(page)) == ["credit_code"] and "校验码" in errors_by_field(page)["credit_code"][0]
    assert 'value="深圳科技园新客户有限公司"' in page and 'value="13800000001"' in page  # input kept
    assert count() == before


def test_a_credit_code_of_a_customer_the_user_sees_is_refused_naming_and_linking_it(client, auth, world):
    world.cust_ns.credit_code = GOOD_CODE
    db.session.commit()
    auth.login("agent_gd")
    before = count()
    response = client.post("/customers/new", data=new_customer(owner="SZ", credit_code=GOOD_CODE))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and count() == before
    assert "深圳南山华盛贸易有限公司" in errors_by_field(page)["credit_code"][0]
    assert f'href="/customers/{world.cust_ns.id}"' in page


def test_a_credit_code_of_another_branchs_customer_is_refused_without_a_word_about_it(client, auth, world):
    world.cust_ns.credit_code = GOOD_CODE
    db.session.commit()
    auth.login("agent_zj")
    before = count()
    response = client.post("/customers/new", data=new_customer(name="杭州新客户", district="330106", credit_code=GOOD_CODE))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and count() == before
    assert "不在您的查看范围内" in errors_by_field(page)["credit_code"][0] and "渠道经理" in page
    assert "深圳南山华盛贸易有限公司" not in page and "南山分销" not in page and f"/customers/{world.cust_ns.id}" not in page


@pytest.mark.parametrize("district", ["999999", "440000", "100000", "12345", "abcdef"])
def test_a_district_that_is_no_city_or_district_is_refused(client, auth, world, district):
    auth.login("rep1")
    response = client.post("/customers/new", data=new_customer(district=district))
    assert response.status_code == 400
    errors = errors_by_field(response.get_data(as_text=True))
    assert list(errors) == ["district"]
    assert "发货" not in errors["district"][0]  # a customer's own place, not a ship-to area
    assert stored("深圳科技园新客户有限公司") is None


def test_an_owner_outside_the_scope_answers_as_an_unknown_code(client, auth, world):
    auth.login("agent_sz")
    outside = client.post("/customers/new", data=new_customer(owner="HZ"))
    unknown = client.post("/customers/new", data=new_customer(owner="NO-SUCH"))
    assert outside.status_code == unknown.status_code == 400
    assert errors_by_field(outside.get_data(as_text=True)) == {"owner": ["没有编码为 HZ 的销售方。"]}
    assert errors_by_field(unknown.get_data(as_text=True)) == {"owner": ["没有编码为 NO-SUCH 的销售方。"]}
    assert stored("深圳科技园新客户有限公司") is None


def test_a_rep_files_customers_under_itself_only(client, auth, world):
    auth.login("director")  # sees its whole team, files customers under itself only
    response = client.post("/customers/new", data=new_customer(owner="REP1"))
    assert response.status_code == 400
    assert "销售代表只能登记自己的客户" in errors_by_field(response.get_data(as_text=True))["owner"][0]
    assert stored("深圳科技园新客户有限公司") is None


def test_huge_and_malformed_input_is_refused_beside_its_fields(client, auth, world):
    auth.login("rep1")
    response = client.post("/customers/new", data=new_customer(name="名" * 5000, credit_code="9" * 500, phone="1" * 100,
                                                               address="路" * 1000, owner="X" * 200, district="4" * 50))
    assert response.status_code == 400
    assert set(errors_by_field(response.get_data(as_text=True))) == {"name", "credit_code", "phone", "address", "owner",
                                                                     "district"}
    assert client.post("/customers/new", data={"name": "", "district": ""}).status_code == 400
    assert count() == 5


def test_control_characters_are_refused_beside_their_fields_and_nothing_is_saved(client, auth, world):
    """A NUL in a name or an address was stored on SQLite and made PostgreSQL answer 500."""
    auth.login("rep1")
    response = client.post("/customers/new", data=new_customer(name="新\x00客户", address="路\x07", contact_name="\x1b王",
                                                               phone="138\x00", credit_code="9\x00", owner="REP\x001"))
    assert response.status_code == 400
    assert errors_by_field(response.get_data(as_text=True)) == {
        field: ["不能包含控制字符。"] for field in ("name", "credit_code", "address", "contact_name", "phone", "owner")}
    assert count() == 5
    name = world.cust_rep1.name
    response = client.post(f"/customers/{world.cust_rep1.id}/edit", data=new_customer(name="改\x00名"))
    db.session.expire_all()
    assert response.status_code == 400 and world.cust_rep1.name == name


# ---- look-alikes (撞单 prevention) --------------------------------------------------------------

def test_a_similar_name_warns_with_the_look_alike_and_saves_only_when_confirmed(client, auth, world):
    auth.login("rep1")
    data = new_customer(name="上海浦东 金诚实业", district="310115", phone="")  # cust_rep1 without the suffix
    warned = client.post("/customers/new", data=data)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 400 and stored("上海浦东 金诚实业") is None
    assert f'href="/customers/{world.cust_rep1.id}"' in page and "save_anyway" in errors_by_field(page)
    assert "look-alikes-hidden" not in page
    # the message beside the checkbox points up to the list (it said "below", the list is above)
    assert page.index('id="look-alikes"') < page.index('name="save_anyway"') < page.index("请核对页面上方的相似客户")
    assert client.post("/customers/new", data=dict(data, save_anyway="y")).status_code == 302
    assert stored("上海浦东 金诚实业").owner_seller_id == world.REP1.id


def test_look_alikes_the_user_may_not_see_are_counted_not_shown(client, auth, world):
    auth.login("agent_zj")
    data = new_customer(name="深圳南山华盛贸易", owner="ZJ")  # another branch's customer, in Guangdong
    page = client.post("/customers/new", data=data).get_data(as_text=True)
    assert "另有 1 个相似客户不在您的查看范围内" in page
    assert f"/customers/{world.cust_ns.id}" not in page and "南山分销" not in page
    assert stored("深圳南山华盛贸易") is None


def test_a_different_name_and_phone_saves_without_a_warning(client, auth, world):
    auth.login("rep1")
    assert client.post("/customers/new", data=new_customer(name="上海完全不同的公司", district="310115")).status_code == 302


# ---- editing and transfers ------------------------------------------------------------------

def test_a_rep_edits_its_customer_and_the_change_is_audited(client, auth, world):
    auth.login("rep1")
    page = client.get(f"/customers/{world.cust_rep1.id}").get_data(as_text=True)
    assert f'href="/customers/{world.cust_rep1.id}/edit"' in page
    form = client.get(f"/customers/{world.cust_rep1.id}/edit").get_data(as_text=True)
    assert 'value="上海浦东金诚实业有限公司"' in form and 'value="310115"' in form and 'value="REP1"' in form
    data = new_customer(name="上海浦东金诚实业有限公司", district="310115", owner="REP1", phone="021-12345678")
    assert client.post(f"/customers/{world.cust_rep1.id}/edit", data=data).status_code == 302
    assert stored("上海浦东金诚实业有限公司").phone == "021-12345678"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customers.edit"))
    assert event.detail["phone"] == [None, "021-12345678"]


def test_an_agent_transfers_a_customer_within_its_downline_audited(client, auth, world):
    auth.login("agent_gd")
    data = new_customer(name=world.cust_ns.name, owner="TH")
    assert client.post(f"/customers/{world.cust_ns.id}/edit", data=data).status_code == 302
    assert stored(world.cust_ns.name).owner_seller_id == world.TH.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customers.transfer"))
    assert event.detail["owner_seller_id"] == ["NS", "TH"] and event.actor_id == world.user_agent_gd.id


def test_a_transfer_outside_the_editors_scope_is_refused(client, auth, world):
    auth.login("agent_sz")  # NS is its downline, TH (under GZ) is not
    response = client.post(f"/customers/{world.cust_ns.id}/edit", data=new_customer(name=world.cust_ns.name, owner="TH"))
    assert response.status_code == 400 and list(errors_by_field(response.get_data(as_text=True))) == ["owner"]
    assert stored(world.cust_ns.name).owner_seller_id == world.NS.id
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.like("customers.%"))) == 0


def test_an_edit_keeping_a_credit_code_two_customers_share_is_allowed(client, auth, world):
    """A code stored twice before the rule (an old import) is no refusal when correcting a phone:
    the other holder is shown as a look-alike, and saving anyway goes through."""
    world.cust_ns.credit_code = world.cust_th.credit_code = GOOD_CODE
    db.session.commit()
    auth.login("agent_gd")
    data = new_customer(name=world.cust_ns.name, owner="NS", credit_code=GOOD_CODE, phone="0755-1234567")
    warned = client.post(f"/customers/{world.cust_ns.id}/edit", data=data).get_data(as_text=True)
    assert f'href="/customers/{world.cust_th.id}"' in warned and "credit_code" not in errors_by_field(warned)
    assert stored(world.cust_ns.name).phone is None
    assert client.post(f"/customers/{world.cust_ns.id}/edit", data=dict(data, save_anyway="y")).status_code == 302
    assert stored(world.cust_ns.name).phone == "0755-1234567"


# ---- forbidden access by id -----------------------------------------------------------------

@pytest.mark.parametrize("username, customer", [("agent_zj", "cust_ns"), ("agent_sz", "cust_th"),
                                                ("rep1", "cust_rep3"), ("rep3", "cust_rep1")])
def test_editing_a_customer_outside_the_scope_is_not_found(client, auth, world, username, customer):
    target = getattr(world, customer)
    auth.login(username)
    assert client.get(f"/customers/{target.id}/edit").status_code == 404
    response = client.post(f"/customers/{target.id}/edit", data=new_customer(name="改名", owner="", district="440305"))
    assert response.status_code == 404
    assert stored(target.name) is not None and stored("改名") is None


def test_a_director_sees_a_reps_customer_but_may_not_edit_it(client, auth, world):
    auth.login("director")
    page = client.get(f"/customers/{world.cust_rep1.id}").get_data(as_text=True)
    assert page and "edit-customer" not in page
    assert client.post(f"/customers/{world.cust_rep1.id}/edit", data=new_customer(name="改名")).status_code == 403
    assert stored("改名") is None


@pytest.mark.parametrize("username", ["finance", "pm"])
def test_finance_and_product_managers_may_not_add_or_edit(client, auth, world, username):
    if username == "pm":
        from tests.ops_fixtures import add_product_manager
        add_product_manager()
    auth.login(username)
    assert "new-customer" not in client.get("/customers").get_data(as_text=True)
    assert "edit-customer" not in client.get(f"/customers/{world.cust_ns.id}").get_data(as_text=True)
    assert client.get("/customers/new").status_code == 403
    assert client.post("/customers/new", data=new_customer(owner="NS")).status_code == 403
    assert client.post(f"/customers/{world.cust_ns.id}/edit", data=new_customer(name="改名", owner="NS")).status_code == 403
    assert count() == 5 and stored("改名") is None


def test_the_list_offers_new_customer_to_those_who_may(client, auth, world):
    auth.login("rep1")
    assert 'id="new-customer"' in client.get("/customers").get_data(as_text=True)


def test_the_form_and_its_refusals_read_as_english(client, auth, world):
    world.cust_ns.credit_code = GOOD_CODE
    db.session.commit()
    auth.login("agent_zj")
    client.post("/lang/en", data={"next": "/"})
    page = client.post("/customers/new", data=new_customer(name="深圳南山华盛贸易", owner="ZJ",
                                                           credit_code=GOOD_CODE)).get_data(as_text=True)
    assert "New customer" in page and "District code" in page
    assert "outside what you may see" in errors_by_field(page)["credit_code"][0]
    warned = client.post("/customers/new", data=new_customer(name="深圳南山华盛贸易", owner="ZJ")).get_data(as_text=True)
    assert "Similar customers outside what you may see, not listed: 1." in warned and "save anyway" in warned
    assert not re.search(r"[\u4e00-\u9fff]", re.sub(r'value="[^"]*"', "", warned.split("<main")[1]))


def test_a_deactivated_seller_gets_no_new_customer_but_its_customers_stay_editable(client, auth, world):
    world.TH.active = False
    db.session.commit()
    auth.login("manager")
    refused = client.post("/customers/new", data=new_customer(owner="TH", district="440106"))
    assert refused.status_code == 400
    assert errors_by_field(refused.get_data(as_text=True)) == {"owner": ["销售方 TH 已停用，不能再归属客户。"]}
    moved = client.post(f"/customers/{world.cust_ns.id}/edit", data=new_customer(name=world.cust_ns.name, owner="TH"))
    assert moved.status_code == 400 and stored(world.cust_ns.name).owner_seller_id == world.NS.id
    kept = new_customer(name=world.cust_th.name, district="440106", owner="TH", phone="020-7654321")
    assert client.post(f"/customers/{world.cust_th.id}/edit", data=kept).status_code == 302
    assert stored(world.cust_th.name).phone == "020-7654321"
