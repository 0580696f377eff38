"""A QA pass over the foundation pages (dashboard, trees, seller pages, customers, orders, users):
each test is a defect a channel manager met, in the words they would use."""
from __future__ import annotations

from datetime import date

from channel.services.orders import record_return
from models import db
from models.tree import Seller


def test_an_empty_effective_date_on_a_move_or_deactivation_speaks_of_the_change_not_a_plan(client, auth, world):
    """English said "Enter the date the plan takes effect." on the seller page (the commission
    plan form's wording, the same Chinese text)."""
    auth.login("manager")
    client.post("/lang/en", data={"next": "/"})
    for url, data in [(f"/sellers/{world.SZ.id}/move", {"move-parent_code": "ZJ", "move-effective_on": ""}),
                      (f"/sellers/{world.SZ.id}/deactivate", {"deactivate-effective_on": ""})]:
        response = client.post(url, data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, url
        assert "Enter the date the change takes effect." in page and "plan takes effect" not in page, url
    db.session.expire_all()
    assert db.session.get(Seller, world.SZ.id).parent_id == world.GD.id


def test_an_order_page_lists_its_returns_and_the_amount_net_of_them(client, auth, world):
    line = world.order_ns.lines[0]  # 2 × ¥3,000
    auth.login("manager")
    page = client.get(f"/orders/{world.order_ns.id}").get_data(as_text=True)
    assert "这张订单没有退货。" in page and 'id="order-net"' not in page
    record_return(return_no="RT-NS-1", order_line_id=line.id, qty=1, return_date=date(2026, 10, 20), reason="破损")
    page = client.get(f"/orders/{world.order_ns.id}").get_data(as_text=True)
    returns = page[page.index('id="order-returns"'):]
    assert "RT-NS-1" in returns and "2026-10-20" in returns and "破损" in returns and "净水器" in returns
    assert 'id="order-returned">¥3,000.00<' in returns and 'id="order-net">¥3,000.00<' in returns
    assert 'id="order-total">¥6,000.00<' in page

    client.post("/lang/en", data={"next": "/"})
    english = client.get(f"/orders/{world.order_ns.id}").get_data(as_text=True)
    assert "<h1 class=\"h4\">Order SO-NS-1</h1>" in english
    assert "Returned in total" in english and "Amount after returns" in english


def test_an_agent_reaches_neither_another_branchs_order_nor_its_returns_by_id(client, auth, world):
    record_return(return_no="RT-HZ-1", order_line_id=world.order_hz.lines[0].id, qty=1, return_date=date(2026, 10, 20))
    auth.login("agent_gd")
    response = client.get(f"/orders/{world.order_hz.id}")
    assert response.status_code == 404 and "RT-HZ-1" not in response.get_data(as_text=True)
    auth.logout()
    auth.login("agent_zj")
    assert "RT-HZ-1" in client.get(f"/orders/{world.order_hz.id}").get_data(as_text=True)


def test_a_past_month_on_the_dashboard_is_not_called_this_month(client, auth, world):
    """?month=2026-10 (in November) showed October's figures under "本月净销售额" and "本月销售前十",
    and September's as "上月"."""
    auth.login("manager")
    page = client.get("/?month=2026-10").get_data(as_text=True)
    assert "本月" not in page and "上月" not in page
    assert "2026-10 净销售额" in page and "2026-10 销售前十" in page and "2026-09 ¥" in page
    assert 'data-channel="direct">¥5,700.00' in page
    empty = client.get("/?month=2025-10").get_data(as_text=True)
    assert "这个月没有销售。" in empty and "本月还没有销售" not in empty
    this_month = client.get("/").get_data(as_text=True)
    assert "本月净销售额" in this_month and "上月" in this_month
    client.post("/lang/en", data={"next": "/"})
    english = client.get("/?month=2026-10").get_data(as_text=True)
    assert "Net sales in 2026-10" in english and "Top ten sellers in 2026-10" in english
    assert "this month" not in english.lower()


def test_an_agent_and_a_rep_see_only_their_own_channel_on_the_dashboard(client, auth, world):
    """An agent's dashboard showed "直销 · 本月净销售额 ¥0.00" and an empty direct bar, as if the
    company's direct team had sold nothing; a rep's showed the agent levels' empty chart."""
    auth.login("agent_gd")
    page = client.get("/?month=2026-10").get_data(as_text=True)
    assert 'data-channel="agent">¥8,800.00' in page and 'data-channel="direct"' not in page
    assert "代理销售额（元）" in page and "两个渠道" not in page and ">直销<" not in page
    assert "代理各层级销售额（元）" in page
    auth.logout()
    auth.login("mgr")
    page = client.get("/?month=2026-10").get_data(as_text=True)
    assert 'data-channel="direct">¥3,000.00' in page and 'data-channel="agent"' not in page
    assert "直销各层级销售额（元）" in page and "代理各层级" not in page and ">分销商<" not in page
    auth.logout()
    auth.login("manager")
    page = client.get("/?month=2026-10").get_data(as_text=True)
    assert 'data-channel="direct">¥5,700.00' in page and 'data-channel="agent">¥11,700.00' in page
    assert "两个渠道的销售额（元）" in page and "代理各层级销售额（元）" in page


def test_a_refused_role_change_keeps_what_the_administrator_typed_beside_the_reason(client, auth, world):
    """A refused role change redirected to the list with a flash: the row showed the old role and
    seller again, and what had been typed (the role, the seller code) was lost."""
    from models.users import User

    auth.login("admin")
    response = client.post(f"/users/{world.user_finance.id}/role", data={"role": "sales_rep", "seller": "NOPE9"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    row = page.split('data-username="finance"')[1].split("</tr>")[0]
    assert 'value="NOPE9"' in row and "没有编码为 NOPE9 的销售方。" in row
    assert '<option value="sales_rep" selected>' in row and "form-control form-control-sm is-invalid" in row
    other = page.split('data-username="finance2"')[1].split("</tr>")[0]
    assert "field-error" not in other and '<option value="finance" selected>' in other

    agent_row = client.post(f"/users/{world.user_finance.id}/role", data={"role": "agent", "seller": "REP1"})
    row = agent_row.get_data(as_text=True).split('data-username="finance"')[1].split("</tr>")[0]
    assert agent_row.status_code == 400 and 'value="REP1"' in row and "属于直销团队" in row

    own = client.post(f"/users/{world.user_admin.id}/role", data={"role": "finance", "seller": ""})
    row = own.get_data(as_text=True).split('data-username="admin"')[1].split("</tr>")[0]
    assert own.status_code == 400 and "您不能修改自己的角色" in row and "form-select form-select-sm w-auto is-invalid" in row

    bad_role = client.post(f"/users/{world.user_finance.id}/role", data={"role": "boss", "seller": ""})
    assert bad_role.status_code == 400 and "请选择一个角色。" in bad_role.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.user_finance.id).role == "finance"
    assert db.session.get(User, world.user_admin.id).role == "admin"


def test_an_unknown_territory_code_in_the_list_filters_is_said_so_beside_the_field(client, auth, world):
    """territory=999999 (six digits, no such division) answered "没有符合条件的客户。", as if the
    division existed and had no customers."""
    auth.login("manager")
    for url in ("/customers", "/orders"):
        page = client.get(url, query_string={"territory": "999999"}).get_data(as_text=True)
        field = page.split('name="territory"')[1].split("</div>\n")[0]
        assert "没有这个行政区划。" in field and 'value="999999"' in page, url
        assert "深圳南山华盛贸易有限公司" not in page, url
        known = client.get(url, query_string={"territory": "440300"}).get_data(as_text=True)
        assert "没有这个行政区划" not in known and "深圳南山华盛贸易有限公司" in known, url
        country = client.get(url, query_string={"territory": "100000"}).get_data(as_text=True)
        assert "没有这个行政区划" not in country and "杭州西湖恒通科技有限公司" in country, url
    assert client.get("/orders/export.csv", query_string={"territory": "999999"}).status_code == 400
    export = client.get("/customers/export.csv", query_string={"territory": "440300"})
    assert export.status_code == 200 and "深圳南山华盛贸易有限公司" in export.get_data(as_text=True)
    export.close()  # a streamed body left open outlives its request context (and broke the next request)
    client.post("/lang/en", data={"next": "/"})
    english = client.get("/customers", query_string={"territory": "999999"}).get_data(as_text=True)
    assert "No such division." in english


def test_the_api_refuses_a_date_range_ending_before_it_starts_on_date_to(client, world):
    """GET /api/v1/orders?date_from=2026-10-31&date_to=2026-10-01 answered 200 with no rows,
    where the orders page says the range is backwards."""
    from channel.services.api_tokens import create_token

    _, secret = create_token(world.user_manager, "qa")
    headers = {"Authorization": f"Bearer {secret}"}
    for path in ("/api/v1/orders", "/api/v1/returns", "/api/v1/code_scans"):
        refused = client.get(f"{path}?date_from=2026-10-31&date_to=2026-10-01", headers=headers)
        assert refused.status_code == 400, path
        assert refused.json["error"]["field"] == "date_to" and "date_from" in refused.json["error"]["message"], path
    same_day = client.get("/api/v1/orders?date_from=2026-10-05&date_to=2026-10-05", headers=headers)
    assert same_day.status_code == 200 and [o["order_no"] for o in same_day.json["data"]] == ["SO-NS-1"]
    english = client.get("/api/v1/orders?date_from=2026-10-31&date_to=2026-10-01&lang=en", headers=headers)
    assert english.json["error"]["message"] == "Parameter date_to cannot be before date_from."
