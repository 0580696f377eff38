from datetime import date

import pytest

import models
from channel.services.clock import business_today
from models import db
from models.tree import Seller


def test_dashboard_compares_the_two_channels(client, auth, world):
    auth.login("manager")
    page = client.get("/?month=2026-10").get_data(as_text=True)
    # October: direct REP1 ¥3,000 + REP3 ¥2,700; agents NS ¥6,000 + TH ¥2,800 + HZ ¥2,900
    assert 'data-channel="direct">¥5,700.00' in page
    assert 'data-channel="agent">¥11,700.00' in page
    assert "<svg" in page  # charts drawn on the server


def test_dashboard_figures_are_scoped_to_the_agent(client, auth, world):
    auth.login("agent_zj")
    page = client.get("/?month=2026-10").get_data(as_text=True)
    assert 'data-channel="agent">¥2,900.00' in page
    assert 'data-channel="direct"' not in page  # the direct channel is not its to see, not "¥0.00"


def test_pyramid_counts_agents_per_level(client, auth, world):
    auth.login("manager")
    page = client.get("/pyramid").get_data(as_text=True)
    assert 'data-level="1"' in page and 'data-level="4"' in page
    table = page[page.index('id="level-table"'):]
    assert "总代理</td><td class=\"money\">1<" in table and "市代</td><td class=\"money\">3<" in table


def test_tree_children_load_on_demand(client, auth, world):
    auth.login("manager")
    fragment = client.get(f"/tree/{world.GD.id}/children").get_data(as_text=True)
    assert "深圳市代" in fragment and "广州市代" in fragment and "南山分销" not in fragment
    # a focus path is ids; "²" (isdigit() but not int()) is skipped, not a 500
    response = client.get(f"/tree/{world.GD.id}/children", query_string={"path": f"{world.SZ.id},²"})
    assert response.status_code == 200 and "深圳市代" in response.get_data(as_text=True)


def test_seller_page_shows_chain_children_territories_and_orders(client, auth, world):
    auth.login("manager")
    page = client.get(f"/sellers/{world.SZ.id}").get_data(as_text=True)
    chain = page[page.index('id="upline-chain"'):page.index("</ol>")]
    assert chain.index("全国总代理") < chain.index("广东省代")
    assert "南山分销" in page and "深圳市" in page and "独家" in page
    assert 'id="downline-size">1<' in page


def test_seller_page_links_its_rows_and_its_sales_follow_a_new_sale(client, auth, world):
    from flask import url_for

    from channel.services.orders import LineInput, record_order
    from models.territory import Territory

    auth.login("manager")
    page = client.get(f"/sellers/{world.NS.id}").get_data(as_text=True)
    orders = page[page.index("最近订单"):]
    assert f'<a href="/orders/{world.order_ns.id}">SO-NS-1</a></td><td>2026-10-05</td>' in orders
    assert "销售出库" in orders and db.session.get(Territory, 440305).name in orders
    with client.application.test_request_context():
        assert f'<a href="{url_for("tree.seller", seller_id=world.NS.id)}">南山分销</a>' in \
            client.get(f"/sellers/{world.SZ.id}").get_data(as_text=True)
    before = client.get(f"/sellers/{world.SZ.id}").get_data(as_text=True)
    assert '本月团队销售</dt><dd class="col-7 money text-start">¥0.00<' in before
    record_order(order_no="SO-NS-NOW", kind="sell_out", seller_id=world.NS.id, customer_id=world.cust_ns.id,
                 ship_to_district_id=440305, order_date=business_today(), lines=[LineInput(world.product.id, 1, 123_400)])
    team = client.get(f"/sellers/{world.SZ.id}").get_data(as_text=True)
    assert '本月个人销售</dt><dd class="col-7 money text-start">¥0.00<' in team
    assert '本月团队销售</dt><dd class="col-7 money text-start">¥1,234.00<' in team
    own = client.get(f"/sellers/{world.NS.id}").get_data(as_text=True)
    assert '本月个人销售</dt><dd class="col-7 money text-start">¥1,234.00<' in own


