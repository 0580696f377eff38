"""The conflict pages, and who may see which case and which part of its evidence."""
from datetime import date

import pytest

from channel.services import conflicts, conflicts_cases
from channel.services.conflicts_cases import ScanInput
from models import db
from models.conflicts import ConflictCase, CustomerRegistration
from tests.conflicts_fixtures import at, sell


@pytest.fixture
def leak(world):
    """SZ ships to 越秀 (GZ's exclusive area) at a price below the floor: one 串货 case (SZ
    offender, GZ harmed) and one 乱价 case (SZ alone)."""
    line = sell(world, world.SZ, 440104, price=250000, customer_name="广州越秀秘密客户有限公司")
    conflicts.scan_new(order_line_ids=[line.id])
    cross = db.session.query(ConflictCase).filter_by(rule="cross_territory").one()
    price = db.session.query(ConflictCase).filter_by(rule="price_violation").one()
    return world, line, cross, price


def test_the_dashboard_list_and_case_page_render_for_a_manager(client, auth, leak):
    world, line, cross, price = leak
    auth.login("manager")
    page = client.get("/conflicts").get_data(as_text=True)
    assert "by-rule" in page and "深圳市代" in page and "<svg" in page
    page = client.get("/conflicts/cases?rule=cross_territory").get_data(as_text=True)
    assert f"/conflicts/cases/{cross.id}" in page and f"/conflicts/cases/{price.id}\"" not in page
    page = client.get(f"/conflicts/cases/{cross.id}").get_data(as_text=True)
    assert "广州越秀秘密客户有限公司" in page and "越秀区" in page and "status-form" in page


def test_the_csv_export_lists_the_filtered_cases(client, auth, leak):
    world, line, cross, price = leak
    auth.login("manager")
    response = client.get("/conflicts/cases.csv?rule=price_violation", buffered=True)  # streamed
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = response.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert rows[0].startswith("id,rule") and len(rows) == 2 and rows[1].startswith(f"{price.id},price_violation")


def test_the_offender_sees_its_case_with_its_own_order(client, auth, leak):
    world, line, cross, price = leak
    auth.login("agent_sz")
    page = client.get(f"/conflicts/cases/{cross.id}").get_data(as_text=True)
    assert "广州越秀秘密客户有限公司" in page and "status-form" not in page


