import hashlib
from collections import Counter
from datetime import date

from channel.domain.demo_data import DemoCompany
from channel.domain.territory_data import load_divisions

DIVISIONS = load_divisions()


def digest(company):
    h, counts = hashlib.sha256(), Counter()
    for table, rows in company.tables():
        counts[table] += len(rows)
        for row in rows:
            h.update(repr(sorted(row.items())).encode())
    return h.hexdigest(), counts


def test_same_seed_same_data_and_another_seed_differs():
    a = digest(DemoCompany(DIVISIONS, agents=60, orders=500, seed=1, until=date(2026, 10, 31)))
    b = digest(DemoCompany(DIVISIONS, agents=60, orders=500, seed=1, until=date(2026, 10, 31)))
    c = digest(DemoCompany(DIVISIONS, agents=60, orders=500, seed=2, until=date(2026, 10, 31)))
    assert a == b and a[0] != c[0]
    assert a[1]["order_line"] == 500 and a[1]["seller"] > 60


def test_four_level_pyramid_with_twelve_months_returns_and_planted_conflicts():
    company = DemoCompany(DIVISIONS, agents=200, orders=6000, seed=5, until=date(2026, 10, 31))
    tables = {}
    for table, rows in company.tables():
        tables.setdefault(table, []).extend(rows)
    agents = [s for s in tables["seller"] if s["channel"] == "agent"]
    assert {s["level"] for s in agents} == {1, 2, 3, 4} and len(agents) == 200
    lines = tables["order_line"]
    assert min(l["order_date"] for l in lines) >= date(2025, 10, 31)
    assert len({(l["order_date"].year, l["order_date"].month) for l in lines}) >= 12
    assert tables["return_line"], "some returns"
    floors = {p["product_id"]: p["price_fen"] for p in tables["product_price"] if p["kind"] == "floor"}
    below = [l for l in lines if l["kind"] == "sell_out" and l["unit_price_fen"] < floors[l["product_id"]]]
    assert 0 < len(below) < len(lines) * 0.05
    assert all(l["amount_fen"] == l["qty"] * l["unit_price_fen"] for l in lines)
    named = company.named_sellers()
    by_id = {s["id"]: s for s in tables["seller"]}
    assert by_id[named["agent"]]["level"] == 2 and by_id[named["agent2"]]["level"] == 2
    assert by_id[named["agent"]]["home_territory_id"] != by_id[named["agent2"]]["home_territory_id"]
    # `agent` has a downline at least two levels deep
    depths = [c["depth"] for c in tables["seller_closure"] if c["ancestor_id"] == named["agent"]]
    assert max(depths) >= 2


def test_no_demo_seller_holds_a_grant_beyond_its_deactivation():
    """The rule "a deactivated seller's grants end" holds for the generated company too
    (migration 0011 ends such grants in databases made before the rule)."""
    tables = {}
    for table, rows in DemoCompany(DIVISIONS, agents=200, orders=500, seed=5, until=date(2026, 10, 31)).tables():
        tables.setdefault(table, []).extend(rows)
    ended = {s["id"]: s["deactivated_on"] or date.max for s in tables["seller"] if not s["active"]}
    assert all(s["deactivated_on"] is None for s in tables["seller"] if s["active"])
    assert not [g for g in tables["territory_grant"] if g["seller_id"] in ended
                and (g["valid_to"] is None or g["valid_to"] > ended[g["seller_id"]])]
