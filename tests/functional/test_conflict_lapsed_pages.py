"""The registration pages: a deactivated seller's registrations say their protection lapsed;
the clash list names each seller once."""
from datetime import date, datetime

from sqlalchemy import select

from channel.services import conflicts_cases
from channel.services.tree import deactivate_seller
from models import db
from models.conflicts import ConflictCase
from tests.integration.test_conflict_lapsed_protection import NAME, PHONE, stored


def english(client):
    client.post("/lang/en", data={"next": "/"})


def test_the_registration_list_and_the_case_say_a_deactivated_sellers_protection_lapsed(client, auth, world):
    held = conflicts_cases.register_customer(seller_id=world.NS.id, name=NAME, phone=PHONE, on=date(2026, 9, 1))
    conflicts_cases.register_customer(seller_id=world.TH.id, name=NAME, phone=PHONE, on=date(2026, 9, 3),
                                      accept_clash=True)
    other = conflicts_cases.register_customer(seller_id=world.GZ.id, name="广州市宏达电器有限公司", on=date(2026, 9, 3))
    case = db.session.scalars(select(ConflictCase)).one()
    deactivate_seller(world.NS.id, date(2026, 9, 10))
    auth.login("manager")

    def row(page, registration):
        return page.split(f'id="registration-{registration.id}"')[1].split("</tr>")[0]

    page = client.get("/conflicts/registrations").get_data(as_text=True)
    assert "保护已失效：销售方于 2026-09-10 停用" in row(page, held) and "2026-11-30" in row(page, held)
    assert "保护已失效" not in row(page, other)
    assert "保护已失效：销售方于 2026-09-10 停用" in client.get(f"/conflicts/cases/{case.id}").get_data(as_text=True)
    english(client)
    page = client.get("/conflicts/registrations").get_data(as_text=True)
    assert "Protection lapsed: seller deactivated on 2026-09-10" in row(page, held)


def test_the_clash_list_on_the_page_names_each_seller_once(client, auth, world):
    stored(world.HZ, date(2026, 9, 1))
    stored(world.HZ, date(2026, 9, 3), name="深圳市 华盛贸易")
    stored(world.NS, date(2026, 9, 2))
    db.session.commit()
    auth.login("manager")
    form = {"seller_code": "TH", "name": NAME, "phone": PHONE, "registered_on": "2026-09-05"}
    response = client.post("/conflicts/registrations", data=form)
    clashes = response.get_data(as_text=True).split('id="clashes"')[1].split("</ul>")[0]
    assert response.status_code == 400
    assert clashes.count("<li>") == 2 and clashes.count("杭州市代") == 1 and clashes.count("南山分销") == 1


def test_the_registration_export_ends_with_the_day_protection_lapsed(client, auth, world):
    import csv
    import io

    from openpyxl import load_workbook

    held = conflicts_cases.register_customer(seller_id=world.NS.id, name=NAME, phone=PHONE, on=date(2026, 9, 1))
    other = conflicts_cases.register_customer(seller_id=world.GZ.id, name="广州市宏达电器有限公司", on=date(2026, 9, 3))
    deactivate_seller(world.NS.id, date(2026, 9, 10))
    auth.login("manager")
    response = client.get("/conflicts/registrations/export.csv", buffered=True)
    header, *rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header[8:] == ["保护期至", "保护失效日期"]  # the columns before stay where they were
    by_id = {row[0]: row for row in rows}
    assert by_id[str(held.id)][8:] == ["2026-11-30", "2026-09-10"] and by_id[str(other.id)][9] == ""
    english(client)
    book = load_workbook(io.BytesIO(client.get("/conflicts/registrations/export.xlsx", buffered=True).data),
                         read_only=True)
    header, *rows = list(book.active.iter_rows(values_only=True))
    assert header[-1] == "Protection lapsed on"
    assert {row[0]: row[-1] for row in rows}[held.id] == datetime(2026, 9, 10)  # a date cell


def test_the_api_gives_a_cases_registration_the_day_its_protection_lapsed(client, world):
    from tests.functional.test_api_features import bearer

    conflicts_cases.register_customer(seller_id=world.NS.id, name=NAME, phone=PHONE, on=date(2026, 9, 1))
    second = conflicts_cases.register_customer(seller_id=world.TH.id, name=NAME, phone=PHONE, on=date(2026, 9, 3),
                                               accept_clash=True)
    case = db.session.scalars(select(ConflictCase)).one()
    headers = bearer(world.user_admin)

    def registration():
        body = client.get(f"/api/v1/conflict_cases/{case.id}", headers=headers).json
        (found,) = [e["registration"] for e in body["evidence"] if e.get("registration")]
        return found

    assert registration()["id"] == second.id and registration()["protection_lapsed_on"] is None
    deactivate_seller(world.TH.id, date(2026, 9, 20))
    assert registration()["protection_lapsed_on"] == "2026-09-20"
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    (detail,) = [s for s in schemas.values() if "evidence" in s.get("properties", {})]
    lapsed = detail["properties"]["evidence"]["items"]["properties"]["registration"]["properties"]
    assert lapsed["protection_lapsed_on"]["format"] == "date" and lapsed["protection_lapsed_on"]["nullable"] is True
