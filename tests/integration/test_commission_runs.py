"""Period runs on the test world, worked by hand.

World (tests/world.py): N1 > GD > SZ > NS and N1 > GD > GZ > TH, N1 > ZJ > HZ; October 2026
sales: NS ¥6,000 (2 × ¥3,000, 10-05), TH ¥2,800 (10-08), HZ ¥2,900 (10-09), REP1 ¥3,000, REP3 ¥2,700.
"""
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from channel.domain.commissions import Tier
from channel.domain.errors import Conflict
from channel.services import commissions as plans
from channel.services.commissions_run import CONFLICT_EFFECTS, run_period
from channel.services.commissions_statements import statement
from channel.services.orders import record_return
from channel.services.tree import move_seller
from models import db
from models.commissions import CommissionRun, LedgerHold, LedgerLine
from models.ops import AuditEvent
from models.selling import Certification
from tests.commissions_fixtures import count_lines, ledger, paid, plan, sale


def overrides_of(line_id):
    return {(l.payee_id, l.override_level): l.amount_fen for l in ledger(rule="override", order_line_id=line_id)}


def test_base_and_three_override_levels_on_a_reseller_sale(world):
    w = world
    plan(level=4, base_rate_bp=300, override_rates_bp=(200, 100, 50))
    run_period("2026-10")
    ns_line = w.order_ns.lines[0].id
    assert [l.amount_fen for l in ledger(rule="base", order_line_id=ns_line)] == [18_000]  # 3% of ¥6,000
    assert overrides_of(ns_line) == {(w.SZ.id, 1): 12_000, (w.GD.id, 2): 6_000, (w.N1.id, 3): 3_000}
    assert paid(w.GD) == 6_000 + 2_800  # r2 on NS and on TH (¥2,800 × 1%)
    assert ledger(payee_id=w.HZ.id) == []  # HZ is a city agent: no plan for level 3


@pytest.mark.parametrize("mode, expected", [
    # SZ (distance 1) sold nothing and is unqualified; GD and N1 sold ¥2,000 each
    ("skip", lambda w: {(w.GD.id, 2): 6_000, (w.N1.id, 3): 3_000}),
    ("compress", lambda w: {(w.GD.id, 1): 12_000, (w.N1.id, 2): 6_000}),
])
def test_an_unqualified_middle_upline_under_skip_and_compress(world, mode, expected):
    w = world
    sale(w, w.GD, 200_000, date(2026, 10, 12))
    sale(w, w.N1, 200_000, date(2026, 10, 12))
    plan(base_rate_bp=300, override_rates_bp=(200, 100, 50), qualify_min_fen=100_000, qualify_mode=mode)
    run_period("2026-10")
    assert overrides_of(w.order_ns.lines[0].id) == expected(w)


def test_a_return_in_a_later_month_claws_back_at_the_original_rates(world):
    w = world
    first = plan(level=4, base_rate_bp=300, override_rates_bp=(200, 100, 50))
    run_period("2026-10")
    october = {l.id: l.amount_fen for l in ledger()}
    # November rates go up: the clawback still uses October's
    plans.save_plan(replace(plans.spec_of(first), base_rate_bp=500, valid_from=date(2026, 11, 1)), plan_id=first.id)
    record_return(return_no="R-1", order_line_id=w.order_ns.lines[0].id, qty=1, return_date=date(2026, 11, 3))
    run_period("2026-11")
    clawbacks = {l.payee_id: l.amount_fen for l in ledger(rule="clawback")}
    assert clawbacks == {w.NS.id: -9_000, w.SZ.id: -6_000, w.GD.id: -3_000, w.N1.id: -1_500}
    assert {l.period for l in ledger(rule="clawback")} == {"2026-11"}
    assert {l.id: l.amount_fen for l in ledger(period="2026-10")} == october


def test_a_rerun_after_one_late_order_posts_exactly_one_adjustment_pair(world):
    w = world
    plan(level=4, tier_mode="whole", tiers=(Tier(0, 1_000_000, 100), Tier(1_000_000, None, 200)))
    run_period("2026-10")
    assert paid(w.NS, "tier") == 6_000  # ¥6,000 at 1%
    before = count_lines()
    sale(w, w.NS, 500_000, date(2026, 10, 20))  # NS now at ¥11,000: the 2% bracket, on the whole
    outcome = run_period("2026-10")
    assert outcome.lines_posted == 2 and count_lines() == before + 2
    reversal, new = ledger(run_id=outcome.run_id)
    assert (reversal.rule, reversal.amount_fen, new.rule, new.amount_fen) == ("adjustment", -6_000, "tier", 22_000)
    assert reversal.reverses_id == ledger(rule="tier", payee_id=w.NS.id)[0].id
    assert paid(w.NS) == 22_000


def test_a_rerun_with_nothing_changed_posts_nothing(world):
    plan(base_rate_bp=300, override_rates_bp=(200, 100), tiers=(Tier(0, 500_000, 100), Tier(500_000, None, 300)))
    first = run_period("2026-10")
    assert first.lines_posted > 0
    again = run_period("2026-10")
    assert (again.lines_posted, again.total_fen) == (0, 0)


