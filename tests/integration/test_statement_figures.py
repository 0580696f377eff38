"""A statement's net sales, tier base and "progress to the next tier" rest on the base a run
uses: the order kinds the plan counts, its revenue or margin base, net of returns, and the
certifications the seller holds on the month's last day. Amounts worked out by hand from
tests/world.py (product cost ¥1,000; NS sold 2 × ¥3,000 and TH 1 × ¥2,800 on 2026-10-05/08)."""
from datetime import date

from sqlalchemy import select

from channel.domain.commissions import Tier
from channel.services.commissions_run import run_period
from channel.services.commissions_statements import statement
from channel.services.orders import record_return
from models import db
from models.commissions import LedgerLine
from tests.commissions_fixtures import plan, sale

STEP = (Tier(0, 1_000_000, 0), Tier(1_000_000, None, 200))  # 0 % below ¥10,000, 2 % above


def test_a_sell_out_plan_leaves_the_sellers_purchases_out_of_its_net(world):
    w = world
    plan(level=4, base_rate_bp=300, tiers=STEP)
    sale(w, w.NS, 300_000, date(2026, 10, 6), kind="sell_in")  # bought from the company: not counted
    st = statement(w.user_admin, w.NS.id, "2026-10")
    assert st.net_sales_fen == st.tier_base_fen == 600_000
    assert st.next_tier == (400_000, 200)  # ¥10,000 - ¥6,000, not ¥1,000
    assert st.uncounted_orders == (("sell_in", 1),)  # what the page says it left out


def test_a_sell_in_plan_counts_only_purchases(world):
    w = world
    plan(level=4, base_rate_bp=300, order_kind="sell_in", tiers=STEP)
    sale(w, w.NS, 300_000, date(2026, 10, 6), kind="sell_in")
    st = statement(w.user_admin, w.NS.id, "2026-10")
    assert st.net_sales_fen == 300_000 and st.next_tier == (700_000, 200)
    assert st.uncounted_orders == (("sell_out", 1),)


def test_a_plan_counting_every_kind_leaves_no_order_out(world):
    w = world
    plan(level=4, base_rate_bp=300, order_kind="all")
    sale(w, w.NS, 300_000, date(2026, 10, 6), kind="sell_in")
    st = statement(w.user_admin, w.NS.id, "2026-10")
    assert st.net_sales_fen == 900_000 and st.uncounted_orders == ()


def test_a_margin_plan_measures_progress_in_margin_net_of_returns_before_any_tier_line(world):
    w = world
    plan(level=4, base_rate_bp=300, base_kind="margin", tiers=STEP)
    record_return(return_no="R-NS", order_line_id=w.order_ns.lines[0].id, qty=1, return_date=date(2026, 10, 20))
    run_period("2026-10")
    assert not db.session.scalars(select(LedgerLine).where(LedgerLine.rule == "tier")).all()  # 0 % bracket
    st = statement(w.user_admin, w.NS.id, "2026-10")
    # sales ¥6,000 - ¥3,000 returned; margin 2 × ¥2,000 - 1 × ¥2,000 = ¥2,000; ¥8,000 of margin to go
    assert (st.net_sales_fen, st.tier_base_fen, st.next_tier) == (300_000, 200_000, (800_000, 200))


def test_a_bracket_needing_a_certification_the_seller_lacks_is_not_the_next_tier(world):
    from channel.services.selling_enablement import certify

    w = world
    plan(level=4, base_rate_bp=100,
         tiers=(Tier(0, 500_000, 100), Tier(500_000, 1_000_000, 300, "C1"), Tier(1_000_000, None, 500)))
    st = statement(w.user_admin, w.TH.id, "2026-10")
    assert st.next_tier == (720_000, 500)  # ¥10,000 - ¥2,800: the 3 % bracket would pay TH 1 %
    certify(w.user_manager, seller_id=w.TH.id, code="C1", passed=True, certified_on=date(2026, 11, 1))
    assert statement(w.user_admin, w.TH.id, "2026-10").next_tier == (720_000, 500)  # too late for October
    certify(w.user_manager, seller_id=w.TH.id, code="C1", passed=True, certified_on=date(2026, 10, 31))
    assert statement(w.user_admin, w.TH.id, "2026-10").next_tier == (220_000, 300)


