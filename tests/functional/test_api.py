"""The JSON API: tokens, the same access rules as the UI, keyset pages, errors naming the
field at fault, idempotent order pushes, rate limiting."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from channel.services.api_tokens import create_token
from models import db
from models.commissions import LedgerLine
from models.exchange import ApiToken
from models.sales import OrderLine, SalesOrder


def bearer(user) -> dict:
    _, secret = create_token(user, "test")
    return {"Authorization": f"Bearer {secret}"}


def test_without_a_token_the_api_answers_401_in_json(client, world):
    response = client.get("/api/v1/agents")
    assert response.status_code == 401
    assert response.json["error"]["status"] == 401


def test_a_wrong_or_revoked_token_is_refused(client, world):
    assert client.get("/api/v1/agents", headers={"Authorization": "Bearer qd_nonsense"}).status_code == 401
    token, secret = create_token(world.user_admin, "old")
    from channel.services.api_tokens import revoke_token

    revoke_token(world.user_admin, token.id)
    assert client.get("/api/v1/agents", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_a_401_names_the_bearer_scheme_and_a_405_lists_the_allowed_methods(client, world):
    """RFC 9110: a 401 carries WWW-Authenticate, a 405 carries Allow (the JSON error keeps them)."""
    missing = client.get("/api/v1/agents")
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    wrong = client.get("/api/v1/agents", headers={"Authorization": "Bearer qd_nonsense"})
    assert wrong.headers["WWW-Authenticate"] == "Bearer error=invalid_token"
    for method, path in (("DELETE", "/api/v1/agents/1"), ("TRACE", "/api/v1/agents"), ("PUT", "/api/v1/orders")):
        response = client.open(path, method=method, headers=bearer(world.user_admin))
        assert response.status_code == 405 and response.content_type == "application/json"
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert "GET" in allowed and method not in allowed
    assert "POST" in client.open("/api/v1/orders", method="PUT").headers["Allow"]


def test_tokens_are_stored_hashed(app, world):
    _, secret = create_token(world.user_admin, "erp")
    stored = db.session.scalar(select(ApiToken))
    assert secret not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64


def test_an_agents_token_sees_its_downline_only(client, world):
    headers = bearer(world.user_agent_gd)
    codes = {a["code"] for a in client.get("/api/v1/agents?limit=200", headers=headers).json["data"]}
    assert codes == {"GD", "SZ", "GZ", "NS", "TH"}
    for who in ("ZJ", "HZ", "N1"):
        response = client.get(f"/api/v1/agents/{getattr(world, who).id}", headers=headers)
        assert response.status_code == 404 and "error" in response.json
    for path in ("children", "subtree", "uplines"):
        assert client.get(f"/api/v1/agents/{world.ZJ.id}/{path}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/direct_sellers/{world.REP1.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/customers/{world.cust_hz.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/orders/{world.order_hz.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/orders/{world.order_ns.id}", headers=headers).status_code == 200
    orders = {o["order_no"] for o in client.get("/api/v1/orders", headers=headers).json["data"]}
    assert orders == {"SO-NS-1", "SO-TH-1"}


def test_a_reps_token_sees_only_their_own_customers(client, world):
    headers = bearer(world.user_rep1)
    ids = {c["id"] for c in client.get("/api/v1/customers", headers=headers).json["data"]}
    assert ids == {world.cust_rep1.id}
    assert client.get(f"/api/v1/customers/{world.cust_rep3.id}", headers=headers).status_code == 404


def test_agents_children_subtree_and_uplines(client, world):
    headers = bearer(world.user_admin)
    children = client.get(f"/api/v1/agents/{world.GD.id}/children", headers=headers).json["data"]
    assert [c["code"] for c in children] == sorted(["SZ", "GZ"], key=lambda c: getattr(world, c).id)
    subtree = {s["code"] for s in client.get(f"/api/v1/agents/{world.GD.id}/subtree", headers=headers).json["data"]}
    assert subtree == {"SZ", "GZ", "NS", "TH"}
    uplines = client.get(f"/api/v1/agents/{world.NS.id}/uplines", headers=headers).json["data"]
    assert [(u["code"], u["distance"]) for u in uplines] == [("SZ", 1), ("GD", 2), ("N1", 3)]


def test_an_agent_sees_no_upline_above_itself(client, world):
    uplines = client.get(f"/api/v1/agents/{world.NS.id}/uplines", headers=bearer(world.user_agent_sz)).json["data"]
    assert [u["code"] for u in uplines] == ["SZ"]


def test_lists_are_keyset_paginated(client, world):
    headers = bearer(world.user_admin)
    seen, after = [], None
    while True:
        page = client.get("/api/v1/agents?limit=3" + (f"&after={after}" if after else ""), headers=headers).json
        seen += [a["id"] for a in page["data"]]
        after = page["next_cursor"]
        if after is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 8


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=abc", "limit"), ("level=x", "level"),
                                          ("date_from=2026-13-01", "date_from"), ("kind=gift", "kind")])
def test_bad_parameters_answer_400_naming_the_field(client, world, query, field):
    path = "/api/v1/orders" if field in ("date_from", "kind") else "/api/v1/agents"
    response = client.get(f"{path}?{query}", headers=bearer(world.user_admin))
    assert response.status_code == 400
    assert response.json["error"]["field"] == field


def order_body(**changes) -> dict:
    body = {"order_no": "ERP-1", "external_id": "erp-0001", "kind": "sell_out", "seller_code": "NS",
            "ship_to_district_id": 440305, "order_date": "2026-10-20", "lines": [{"sku": "P1", "qty": 2, "unit_price_fen": 290000}]}
    body.update(changes)
    return body


def test_an_order_pushed_twice_is_stored_once(client, world):
    headers = bearer(world.user_admin)
    body = order_body(customer_id=world.cust_ns.id)
    first = client.post("/api/v1/orders", json=body, headers=headers)
    assert first.status_code == 201, first.json
    assert first.json["total_fen"] == 580000 and first.json["lines"][0]["amount_fen"] == 580000
    second = client.post("/api/v1/orders", json=body, headers=headers)
    assert second.status_code == 200
    assert second.json["id"] == first.json["id"]
    assert db.session.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.external_id == "erp-0001")) == 1
    assert db.session.scalar(select(func.count()).select_from(OrderLine).where(OrderLine.order_id == first.json["id"])) == 1


@pytest.fixture
def hook_calls(monkeypatch):
    """The AFTER_ORDER_LINES hooks replaced by one that records the order lines it is given."""
    from channel.services import imports

    calls: list[list[int]] = []
    monkeypatch.setattr(imports, "AFTER_ORDER_LINES", [lambda ids: calls.append(list(db.session.scalars(ids)))])
    return calls


def test_a_push_that_loses_the_race_after_its_check_answers_200_and_runs_no_hook(client, world, monkeypatch, hook_calls):
    """The other push stores the order between this push's existence check and its insert
    (record_order then returns the stored order): one 201 in all, the hooks once."""
    from channel.services import api as api_service

    body = order_body(customer_id=world.cust_ns.id)
    real_seller_by_code = api_service.seller_by_code

    def other_push_stores_it_first(code):
        monkeypatch.setattr(api_service, "seller_by_code", real_seller_by_code)
        first = client.post("/api/v1/orders", json=body, headers=headers)
        assert first.status_code == 201
        return real_seller_by_code(code)

    headers = bearer(world.user_admin)
    monkeypatch.setattr(api_service, "seller_by_code", other_push_stores_it_first)
    second = client.post("/api/v1/orders", json=body, headers=headers)
    assert second.status_code == 200, second.json
    assert db.session.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.external_id == "erp-0001")) == 1
    assert len(hook_calls) == 1 and hook_calls[0] == [second.json["lines"][0]["id"]]


def test_a_push_whose_insert_collides_with_another_push_answers_200_and_runs_no_hook(client, world, monkeypatch, hook_calls):
    """The other push commits the same external_id after both checks: this insert fails on the
    unique key, the push is retried and finds the stored order."""
    from channel.services import orders as order_service

    body = order_body(customer_id=world.cust_ns.id)
    headers = bearer(world.user_admin)
    real_require_district = order_service._require_district

    def other_push_stores_it_first(district_id, field):
        monkeypatch.setattr(order_service, "_require_district", real_require_district)
        with db.engine.begin() as other:  # another connection: another transaction
            other.execute(SalesOrder.__table__.insert().values(
                order_no="ERP-1", external_id="erp-0001", kind="sell_out", channel=world.NS.channel, seller_id=world.NS.id,
                customer_id=world.cust_ns.id, ship_to_district_id=440305, order_date=date(2026, 10, 20), total_fen=0))
        return real_require_district(district_id, field)

    monkeypatch.setattr(order_service, "_require_district", other_push_stores_it_first)
    response = client.post("/api/v1/orders", json=body, headers=headers)
    assert response.status_code == 200, response.json
    assert db.session.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.external_id == "erp-0001")) == 1
    assert hook_calls == []


def test_an_agent_cannot_push_an_order_for_another_branch(client, world):
    headers = bearer(world.user_agent_zj)
    response = client.post("/api/v1/orders", json=order_body(customer_id=world.cust_ns.id), headers=headers)
    assert response.status_code == 404
    assert response.json["error"]["field"] == "seller_code"
    response = client.post("/api/v1/orders", json=order_body(seller_code="HZ", ship_to_district_id=330106,
                                                             customer_id=world.cust_ns.id), headers=headers)
    assert response.status_code == 404
    assert response.json["error"]["field"] == "customer_id"


@pytest.mark.parametrize("changes, field", [
    ({"lines": [{"sku": "P1", "qty": 0, "unit_price_fen": 1}]}, "lines[0].qty"),
    ({"lines": [{"sku": "NOPE", "qty": 1, "unit_price_fen": 1}]}, "lines[0].sku"),
    ({"order_date": "yesterday"}, "order_date"),
    ({"customer_id": None}, "customer_id"),
    ({"seller_code": "ZZZ"}, "seller_code"),
])
def test_a_bad_pushed_order_is_refused_naming_the_field(client, world, changes, field):
    body = order_body(customer_id=world.cust_ns.id)
    body.update(changes)
    if body.get("customer_id") is None:
        body.pop("customer_id")
    response = client.post("/api/v1/orders", json=body, headers=bearer(world.user_admin))
    assert response.status_code == 400
    assert response.json["error"]["field"] == field


@pytest.mark.parametrize("lines, field", [
    ([{"sku": "P1", "qty": 1_000_000_000, "unit_price_fen": 2_000_000_000}], "lines[0]"),
    ([{"sku": "P1", "qty": 1, "unit_price_fen": 1}, {"sku": "P1", "qty": 100_000, "unit_price_fen": 1_000_000_001}], "lines[1]"),
    ([{"sku": "P1", "qty": 600_000, "unit_price_fen": 100_000_000}] * 2, "lines"),  # each ¥6e11, the total over ¥1e12
    ([{"sku": "P1", "qty": 1, "unit_price_fen": 2**31}], "lines[0].unit_price_fen"),  # what the price column holds
])
def test_a_line_amount_or_an_order_total_over_the_money_bound_is_refused_not_a_500(client, world, lines, field):
    body = order_body(customer_id=world.cust_ns.id, lines=lines)
    response = client.post("/api/v1/orders", json=body, headers=bearer(world.user_admin))
    assert response.status_code == 400, response.json
    assert response.json["error"]["field"] == field
    assert db.session.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.order_no == "ERP-1")) == 0


def test_a_line_above_what_32_bits_hold_is_stored_and_counted_exactly(client, world):
    # ¥30,000,000 on one line: PostgreSQL's check multiplied INTEGER columns in 32 bits before
    # migration 0016 ("integer out of range", a 500); the commission run's margin likewise
    from channel.services.commissions_run import run_period
    from tests.commissions_fixtures import plan

    body = order_body(customer_id=world.cust_ns.id, lines=[{"sku": "P1", "qty": 1000, "unit_price_fen": 3_000_000}])
    response = client.post("/api/v1/orders", json=body, headers=bearer(world.user_admin))
    assert response.status_code == 201, response.json
    assert response.json["total_fen"] == 3_000_000_000 > 2**31
    plan(level=4, base_rate_bp=100, base_kind="margin")  # NS is a reseller (level 4)
    run_period("2026-10")
    (line_id,) = db.session.scalars(select(OrderLine.id).join(SalesOrder).where(SalesOrder.order_no == "ERP-1"))
    (base,) = db.session.execute(select(LedgerLine.base_fen, LedgerLine.amount_fen).where(
        LedgerLine.order_line_id == line_id, LedgerLine.rule == "base")).all()
    margin = 1000 * (3_000_000 - world.product.cost_fen)  # ¥29,000,000: over 2^31 fen too
    assert tuple(base) == (margin, margin // 100)


@pytest.mark.parametrize("order_date", ["0001-01-01", "9999-12-31", "1899-12-31", "20261021", "2026-W43-1"])
def test_a_pushed_order_date_must_be_iso_and_within_1900_to_2999(client, world, order_date):
    body = order_body(customer_id=world.cust_ns.id, order_date=order_date)
    response = client.post("/api/v1/orders", json=body, headers=bearer(world.user_admin))
    assert response.status_code == 400, response.json
    assert response.json["error"]["field"] == "order_date"
    assert db.session.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.order_no == "ERP-1")) == 0


def test_a_pushed_order_of_more_than_500_lines_is_refused_saying_so(client, world):
    line = {"sku": "P1", "qty": 1, "unit_price_fen": 1}
    response = client.post("/api/v1/orders", json=order_body(customer_id=world.cust_ns.id, lines=[line] * 501),
                           headers=bearer(world.user_admin))
    assert response.status_code == 400 and response.json["error"]["field"] == "lines"
    assert response.json["error"]["message"] == "一个订单最多 500 行。"
    accepted = client.post("/api/v1/orders", json=order_body(customer_id=world.cust_ns.id, lines=[line] * 500),
                           headers=bearer(world.user_admin))
    assert accepted.status_code == 201


def test_a_date_filter_must_be_iso_exactly(client, world):
    response = client.get("/api/v1/orders?date_from=2026-W43-1", headers=bearer(world.user_admin))
    assert response.status_code == 400 and response.json["error"]["field"] == "date_from"


def test_a_session_cookie_write_needs_the_csrf_token_but_a_token_write_does_not(app, client, auth, world):
    app.config["WTF_CSRF_ENABLED"] = True
    auth_client = app.test_client()
    login_page = auth_client.get("/login").get_data(as_text=True)
    import re

    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login_page).group(1)
    assert auth_client.post("/login", data={"username": "admin", "password": "secret-pass", "csrf_token": csrf}).status_code == 302
    refused = auth_client.post("/api/v1/orders", json=order_body(customer_id=world.cust_ns.id))
    assert refused.status_code == 400
    accepted = client.post("/api/v1/orders", json=order_body(customer_id=world.cust_ns.id), headers=bearer(world.user_admin))
    assert accepted.status_code == 201


def test_the_api_is_rate_limited(app, client, world):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    headers = bearer(world.user_admin)
    codes = [client.get("/api/v1/products", headers=headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/api/v1/products", headers=headers).json["error"]["status"] == 429


def test_the_openapi_document_and_its_page_are_served_locally(client, world):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.") and "/agents/{id}/uplines" in spec["paths"] and "post" in spec["paths"]["/orders"]
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "push_order" in page and "cdn" not in page.lower()


def test_a_pushed_order_of_a_deactivated_seller_is_refused_from_its_deactivation_day(client, world):
    from channel.services.tree import deactivate_seller

    deactivate_seller(world.NS.id, date(2026, 10, 20))
    response = client.post("/api/v1/orders", json=order_body(customer_id=world.cust_ns.id), headers=bearer(world.user_admin))
    assert response.status_code == 400
    assert response.json["error"]["message"] == "销售方 NS 已于 2026-10-20 停用，不能记入这一天及以后的订单。"
    assert db.session.scalar(select(func.count()).select_from(SalesOrder).where(SalesOrder.order_no == "ERP-1")) == 0
    response = client.post("/api/v1/orders", json=order_body(customer_id=world.cust_ns.id, order_date="2026-10-19"),
                           headers=bearer(world.user_admin))
    assert response.status_code == 201


def test_a_pushed_order_reads_codes_and_text_by_the_pages_rules(client, world):
    # the SKU by the one code rule (code_key: any letter case), as the order entry page and the
    # imports; control characters refused as the pages refuse them (channel.domain.text)
    body = order_body(customer_id=world.cust_ns.id, lines=[{"sku": " p1", "qty": 1, "unit_price_fen": 290000}])
    response = client.post("/api/v1/orders", json=body, headers=bearer(world.user_admin))
    assert response.status_code == 201, response.json
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.order_no == "ERP-1"))
    assert [line.product_id for line in order.lines] == [world.product.id]
    for field, value in [("order_no", "ERP-\x1b2"), ("external_id", "x\x07")]:
        body = order_body(customer_id=world.cust_ns.id, **{field: value})
        response = client.post("/api/v1/orders", json=body, headers=bearer(world.user_admin))
        assert response.status_code == 400 and response.json["error"]["field"] == field, (field, response.json)
    assert client.get("/api/v1/orders?q=a%07b", headers=bearer(world.user_admin)).status_code == 400