def test_a_plan_version_change_mid_year_applies_from_its_date(world):
    w = world
    v1 = plan(level=4, base_rate_bp=300)
    run_period("2026-10")
    v2 = plans.save_plan(replace(plans.spec_of(v1), base_rate_bp=500, valid_from=date(2026, 10, 7)), plan_id=v1.id,
                         retroactive=True)  # from within the posted October
    assert (v2.version, v2.family_id, db.session.get(type(v1), v1.id).valid_to) == (2, v1.id, date(2026, 10, 7))
    run_period("2026-10")
    ns = ledger(order_line_id=w.order_ns.lines[0].id)  # sold 10-05: version 1, unchanged
    assert [(l.amount_fen, l.plan_version_id) for l in ns] == [(18_000, v1.id)]
    th = ledger(order_line_id=w.order_th.lines[0].id)  # sold 10-08: version 2, one adjustment pair
    assert [(l.rule, l.amount_fen, l.plan_version_id) for l in th] == [
        ("base", 8_400, v1.id), ("adjustment", -8_400, v1.id), ("base", 14_000, v2.id)]


def test_an_upline_move_mid_month_credits_the_old_upline_for_earlier_orders(world):
    w = world
    plan(level=4, override_rates_bp=(200, 100))
    move_seller(w.NS.id, w.GZ.id, date(2026, 10, 15))
    late = sale(w, w.NS, 100_000, date(2026, 10, 20))
    run_period("2026-10")
    assert overrides_of(w.order_ns.lines[0].id) == {(w.SZ.id, 1): 12_000, (w.GD.id, 2): 6_000}
    assert overrides_of(late.id) == {(w.GZ.id, 1): 2_000, (w.GD.id, 2): 1_000}


def test_direct_reps_earn_on_own_sales_and_managers_roll_up_once(world):
    w = world
    plan(channel="direct", level=3, base_rate_bp=500, override_rates_bp=(100, 50))
    run_period("2026-10")
    line = w.order_rep1.lines[0].id
    assert paid(w.REP1) == 15_000
    assert overrides_of(line) == {(w.MGR.id, 1): 3_000, (w.DIR.id, 2): 1_500}
    payees = [l.payee_id for l in ledger(order_line_id=line)]
    assert len(payees) == len(set(payees))


def test_margin_base_and_category_rates(world):
    w = world
    # NS sold 2 × ¥3,000 with cost ¥1,000: margin ¥4,000; category 净水设备 at 5%
    plan(level=4, base_kind="margin", base_rate_bp=100, category_rates={"净水设备": 500})
    run_period("2026-10")
    [base] = ledger(rule="base", payee_id=w.NS.id)
    assert (base.base_fen, base.rate_bp, base.amount_fen) == (400_000, 500, 20_000)


def test_the_certification_gate_pays_the_rate_below_and_says_why(world):
    w = world
    plan(level=4, tier_mode="whole", tiers=(Tier(0, 500_000, 100), Tier(500_000, None, 300, "PRO")))
    run_period("2026-10")
    [tier] = ledger(rule="tier", payee_id=w.NS.id)
    assert (tier.amount_fen, tier.rate_bp, tier.note) == (6_000, 100, "cert:PRO")
    assert statement(w.user_admin, w.NS.id, "2026-10").notes == ["cert:PRO"]
    db.session.add(Certification(seller_id=w.NS.id, code="PRO", passed=True, certified_on=date(2026, 10, 1)))
    db.session.commit()
    run_period("2026-10")
    assert paid(w.NS) == 18_000


@pytest.mark.parametrize("scope, target, paid_fen", [("personal", 600_000, 50_000), ("personal", 600_001, 0),
                                                     ("team", 600_000, 50_000)])
def test_target_bonus_is_paid_when_the_target_is_reached(world, scope, target, paid_fen):
    w = world
    plan(level=3 if scope == "team" else 4, bonus_scope=scope, bonus_target_fen=target, bonus_fen=50_000)
    run_period("2026-10")
    payee = w.SZ if scope == "team" else w.NS  # SZ's team is NS: ¥6,000
    assert paid(payee, "bonus") == paid_fen


def test_a_locked_period_is_refused_and_corrections_land_in_the_next_open_one(world):
    w = world
    plan(level=4, base_rate_bp=300)
    run_period("2026-10")
    plans.lock_period("2026-10")
    with pytest.raises(Conflict):
        run_period("2026-10")
    late = sale(w, w.NS, 100_000, date(2026, 10, 28))
    outcome = run_period("2026-11")
    [line] = ledger(run_id=outcome.run_id)
    assert (line.order_line_id, line.amount_fen, line.period, line.source_period) == (late.id, 3_000, "2026-11", "2026-10")


def test_preview_posts_nothing_and_shows_the_difference(world):
    plan(level=4, base_rate_bp=300)
    preview = run_period("2026-10", preview=True)
    assert preview.lines_posted == 2 and count_lines() == 0
    assert db.session.scalars(select(CommissionRun)).all() == []
    run_period("2026-10")
    assert run_period("2026-10", preview=True).lines_posted == 0