def test_filter_fields_reused_keep_each_request_values_errors_and_language(client, auth, world):
    auth.login("manager")
    bad = client.get("/orders", query_string={"territory": "abc"}).get_data(as_text=True)
    assert "field-error" in bad and 'name="territory" type="text" value="abc"' in bad
    plain = client.get("/orders").get_data(as_text=True)
    assert "field-error" not in plain and 'name="territory" type="text" value=""' in plain
    assert 'value="sell_in">进货' in plain and '<option selected value="sell_in">' not in plain
    chosen = client.get("/orders", query_string={"kind": "sell_in"}).get_data(as_text=True)
    assert '<option selected value="sell_in">' in chosen
    client.post("/lang/en", data={"next": "/"})
    english = client.get("/orders").get_data(as_text=True)
    assert "区域代码" not in english and "field-error" not in english


def test_move_form_re_renders_with_the_reason_when_refused(client, auth, world):
    auth.login("manager")
    response = client.post(f"/sellers/{world.GD.id}/move", data={"move-parent_code": "NS", "move-effective_on": "2026-11-01"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "field-error" in page and 'value="NS"' in page
    assert db.session.get(Seller, world.GD.id).parent_id == world.N1.id


def test_move_form_moves_the_agent(client, auth, world):
    auth.login("manager")
    response = client.post(f"/sellers/{world.SZ.id}/move", data={"move-parent_code": "ZJ", "move-effective_on": date.today().isoformat()})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Seller, world.SZ.id).parent_id == world.ZJ.id


def test_grant_form_refuses_an_overlapping_exclusive_grant(client, auth, world):
    auth.login("manager")
    response = client.post(f"/sellers/{world.GZ.id}/grants", data={
        "grant-territory_code": "440305", "grant-exclusive": "y", "grant-valid_from": "2026-01-01"})
    assert response.status_code == 400
    assert "深圳市代" in response.get_data(as_text=True)
    response = client.post(f"/sellers/{world.GZ.id}/grants", data={"grant-territory_code": "12345x", "grant-valid_from": "2026-01-01"})
    assert response.status_code == 400 and "6 位行政区划代码" in response.get_data(as_text=True)


def test_a_move_deactivation_or_grant_dated_year_9999_is_refused_on_its_field(client, auth, world):
    """A slip to 9999-12-31 used to be saved: the subtree's last change was then in year 9999, so
    every later move was refused as "before the last change" and the seller was frozen."""
    from models.tree import TerritoryGrant

    auth.login("manager")
    grants = db.session.query(TerritoryGrant).count()
    for url, data, field in [
        (f"/sellers/{world.SZ.id}/move", {"move-parent_code": "ZJ", "move-effective_on": "9999-12-31"}, "move-effective_on"),
        (f"/sellers/{world.SZ.id}/deactivate", {"deactivate-effective_on": "9999-12-31"}, "deactivate-effective_on"),
        (f"/sellers/{world.GZ.id}/grants", {"grant-territory_code": "440106", "grant-valid_from": "9999-12-31"}, "grant-valid_from"),
    ]:
        response = client.post(url, data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, url
        block = page.split(f'id="{field}"')[1].split("</div>\n  </div>")[0]
        assert "is-invalid" in page.split(f'id="{field}"')[0][-200:] and "日期超出范围" in block, url
    db.session.expire_all()
    seller = db.session.get(Seller, world.SZ.id)
    assert seller.parent_id == world.GD.id and seller.active
    assert db.session.query(TerritoryGrant).count() == grants
    response = client.post(f"/sellers/{world.SZ.id}/move", data={"move-parent_code": "ZJ", "move-effective_on": date.today().isoformat()})
    assert response.status_code == 302


def test_order_list_filters_by_territory_subtree_channel_and_dates(client, auth, world):
    auth.login("manager")
    page = client.get("/orders", query_string={"territory": "440000"}).get_data(as_text=True)
    assert "SO-NS-1" in page and "SO-TH-1" in page and "SO-HZ-1" not in page
    page = client.get("/orders", query_string={"channel": "direct"}).get_data(as_text=True)
    assert "SO-REP1-1" in page and "SO-NS-1" not in page
    page = client.get("/orders", query_string={"date_from": "2026-10-09", "date_to": "2026-10-10"}).get_data(as_text=True)
    assert "SO-HZ-1" in page and "SO-REP1-1" in page and "SO-TH-1" not in page
    page = client.get("/orders", query_string={"seller": "GD"}).get_data(as_text=True)
    assert "SO-NS-1" in page and "SO-HZ-1" not in page


def test_bad_filters_show_field_errors_not_a_crash(client, auth, world):
    auth.login("manager")
    response = client.get("/orders", query_string={"territory": "abc", "date_from": "yesterday"})
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("field-error") >= 2


def test_a_blank_territory_filter_is_no_filter_not_a_crash(client, auth, world):
    auth.login("manager")
    for url in ("/customers", "/orders", "/customers/export.csv", "/orders/export.csv"):
        response = client.get(url, query_string={"territory": " "})
        assert response.status_code == 200, url
        assert "field-error" not in response.get_data(as_text=True), url
    page = client.get("/orders", query_string={"territory": " "}).get_data(as_text=True)
    assert "SO-NS-1" in page


def test_keyset_pagination_walks_every_order_once(app, client, auth, world):
    from channel.services.listing import Filters, orders_page
    from models.users import User

    manager = db.session.query(User).filter_by(username="manager").one()
    seen, cursor = [], None
    while True:
        page = orders_page(manager, Filters(), cursor, size=2)
        seen += [o.order_no for o in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(["SO-NS-1", "SO-TH-1", "SO-HZ-1", "SO-REP1-1", "SO-REP3-1"])
    assert seen[0] == "SO-REP3-1"  # newest first


def test_dashboard_nets_returns_and_sees_new_orders_at_once(client, auth, world):
    from channel.services.orders import LineInput, record_order, record_return

    auth.login("manager")
    assert 'data-channel="agent">¥11,700.00' in client.get("/?month=2026-10").get_data(as_text=True)
    record_return(return_no="R-1", order_line_id=world.order_ns.lines[0].id, qty=1, return_date=date(2026, 10, 20))
    assert 'data-channel="agent">¥8,700.00' in client.get("/?month=2026-10").get_data(as_text=True)
    record_order(order_no="SO-LATE", kind="sell_out", seller_id=world.TH.id, customer_id=world.cust_th.id,
                 ship_to_district_id=440106, order_date=date(2026, 10, 30), lines=[LineInput(world.product.id, 1, 260000)])
    assert 'data-channel="agent">¥11,300.00' in client.get("/?month=2026-10").get_data(as_text=True)


def test_pyramid_counts_follow_a_deactivation_at_once(client, auth, world):
    from channel.services.tree import deactivate_seller

    auth.login("manager")
    table = lambda: client.get("/pyramid").get_data(as_text=True).split('id="level-table"')[1]  # noqa: E731
    assert "分销商</td><td class=\"money\">2<" in table()
    deactivate_seller(world.TH.id, date(2026, 11, 1))
    assert "分销商</td><td class=\"money\">1<" in table()


def test_chart_axes_shorten_long_amounts_in_the_readers_language(app):
    from flask_babel import refresh

    from channel.charts import axis_yuan

    with app.test_request_context("/?lang=zh"):
        refresh()  # the test's app context outlives each request context: the locale is not re-read
        assert (axis_yuan(2_910_000), axis_yuan(95_000)) == ("291万", "95,000")
    with app.test_request_context("/?lang=en"):
        refresh()
        assert (axis_yuan(2_910_000), axis_yuan(250_000), axis_yuan(95_000)) == ("2.9M", "250K", "95,000")


def test_one_chart_axis_shortens_every_label_in_one_unit(app):
    """126,295.30 yuan at the top: the axis reads ... 90K, 100K, 110K, 120K, never 90,000 beside 100K."""
    import re

    from flask_babel import refresh

    from channel.charts import bar

    def axis_labels():
        svg = bar("t", ["a", "b"], {"2026-10": [0, 12_629_530], "2026-11": [0, 10_847_567]})
        return re.findall(r'<g class="guides"><path[^>]*/><text[^>]*>([^<]+)</text>', svg)

    with app.test_request_context("/?lang=en"):
        refresh()
        labels = axis_labels()
        assert "90K" in labels and "120K" in labels and not any("," in label for label in labels)
    with app.test_request_context("/?lang=zh"):
        refresh()
        labels = axis_labels()
        assert "9万" in labels and "12万" in labels and not any("," in label for label in labels)


@pytest.mark.parametrize("username, shown", [("director", "销售总监"), ("mgr", "销售经理"), ("rep1", "销售代表"),
                                             ("agent_gd", "省代"), ("manager", "渠道经理")])
def test_the_top_bar_names_a_bound_user_by_its_sellers_level_and_others_by_role(client, auth, world, username, shown):
    auth.login(username)
    whoami = client.get("/").get_data(as_text=True).split('id="whoami">')[1].split("</span>")[0]
    assert whoami.endswith(f" · {shown}")


def test_a_malformed_dashboard_month_is_said_so_and_this_month_is_shown(client, auth, world):
    auth.login("manager")
    response = client.get("/?month=2026-13")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="month-error"' in page and "YYYY-MM" in page
    assert client.get("/?month=2026-10").status_code == 200
    assert 'id="month-error"' not in client.get("/?month=").get_data(as_text=True)
def test_the_seller_forms_and_the_scan_form_default_to_todays_date_in_beijing(client, auth, world, monkeypatch):
    """At 01:00 on 1 December in Beijing a UTC server is still on 30 November: the effective dates
    and the scan's month used to default to the server's day (yesterday, last month)."""
    from datetime import datetime

    monkeypatch.setattr(models, "utcnow", lambda: datetime(2026, 11, 30, 17, 0))  # naive UTC
    auth.login("manager")
    page = client.get(f"/sellers/{world.SZ.id}").get_data(as_text=True)
    for field in ("move-effective_on", "deactivate-effective_on", "grant-valid_from"):
        assert f'id="{field}" name="{field}" required type="date" value="2026-12-01"' in page, field
    assert 'value="2026-12"' in client.get("/conflicts").get_data(as_text=True)


def test_this_month_on_the_dashboard_pyramid_and_seller_page_is_beijings(client, auth, world, monkeypatch):
    """At 01:00 on 1 December in Beijing the dashboard, the pyramid and the seller page showed
    November ("this month" from the server's date), with December's first sales left out."""
    from datetime import datetime

    from channel.services.orders import LineInput, record_order

    monkeypatch.setattr(models, "utcnow", lambda: datetime(2026, 11, 30, 17, 0))  # naive UTC
    record_order(order_no="SO-DEC-1", kind="sell_out", seller_id=world.NS.id, customer_id=world.cust_ns.id,
                 ship_to_district_id=440305, order_date=date(2026, 12, 1), lines=[LineInput(world.product.id, 1, 123_400)])
    auth.login("manager")
    assert "2026-12" in client.get("/").get_data(as_text=True).split("</h1>")[0]
    assert "(2026-12)" in client.get("/pyramid").get_data(as_text=True)
    own = client.get(f"/sellers/{world.NS.id}").get_data(as_text=True)
    assert '本月个人销售</dt><dd class="col-7 money text-start">¥1,234.00<' in own


@pytest.mark.parametrize("path", ["/customers?q=_", "/customers?q=%25", "/orders?q=_"])
def test_a_percent_or_underscore_in_a_search_is_that_character_not_a_wildcard(client, auth, world, path):
    auth.login("manager")
    response = client.get(path)
    assert response.status_code in (200, 400)
    body = response.get_data(as_text=True)
    assert "深圳南山华盛贸易有限公司" not in body and "SO-NS-1" not in body and "南山分销" not in body


def test_text_like_escapes_only_when_the_text_needs_it(world):
    from channel.services.listing import text_like
    from models.tree import Seller as S

    assert "ESCAPE" not in str(text_like(S.code, "GD").compile())
    assert "ESCAPE" in str(text_like(S.code, "G_D").compile())
    add = db.session.add
    add(Seller(code="A_1", name="下划线一", channel="agent", level=4, parent_id=world.SZ.id, joined_on=date(2026, 1, 1)))
    db.session.flush()
    found = db.session.scalars(db.select(S.code).where(text_like(S.code, "A_"))).all()
    assert found == ["A_1"]
    from channel.services import sellers

    assert [s.code for s in sellers.search(world.user_manager, "A_")] == ["A_1"]  # the pyramid's search
    assert sellers.search(world.user_manager, "_") == []  # matched every seller


def test_an_order_date_range_ending_before_it_starts_is_said_so_not_an_empty_list(client, auth, world):
    auth.login("manager")
    page = client.get("/orders?date_from=2026-10-10&date_to=2026-10-01").get_data(as_text=True)
    assert "结束日期不能早于开始日期。" in page and "SO-NS-1" not in page
    assert client.get("/orders/export.csv?date_from=2026-10-10&date_to=2026-10-01").status_code == 400
    assert "日期超出范围" in client.get("/orders?date_from=0001-01-01").get_data(as_text=True)
    shown = client.get("/orders?date_from=2026-10-01&date_to=2026-10-09").get_data(as_text=True)
    assert "SO-NS-1" in shown and "SO-HZ-1" in shown and "SO-REP3-1" not in shown  # 5th and 9th in, 11th out
    # the audit log's range the same way
    client.post("/logout")
    auth.login("admin")
    assert "结束日期不能早于开始日期。" in client.get("/audit?date_from=2026-10-10&date_to=2026-10-01").get_data(as_text=True)


@pytest.mark.parametrize("username, shown, hidden", [("agent_gd", "代理金字塔", "直销团队"), ("rep1", "直销团队", "代理金字塔")])
def test_a_seller_is_offered_the_tree_of_its_own_channel_only(client, auth, world, username, shown, hidden):
    """An agent sees no direct seller and a rep no agent: the other channel's tree would be empty."""
    auth.login(username)
    nav = client.get("/").get_data(as_text=True).split("</ul>")[0]
    assert shown in nav and hidden not in nav
    other = "direct" if username.startswith("agent") else "agent"
    page = client.get(f"/pyramid?channel={other}").get_data(as_text=True)  # typed by hand: said why it is empty
    assert "这个渠道里没有你可以查看的销售方。" in page and "还没有销售方。" not in page


def test_a_manager_is_offered_both_trees(client, auth, world):
    auth.login("manager")
    nav = client.get("/").get_data(as_text=True).split("</ul>")[0]
    assert "代理金字塔" in nav and "直销团队" in nav


def test_the_order_page_heads_its_one_customer_in_the_singular(client, auth, world):
    auth.login("manager")
    page = client.get(f"/orders/{world.order_ns.id}?lang=en").get_data(as_text=True)
    assert '<dt class="col-sm-2">Customer</dt>' in page and '>Customers</dt>' not in page
    page = client.get(f"/orders/{world.order_ns.id}?lang=zh").get_data(as_text=True)
    assert '<dt class="col-sm-2">客户</dt>' in page
