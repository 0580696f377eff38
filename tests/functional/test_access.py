"""Each access rule, tried by id: the forbidden object is refused (404, its existence hidden)."""
import pytest


def get(client, path):
    return client.get(path).status_code


def test_an_agent_sees_itself_and_its_downline(client, auth, world):
    auth.login("agent_gd")
    for seller in (world.GD, world.SZ, world.GZ, world.NS, world.TH):
        assert get(client, f"/sellers/{seller.id}") == 200


@pytest.mark.parametrize("who", ["ZJ", "HZ", "N1", "DIR", "REP1"])
def test_an_agent_is_refused_a_sibling_an_upline_or_another_branch(client, auth, world, who):
    auth.login("agent_gd")
    assert get(client, f"/sellers/{getattr(world, who).id}") == 404


def test_a_city_agent_is_refused_its_own_upline_and_its_sibling_city(client, auth, world):
    auth.login("agent_sz")
    assert get(client, f"/sellers/{world.GD.id}") == 404
    assert get(client, f"/sellers/{world.GZ.id}") == 404
    assert get(client, f"/tree/{world.GZ.id}/children") == 404
    assert get(client, f"/sellers/{world.NS.id}") == 200


def test_an_agent_is_refused_another_branchs_customers_and_orders(client, auth, world):
    auth.login("agent_sz")
    assert get(client, f"/customers/{world.cust_ns.id}") == 200
    assert get(client, f"/orders/{world.order_ns.id}") == 200
    assert get(client, f"/customers/{world.cust_th.id}") == 404
    assert get(client, f"/orders/{world.order_th.id}") == 404
    assert get(client, f"/orders/{world.order_rep1.id}") == 404


def test_lists_show_only_what_the_user_may_see(client, auth, world):
    auth.login("agent_zj")
    page = client.get("/orders").get_data(as_text=True)
    assert "SO-HZ-1" in page and "SO-NS-1" not in page and "SO-REP1-1" not in page
    page = client.get("/customers").get_data(as_text=True)
    assert "杭州西湖恒通科技有限公司" in page and "深圳南山华盛贸易有限公司" not in page


@pytest.mark.parametrize("path", ["/customers", "/orders", "/customers/export.csv", "/orders/export.csv",
                                  "/sellers/export.csv"])
def test_a_seller_filter_does_not_reveal_which_codes_exist_outside_the_scope(client, auth, world, path):
    """A code outside the scope answers as an unknown code does (the page says there is no such
    seller, the export 400), not as an existing seller with nothing to show."""
    auth.login("agent_sz")
    outside = client.get(path, query_string={"seller": world.HZ.code})
    unknown = client.get(path, query_string={"seller": "NO-SUCH-CODE"})
    assert outside.status_code == unknown.status_code
    if path.endswith(".csv"):
        assert outside.status_code == 400
    else:
        assert "没有这个编码的销售方" in outside.get_data(as_text=True)
    inside = client.get(path, query_string={"seller": world.NS.code})
    assert inside.status_code == 200 and inside.get_data()  # (a streamed export: read to its end)


def test_a_rep_sees_only_their_own_customers_and_orders(client, auth, world):
    auth.login("rep1")
    assert get(client, f"/customers/{world.cust_rep1.id}") == 200
    assert get(client, f"/customers/{world.cust_rep3.id}") == 404
    assert get(client, f"/orders/{world.order_rep3.id}") == 404
    assert get(client, f"/sellers/{world.REP2.id}") == 404
    assert get(client, f"/sellers/{world.MGR.id}") == 404
    page = client.get("/orders").get_data(as_text=True)
    assert "SO-REP1-1" in page and "SO-REP3-1" not in page


def test_a_manager_in_the_direct_tree_sees_their_team_only(client, auth, world):
    auth.login("mgr")
    assert get(client, f"/sellers/{world.REP1.id}") == 200
    assert get(client, f"/sellers/{world.REP2.id}") == 200
    assert get(client, f"/sellers/{world.REP3.id}") == 404
    assert get(client, f"/customers/{world.cust_rep3.id}") == 404


def test_the_director_sees_the_whole_direct_team_but_no_agent(client, auth, world):
    auth.login("director")
    assert get(client, f"/sellers/{world.REP3.id}") == 200
    assert get(client, f"/sellers/{world.NS.id}") == 404


def test_tree_search_never_reveals_a_seller_outside_the_scope(client, auth, world):
    auth.login("agent_sz")
    page = client.get("/pyramid", query_string={"q": "分销"}).get_data(as_text=True)
    assert "南山分销" in page and "天河分销" not in page


def test_the_pyramid_opens_at_the_agents_own_node(client, auth, world):
    auth.login("agent_gd")
    page = client.get("/pyramid").get_data(as_text=True)
    assert "广东省代" in page and "全国总代理" not in page
    assert get(client, f"/pyramid?focus={world.HZ.id}") == 404


@pytest.mark.parametrize("path", ["/sellers/{id}/move", "/sellers/{id}/grants", "/sellers/{id}/deactivate"])
def test_only_editors_may_change_the_tree(client, auth, world, path):
    auth.login("agent_gd")
    assert client.post(path.format(id=world.NS.id), data={}).status_code == 403
    auth.logout()
    auth.login("finance")
    assert client.post(path.format(id=world.NS.id), data={}).status_code == 403


def test_unknown_ids_answer_404(client, auth, world):
    auth.login("manager")
    for path in ("/sellers/999999", "/customers/999999", "/orders/999999", "/tree/999999/children"):
        assert get(client, path) == 404