def test_a_failed_run_leaves_nothing_posted(world):
    plan(level=4, base_rate_bp=300)

    def broken(ctx):
        raise RuntimeError("boom")

    CONFLICT_EFFECTS.append(broken)
    try:
        with pytest.raises(RuntimeError):
            run_period("2026-10")
    finally:
        CONFLICT_EFFECTS.remove(broken)
    assert count_lines() == 0
    [run] = db.session.scalars(select(CommissionRun)).all()
    assert run.status == "failed" and "boom" in run.error



def test_a_run_by_an_unknown_actor_fails_and_posts_nothing(world):
    # the run skips SQLite's per-row foreign-key probes only when the actor exists
    plan(level=4, base_rate_bp=300)
    with pytest.raises(IntegrityError):
        run_period("2026-10", actor_id=987_654)
    db.session.rollback()
    assert count_lines() == 0


def test_foreign_keys_are_enforced_again_after_a_run(world):
    plan(level=4, base_rate_bp=300)
    run_period("2026-10", actor_id=world.user_admin.id)
    assert count_lines() == 2
    db.session.add(LedgerHold(ledger_line_id=987_654, reason="no such line"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()

def test_conflict_effects_can_add_lines_that_are_posted_and_diffed(world):
    w = world
    plan(level=4, base_rate_bp=300)

    def forfeit(ctx):
        ctx.execute("""INSERT INTO cm_calc (calc_key, payee_id, rule, order_line_id, amount_fen, case_id)
                       SELECT 'f:7:' || order_line_id, payee_id, 'forfeit', order_line_id, -amount_fen, 7
                       FROM cm_calc WHERE rule = 'base' AND payee_id = :ns""", ns=w.NS.id)

    CONFLICT_EFFECTS.append(forfeit)
    try:
        run_period("2026-10")
        assert run_period("2026-10").lines_posted == 0
    finally:
        CONFLICT_EFFECTS.remove(forfeit)
    [line] = ledger(rule="forfeit")
    assert (line.amount_fen, line.case_id, paid(w.NS)) == (-18_000, 7, 0)


def test_plan_edits_and_runs_are_audited(world):
    first = plan(level=4, base_rate_bp=300)
    outcome = run_period("2026-10")
    plans.save_plan(replace(plans.spec_of(first), base_rate_bp=400, valid_from=date(2026, 11, 1)), plan_id=first.id)
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-3:] == ["plan.create", "commission.run", "plan.new_version"]
    assert db.session.scalar(select(AuditEvent.object_id).where(AuditEvent.action == "commission.run")) == str(outcome.run_id)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.integers(1, 2_000_000), min_size=1, max_size=4), rate=st.integers(0, 1500),
       mode=st.sampled_from(["marginal", "whole"]))
def test_statements_add_up_reruns_post_nothing_and_posted_lines_never_change(world, amounts, rate, mode):
    w = world
    if not plans.list_plans():
        plan(base_rate_bp=300, override_rates_bp=(200, 100, 50), tier_mode=mode,
             tiers=(Tier(0, 1_000_000, 0), Tier(1_000_000, None, rate)))
    run_period("2026-10")
    posted = {l.id: (l.amount_fen, l.rule, l.payee_id, l.period) for l in ledger()}
    for fen in amounts:
        sale(w, w.TH, fen, date(2026, 10, 15))
    run_period("2026-10")
    assert run_period("2026-10").lines_posted == 0
    after = {l.id: (l.amount_fen, l.rule, l.payee_id, l.period) for l in ledger()}
    assert {k: after[k] for k in posted} == posted
    for payee in (w.TH, w.GZ, w.GD, w.N1):
        st_ = statement(w.user_admin, payee.id, "2026-10")
        assert st_.total_fen == sum(st_.totals.values()) == paid(payee, period="2026-10")


def test_a_run_over_two_overlapping_plans_of_one_seller_stops_naming_both_and_posts_nothing(world):
    """Saving refuses such a pair now; a database may still hold one from before. The run used to
    fail on its own temporary table's key (UNIQUE constraint failed: cm_pp.seller_id)."""
    from channel.domain.errors import Conflict
    from models.commissions import CommissionPlan, CommissionRun

    first = plan(name="南山特别方案", level=4, seller_code="NS", base_rate_bp=1000)
    second = plan(name="南山另一方案", level=4, seller_code="TH", base_rate_bp=500)
    second.seller_id = first.seller_id  # as an earlier version let it be saved
    db.session.commit()
    with pytest.raises(Conflict, match="南山特别方案.*南山另一方案"):
        run_period("2026-10")
    assert count_lines() == 0
    failed = db.session.scalar(select(CommissionRun).where(CommissionRun.status == "failed"))
    assert "生效期重叠" in failed.error and "UNIQUE" not in failed.error
    second.status = "superseded"
    db.session.commit()
    assert run_period("2026-10").lines_posted > 0
    assert db.session.get(CommissionPlan, first.id).status == "active"
