"""An activity names its contact the way the customer page shows it: by the person's name, or by
the contact's number when two contacts of the customer share a name."""
from sqlalchemy import func, select

from channel.services import selling
from models import db
from models.selling import Activity


def _activities() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Activity))


def _log(client, world, contact, customer=None):
    return client.post("/selling/activities", data={
        "kind": "visit", "customer_id": customer if customer is not None else world.cust_rep1.id,
        "contact_id": contact})


def test_a_contact_is_named_by_name_or_by_number(client, auth, world):
    li = selling.add_contact(world.user_rep1, customer_id=world.cust_rep1.id, name="李经理", role="acceptor")
    zhang = selling.add_contact(world.user_rep1, customer_id=world.cust_rep1.id, name="张总", role="decision_maker")
    auth.login("rep1")
    assert _log(client, world, " 李经理 ").status_code == 302
    assert _log(client, world, str(zhang.id)).status_code == 302
    db.session.expire_all()
    assert [a.contact_id for a in db.session.scalars(select(Activity).order_by(Activity.id))] == [li.id, zhang.id]


def test_two_contacts_with_one_name_ask_for_the_number(client, auth, world):
    first = selling.add_contact(world.user_rep1, customer_id=world.cust_rep1.id, name="王工", role="acceptor")
    selling.add_contact(world.user_rep1, customer_id=world.cust_rep1.id, name="王工", role="dissatisfied")
    auth.login("rep1")
    response = _log(client, world, "王工")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "field-error" in page and "有多位联系人叫“王工”" in page
    assert _activities() == 0
    assert _log(client, world, str(first.id)).status_code == 302


def test_a_contact_of_another_customer_is_refused_by_name_and_by_number(client, auth, world):
    other = selling.add_contact(world.user_rep3, customer_id=world.cust_rep3.id, name="赵总", role="acceptor")
    auth.login("rep1")
    for ref in ("赵总", str(other.id), "0", "不存在的人"):
        response = _log(client, world, ref)
        assert response.status_code == 400, ref
        assert "该联系人不属于这个客户" in response.get_data(as_text=True)
    assert _activities() == 0


def test_a_contact_without_a_customer_asks_for_the_customer(client, auth, world):
    auth.login("rep1")
    response = client.post("/selling/activities", data={"kind": "training", "contact_id": "李经理"})
    assert response.status_code == 400
    assert "请先填写客户，再填写联系人" in response.get_data(as_text=True)
    assert _activities() == 0


def test_the_english_form_explains_the_contact_field(client, auth, world):
    auth.login("rep1")
    page = client.get("/selling?lang=en").get_data(as_text=True)
    assert "Contact" in page and "contact's number when two share a name" in page


def test_a_superscript_or_other_non_decimal_digit_is_an_unknown_reference_not_a_500(client, auth, world):
    """"²".isdigit() is true but int("²") fails: the customer and contact numbers are read with
    isdecimal(), so full-width digits still name a number and "²" is simply unknown."""
    contact = selling.add_contact(world.user_rep1, customer_id=world.cust_rep1.id, name="李经理", role="acceptor")
    auth.login("rep1")
    response = _log(client, world, "", customer="²")
    assert response.status_code == 404 and "没有这个客户，或您无权查看" in response.get_data(as_text=True)
    response = _log(client, world, "²")
    assert response.status_code == 400 and "该联系人不属于这个客户" in response.get_data(as_text=True)
    full_width = str(contact.id).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert _log(client, world, full_width).status_code == 302
    assert _activities() == 1


def test_a_birthday_in_the_future_or_in_year_9999_is_refused_beside_its_field(client, auth, world):
    """A contact born on 2030-01-01 or 9999-12-31 used to be saved (and greeted every year)."""
    from datetime import timedelta

    from models.selling import CustomerContact

    tomorrow = selling.today_in_shanghai() + timedelta(days=1)
    auth.login("rep1")
    for day, says in [(tomorrow.isoformat(), "生日不能晚于今天"), ("9999-12-31", "日期超出范围")]:
        response = client.post(f"/customers/{world.cust_rep1.id}/contacts",
                               data={"name": "李经理", "role": "acceptor", "birthday": day})
        page = response.get_data(as_text=True)
        assert response.status_code == 400, day
        assert says in page.split('id="birthday"')[1].split('<div class="mb-2')[0], day
    assert db.session.query(CustomerContact).count() == 0
    assert client.post(f"/customers/{world.cust_rep1.id}/contacts",
                       data={"name": "李经理", "role": "acceptor", "birthday": "1980-02-29"}).status_code == 302


def test_an_opportunity_expected_in_year_9999_is_refused_beside_its_field(client, auth, world):
    from models.selling import Opportunity

    auth.login("rep1")
    stage = selling.stages()[0]
    response = client.post(f"/customers/{world.cust_rep1.id}/opportunities",
                           data={"title": "二期项目", "stage_id": stage.id, "expected_on": "9999-12-31"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "二期项目" in page
    assert "日期超出范围" in page.split('id="expected_on"')[1].split('<div class="mb-2')[0]
    assert db.session.query(Opportunity).count() == 0
