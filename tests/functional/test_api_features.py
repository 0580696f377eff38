"""The API resources of the conflicts, commissions and payouts features: the UI's access rules
by token (forbidden ids refused), evidence masked as on the case page, idempotent scan pushes,
and the conflict scan after an order push."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from channel.services import conflicts, payouts
from channel.services.api_tokens import create_token
from channel.services.users import create_user
from models import db
from models.conflicts import CodeScan, ConflictCase
from tests.conflicts_fixtures import sell
from tests.payouts_fixtures import post_lines, set_payee


def bearer(user) -> dict:
    _, secret = create_token(user, "test")
    return {"Authorization": f"Bearer {secret}"}


def agent_gz(world):
    return create_user("agent_gz", "secret-pass", "agent", seller_id=world.GZ.id)


def cross_territory_case(world) -> ConflictCase:
    """SZ sells into 越秀区 (GZ's exclusive 广州): offender SZ, harmed GZ."""
    line = sell(world, world.SZ, 440104, customer_name="广州越秀某某商行", price=280000)
    conflicts.scan_new(order_line_ids=[line.id])
    return db.session.scalar(select(ConflictCase))


def test_the_harmed_party_sees_where_the_goods_went_but_not_the_offenders_customer_or_price(client, world):
    case = cross_territory_case(world)
    harmed = bearer(agent_gz(world))
    body = client.get(f"/api/v1/conflict_cases/{case.id}", headers=harmed).json
    (evidence,) = body["evidence"]
    assert (evidence["district_id"], evidence["own"], evidence["product"]) == (440104, False, "净水器")
    for hidden in ("order_no", "order_id", "customer", "unit_price_fen"):
        assert hidden not in evidence
    assert body["amount_fen"] is None

    offender = client.get(f"/api/v1/conflict_cases/{case.id}", headers=bearer(world.user_agent_sz)).json
    (own,) = offender["evidence"]
    assert (own["own"], own["customer"], own["unit_price_fen"]) == (True, "广州越秀某某商行", 280000)
    assert offender["amount_fen"] == 280000


def test_a_case_of_other_sellers_is_refused_by_id_and_absent_from_the_list(client, world):
    case = cross_territory_case(world)
    for user in (world.user_agent_zj, world.user_agent_gd, world.user_rep1):
        headers = bearer(user)
        assert client.get(f"/api/v1/conflict_cases/{case.id}", headers=headers).status_code == 404
        assert client.get("/api/v1/conflict_cases", headers=headers).json["data"] == []
    staff = client.get("/api/v1/conflict_cases?rule=cross_territory&status=open", headers=bearer(world.user_manager)).json
    assert [c["id"] for c in staff["data"]] == [case.id]
    assert client.get("/api/v1/conflict_cases?period=2026-13", headers=bearer(world.user_manager)).json["error"]["field"] == "period"


def test_an_order_pushed_through_the_api_into_another_territory_opens_a_case(client, world):
    response = client.post("/api/v1/orders", headers=bearer(world.user_agent_sz), json={
        "order_no": "ERP-X1", "external_id": "E-X1", "kind": "sell_out", "seller_code": "SZ",
        "customer_id": world.cust_ns.id, "ship_to_district_id": 440104, "order_date": "2026-10-20",
        "lines": [{"sku": "P1", "qty": 1, "unit_price_fen": 300000}]})
    assert response.status_code == 201
    case = db.session.scalar(select(ConflictCase).where(ConflictCase.rule == "cross_territory"))
    assert (case.offender_id, case.harmed_id) == (world.SZ.id, world.GZ.id)


SCANS = {"scans": [{"code": "NO-SUCH", "district_id": 440305, "scanned_at": "2026-10-20T09:30:00+08:00",
                    "scanner_kind": "consumer", "scanned_by": "王五"}]}


def test_scans_pushed_twice_are_stored_once_and_only_staff_may_push(client, world):
    headers = bearer(world.user_manager)
    first = client.post("/api/v1/code_scans", headers=headers, json=SCANS)
    assert first.status_code == 201 and first.json["created"] == 1
    again = client.post("/api/v1/code_scans", headers=headers, json=SCANS)
    assert again.status_code == 200 and (again.json["created"], again.json["already_stored"]) == (0, 1)
    assert again.json["data"][0]["id"] == first.json["data"][0]["id"]
    assert db.session.scalar(select(func.count()).select_from(CodeScan)) == 1
    assert db.session.scalar(select(CodeScan.scanned_at)).hour == 1  # stored in UTC
    assert client.post("/api/v1/code_scans", headers=bearer(world.user_agent_sz), json=SCANS).status_code == 403
    bad = client.post("/api/v1/code_scans", headers=headers, json={"scans": [dict(SCANS["scans"][0], district_id=999999)]})
    assert bad.status_code == 400 and bad.json["error"]["field"].startswith("scans")


def test_a_scan_is_seen_by_the_agent_its_code_was_shipped_to_not_by_others(client, world):
    from channel.services.conflicts_cases import ScanInput, add_codes, record_scans, ship_codes
    from tests.conflicts_fixtures import at

    add_codes(world.product.id, ["U1"])
    ship_codes(world.SZ.id, ["U1"], date(2026, 10, 2))
    (scan_id,) = record_scans([ScanInput("U1", 440305, at(date(2026, 10, 10)), "retailer", "某店")])
    mine = client.get(f"/api/v1/code_scans/{scan_id}", headers=bearer(world.user_agent_sz))
    assert mine.status_code == 200 and mine.json["agent_id"] == world.SZ.id
    assert mine.json["scanned_by"] is None  # who scanned: staff only
    assert client.get(f"/api/v1/code_scans/{scan_id}", headers=bearer(world.user_agent_zj)).status_code == 404
    assert client.get("/api/v1/code_scans", headers=bearer(world.user_agent_zj)).json["data"] == []
    assert client.get(f"/api/v1/code_scans/{scan_id}", headers=bearer(world.user_admin)).json["scanned_by"] == "某店"


def test_statements_of_sellers_outside_the_scope_are_refused(client, world):
    lines = post_lines("2026-10", [(world.SZ, 12000), (world.HZ, 34000)])
    headers = bearer(world.user_agent_gd)
    statement = client.get(f"/api/v1/statements/{world.SZ.id}?period=2026-10", headers=headers)
    assert statement.status_code == 200
    assert (statement.json["total_fen"], [l["amount_fen"] for l in statement.json["lines"]]) == (12000, [12000])
    assert client.get(f"/api/v1/statements/{world.HZ.id}?period=2026-10", headers=headers).status_code == 404
    assert client.get(f"/api/v1/statement_lines/{lines[1].id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/statement_lines?payee_id={world.HZ.id}", headers=headers).json["data"] == []
    missing = client.get(f"/api/v1/statements/{world.SZ.id}", headers=headers)
    assert missing.status_code == 400 and missing.json["error"]["field"] == "period"


def approved_batch(world):
    set_payee(world.SZ, "individual")
    set_payee(world.GZ, "individual")
    post_lines("2026-10", [(world.SZ, 50000), (world.GZ, 70000)])
    batch = payouts.create_batch("2026-10", world.user_finance.id)
    payouts.submit(batch.id, world.user_finance.id)
    return payouts.approve(batch.id, world.user_finance2.id)


def test_a_payee_sees_only_its_own_payouts_and_other_roles_are_refused(client, world):
    batch = approved_batch(world)
    headers = bearer(world.user_agent_sz)
    mine = client.get("/api/v1/payouts", headers=headers).json["data"]
    assert [(p["payee_id"], p["gross_fen"]) for p in mine] == [(world.SZ.id, 50000)]
    everyone = client.get(f"/api/v1/payouts?batch_id={batch.id}", headers=bearer(world.user_finance)).json["data"]
    gz_row = next(p["id"] for p in everyone if p["payee_id"] == world.GZ.id)
    assert client.get(f"/api/v1/payouts/{gz_row}", headers=headers).status_code == 404
    # pay is private: the upline does not see its downline's payouts
    assert client.get("/api/v1/payouts", headers=bearer(world.user_agent_gd)).json["data"] == []
    assert client.get("/api/v1/payouts", headers=bearer(world.user_manager)).status_code == 403
    assert client.get(f"/api/v1/payout_batches/{batch.id}", headers=headers).status_code == 403
    assert client.get(f"/api/v1/payout_batches/{batch.id}", headers=bearer(world.user_finance)).json["status"] == "approved"