def test_a_negative_month_offers_the_first_paying_bracket_counting_the_returns_to_make_up(world):
    w = world
    plan(level=4, base_rate_bp=300, tiers=STEP)
    record_return(return_no="R-TH", order_line_id=w.order_th.lines[0].id, qty=1, return_date=date(2026, 11, 3))
    st = statement(w.user_admin, w.TH.id, "2026-11")
    assert st.net_sales_fen == st.tier_base_fen == -280_000
    assert st.next_tier == (1_280_000, 200)  # ¥2,800 to make up, then ¥10,000: never "0 %"


def test_the_statement_shows_the_figures_the_run_posted(world):
    """Tier lines carry the run's net base, personal bonus lines its net sales: a statement
    shows the same figures, whatever the plan counts (kinds, revenue or margin, a version
    changing mid-month, returns)."""
    w = world
    every = dict(tiers=(Tier(0, None, 100),), bonus_target_fen=100, bonus_fen=100)
    # resellers: sell-out margin until 10-15, then every order kind on revenue
    plan(level=4, base_rate_bp=100, base_kind="margin", valid_to=date(2026, 10, 15), **every)
    plan(name="新方案", level=4, base_rate_bp=100, order_kind="all", valid_from=date(2026, 10, 15), **every)
    # city agents: only their purchases, on margin
    plan(name="城市", level=3, base_rate_bp=100, order_kind="sell_in", base_kind="margin", **every)
    sale(w, w.NS, 250_000, date(2026, 10, 7), kind="sell_in")  # before 10-15: not counted
    late = sale(w, w.NS, 260_000, date(2026, 10, 21), kind="sell_in")  # counted, at revenue
    sale(w, w.TH, 290_000, date(2026, 10, 16))
    bought = sale(w, w.SZ, 210_000, date(2026, 10, 3), kind="sell_in")
    sale(w, w.SZ, 300_000, date(2026, 10, 4))  # a sell-out: not counted by the city plan
    record_return(return_no="R1", order_line_id=w.order_ns.lines[0].id, qty=1, return_date=date(2026, 10, 25))
    record_return(return_no="R2", order_line_id=late.id, qty=1, return_date=date(2026, 10, 26))
    record_return(return_no="R3", order_line_id=bought.id, qty=1, return_date=date(2026, 10, 27))
    run_period("2026-10")
    by_hand = {  # (net sales, net base)
        # ¥6,000 (margin ¥4,000) + ¥2,600 - returns ¥3,000 and ¥2,600 at the month-end plan's revenue
        w.NS.id: (600_000 + 260_000 - 300_000 - 260_000, 400_000 + 260_000 - 300_000 - 260_000),
        w.TH.id: (280_000 + 290_000, 180_000 + 290_000),  # ¥2,800 on margin, ¥2,900 on revenue
    }
    checked = set()
    for line in db.session.scalars(select(LedgerLine).where(LedgerLine.rule.in_(("tier", "bonus")))):
        st = statement(w.user_admin, line.payee_id, "2026-10")
        assert line.base_fen == (st.tier_base_fen if line.rule == "tier" else st.net_sales_fen)
        if line.payee_id in by_hand:
            assert (st.net_sales_fen, st.tier_base_fen) == by_hand[line.payee_id]
        checked.add(line.payee_id)
    assert {w.NS.id, w.TH.id} <= checked
    sz = statement(w.user_admin, w.SZ.id, "2026-10")
    assert (sz.net_sales_fen, sz.tier_base_fen) == (0, 0)  # ¥2,100 bought, all returned