def test_the_harmed_party_sees_the_case_but_not_the_offenders_customer_or_price(client, auth, leak, app):
    from channel.services.users import create_user

    world, line, cross, price = leak
    create_user("agent_gz", "secret-pass", "agent", seller_id=world.GZ.id)
    auth.login("agent_gz")
    response = client.get(f"/conflicts/cases/{cross.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "越秀区" in page
    assert "广州越秀秘密客户有限公司" not in page and line.order.order_no not in page and "¥2,500.00" not in page
    assert client.get(f"/conflicts/cases/{price.id}").status_code == 404  # GZ is no party to the 乱价 case
    listing = client.get("/conflicts/cases").get_data(as_text=True)
    assert f"/conflicts/cases/{cross.id}\"" in listing and f"/conflicts/cases/{price.id}\"" not in listing


@pytest.mark.parametrize("username", ["agent_zj", "agent_gd", "rep1"])
def test_a_seller_that_is_no_party_is_refused_the_case_by_id(client, auth, leak, username):
    world, line, cross, price = leak
    auth.login(username)
    assert client.get(f"/conflicts/cases/{cross.id}").status_code == 404
    assert client.get(f"/conflicts/cases/{price.id}").status_code == 404
    assert "广州越秀" not in client.get("/conflicts/cases.csv", buffered=True).get_data(as_text=True)


@pytest.mark.parametrize("path", ["status", "assign", "note", "policy"])
def test_an_agent_cannot_rule_even_its_own_case(client, auth, leak, path):
    world, line, cross, price = leak
    auth.login("agent_sz")
    assert client.post(f"/conflicts/cases/{cross.id}/{path}", data={}).status_code == 403
    assert client.post("/conflicts/scan", data={"period": "2026-10"}).status_code == 403


def test_a_manager_rules_a_case_and_the_timeline_records_who(client, auth, leak):
    world, line, cross, price = leak
    auth.login("manager")
    response = client.post(f"/conflicts/cases/{cross.id}/status", data={"status-status": "investigating", "status-note": "查一下"})
    assert response.status_code == 302
    response = client.post(f"/conflicts/cases/{cross.id}/status", data={"status-status": "open"})
    assert response.status_code == 302
    bad = client.post(f"/conflicts/cases/{cross.id}/status", data={"status-status": "confirmed"})
    assert bad.status_code == 400 and "field-error" in bad.get_data(as_text=True)
    timeline = client.get(f"/conflicts/cases/{cross.id}").get_data(as_text=True).split('id="timeline"')[1]
    assert "查一下" in timeline and world.user_manager.display_name in timeline


def test_the_scan_button_runs_a_period_as_a_job_and_a_second_scan_opens_nothing_new(client, auth, world):
    sell(world, world.SZ, 440104)
    auth.login("manager")
    response = client.post("/conflicts/scan", data={"period": "2026-10"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/jobs/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    opened = db.session.query(ConflictCase).count()
    assert opened >= 1 and f"新开 {opened} 个案件" in page and 'href="/conflicts/cases?period=2026-10"' in page
    assert db.session.query(ConflictCase).filter_by(rule="cross_territory", offender_id=world.SZ.id).count() == 1
    again = client.post("/conflicts/scan", data={"period": "2026-10"}, follow_redirects=True)
    assert "新开 0 个案件，新增 0 条证据" in again.get_data(as_text=True)
    assert db.session.query(ConflictCase).count() == opened


def test_registering_shows_the_clash_before_saving_and_saves_when_accepted(client, auth, world):
    conflicts_cases.register_customer(seller_id=world.NS.id, name="深圳市华盛贸易有限公司", phone="13800000001",
                                      on=date(2026, 9, 1))
    auth.login("agent_zj")
    form = {"name": "深圳市 华盛贸易", "phone": "138 0000 0001", "registered_on": "2026-09-05"}
    response = client.post("/conflicts/registrations", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "clashes" in page and "南山分销" not in page
    assert db.session.query(CustomerRegistration).count() == 1
    response = client.post("/conflicts/registrations", data=form | {"accept_clash": "y"})
    assert response.status_code == 302
    assert db.session.query(CustomerRegistration).count() == 2
    case = db.session.query(ConflictCase).filter_by(rule="duplicate_claim").one()
    assert (case.offender_id, case.harmed_id) == (world.ZJ.id, world.NS.id)


def test_a_code_case_shows_the_codes_journey(client, auth, world):
    conflicts_cases.add_codes(world.product.id, ["U1", "U2"], case_code="C1")
    conflicts_cases.ship_codes(world.SZ.id, ["C1"], date(2026, 10, 1))
    conflicts_cases.record_scans([ScanInput("U2", 440104, at(date(2026, 10, 10)), "consumer")])
    case = db.session.query(ConflictCase).filter_by(rule="code_diversion").one()
    auth.login("manager")
    page = client.get(f"/conflicts/cases/{case.id}").get_data(as_text=True)
    assert "journeys" in page and "C1" in page and "深圳市代" in page and "越秀区" in page


def test_each_fake_code_row_says_why_the_scan_is_suspect(client, auth, world):
    """A fake-code case used to list its scans with nothing telling a copied code (scanned in two
    far-apart cities) from one scanned before it was shipped or from a text that is no code."""
    conflicts_cases.add_codes(world.product.id, ["U1"])
    conflicts_cases.ship_codes(world.SZ.id, ["U1"], date(2026, 10, 5))
    conflicts_cases.record_scans([
        ScanInput("U1", 440104, at(date(2026, 10, 1)), "consumer"),   # before the shipment
        ScanInput("U1", 230102, at(date(2026, 10, 10)), "consumer"),  # Harbin: far from Guangzhou
        ScanInput("NO-SUCH-CODE", 440104, at(date(2026, 10, 11)), "consumer"),
    ])
    auth.login("manager")
    client.post("/lang/en")
    pages = {case.id: client.get(f"/conflicts/cases/{case.id}").get_data(as_text=True)
             for case in db.session.query(ConflictCase).filter_by(rule="fake_code")}
    text = "".join(pages.values())
    assert text.count("Copied code: also scanned in another city") >= 1
    assert "Scanned before this code was shipped" in text and "No such code" in text
    unknown = next(page for page in pages.values() if "NO-SUCH-CODE" in page)
    assert "No such code" in unknown and "Copied code" not in unknown


def test_policies_are_managed_by_managers_only(client, auth, world):
    auth.login("manager")
    response = client.post("/conflicts/policies", data={"name": "串货没收", "rule": "cross_territory", "action": "forfeit",
                                                        "protection_fee_bp": "500", "penalty": "1000"})
    assert response.status_code == 302
    auth.logout()
    auth.login("agent_sz")
    assert client.get("/conflicts/policies").status_code == 403
