"""Effect on pay, end to end: a ruling on a conflict case changes the next commission run as its
policy says (amounts worked by hand in tests/payeffects_fixtures.py), payouts respect it, and
re-runs post nothing."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from channel.services import conflicts_cases, payouts
from channel.services.commissions_run import run_period
from models import db
from models.commissions import LedgerLine
from models.conflicts import ConflictCase, ConflictPolicy
from models.payouts import LedgerSettlement
from tests.commissions_fixtures import ledger, paid
from tests.payeffects_fixtures import (GD_OVERRIDE, N1_OVERRIDE, SZ_BASE, active_holds, give_accounts, leak, on_line,
                                       pay, payable_ids, rule)

FEE, PENALTY = 15_000, 100_000  # 5 % of ¥3,000; ¥1,000
SZ_FROM_NS = 12_000  # SZ's untouched override on NS's ¥6,000 sale (2 %)


def forfeit_policy():
    conflicts_cases.add_policy(name="串货没收", rule="cross_territory", action="forfeit", protection_fee_bp=500,
                               penalty_fen=PENALTY)


def case_lines(case_id):
    return {(l.payee.code, l.rule, l.period, l.source_period): l.amount_fen
            for l in db.session.scalars(select(LedgerLine).where(LedgerLine.case_id == case_id).order_by(LedgerLine.id))}


def test_a_case_confirmed_with_hold_holds_the_sellers_and_overrides_lines_of_the_next_run_and_payouts_skip_them(world):
    line, case = leak(world)
    rule(world, case, "investigating", "confirmed")  # no policy: hold, no fee, no penalty
    run_period("2026-10")
    held = {l.id for l in ledger(order_line_id=line.id)}
    assert on_line(line.id) == {("SZ", "base"): SZ_BASE, ("GD", "override"): GD_OVERRIDE,
                                ("N1", "override"): N1_OVERRIDE}
    assert active_holds(case.id) == held and len(held) == 3
    assert case_lines(case.id) == {}  # a hold posts nothing
    payable = payable_ids("2026-10")
    assert held.isdisjoint(payable) and payable  # the other October lines stay payable
    give_accounts()
    batch = payouts.create_batch("2026-10", world.user_finance.id, minimum=0)
    claimed = set(db.session.scalars(select(LedgerSettlement.ledger_line_id).where(LedgerSettlement.batch_id == batch.id)))
    assert held.isdisjoint(claimed)
    assert run_period("2026-10").lines_posted == 0


def test_a_confirmed_forfeit_posts_negative_lines_for_seller_and_uplines_a_fee_and_a_penalty(world):
    line, case = leak(world)
    forfeit_policy()
    run_period("2026-10")
    rule(world, case, "investigating", "confirmed")
    assert len(active_holds(case.id)) == 3  # held until the run posts the forfeit: no payout in between
    outcome = run_period("2026-10")
    assert outcome.lines_posted == 5
    assert case_lines(case.id) == {
        ("SZ", "forfeit", "2026-10", "2026-10"): -SZ_BASE, ("GD", "forfeit", "2026-10", "2026-10"): -GD_OVERRIDE,
        ("N1", "forfeit", "2026-10", "2026-10"): -N1_OVERRIDE, ("GZ", "protection_fee", "2026-10", "2026-10"): FEE,
        ("SZ", "penalty", "2026-10", "2026-10"): -PENALTY}
    assert on_line(line.id, rule="forfeit") == {("SZ", "forfeit"): -9_000, ("GD", "forfeit"): -6_000,
                                                ("N1", "forfeit"): -3_000}
    assert paid(world.SZ) == SZ_FROM_NS + SZ_BASE - SZ_BASE - PENALTY
    assert paid(world.GZ, rule="protection_fee") == FEE
    assert active_holds(case.id) == set()  # the forfeit offsets them now
    assert db.session.get(ConflictCase, case.id).effects_posted_period == "2026-10"
    assert run_period("2026-10").lines_posted == 0  # idempotent, effects included


def test_a_forfeit_confirmed_before_the_first_run_is_posted_with_it(world):
    line, case = leak(world)
    forfeit_policy()
    rule(world, case, "investigating", "confirmed")
    run_period("2026-10")
    assert on_line(line.id) == {("SZ", "base"): SZ_BASE, ("SZ", "forfeit"): -SZ_BASE,
                                ("GD", "override"): GD_OVERRIDE, ("GD", "forfeit"): -GD_OVERRIDE,
                                ("N1", "override"): N1_OVERRIDE, ("N1", "forfeit"): -N1_OVERRIDE}
    assert payable_ids("2026-10") >= {l.id for l in ledger(order_line_id=line.id)}  # nets to zero, nothing held


def test_dismissing_releases_the_hold_and_the_lines_are_paid_in_the_next_batch(world):
    line, case = leak(world)
    rule(world, case, "investigating", "confirmed")
    run_period("2026-10")
    held = {l.id for l in ledger(order_line_id=line.id)}
    rule(world, case, "dismissed")
    assert active_holds(case.id) == set()
    assert held <= payable_ids("2026-10")
    batch = pay(world, "2026-10")
    claimed = set(db.session.scalars(select(LedgerSettlement.ledger_line_id).where(LedgerSettlement.batch_id == batch.id)))
    assert held <= claimed


def test_dismissing_a_posted_forfeit_reverses_it_on_the_next_run_and_only_once(world):
    line, case = leak(world)
    forfeit_policy()
    rule(world, case, "investigating", "confirmed")
    run_period("2026-10")
    rule(world, case, "dismissed")
    outcome = run_period("2026-10")
    assert outcome.lines_posted == 5
    reversals = {(l.payee.code, l.note): l.amount_fen for l in ledger(rule="adjustment", case_id=case.id)}
    assert reversals == {("SZ", "reverses:forfeit"): SZ_BASE, ("GD", "reverses:forfeit"): GD_OVERRIDE,
                         ("N1", "reverses:forfeit"): N1_OVERRIDE, ("GZ", "reverses:protection_fee"): -FEE,
                         ("SZ", "reverses:penalty"): PENALTY}
    assert paid(world.SZ) == SZ_FROM_NS + SZ_BASE and paid(world.GZ, rule="protection_fee") == FEE  # the fee line stays, reversed
    assert db.session.get(ConflictCase, case.id).effects_posted_period is None
    assert run_period("2026-10").lines_posted == 0


def test_a_ruling_after_the_month_was_paid_posts_adjustments_in_the_next_open_month(world):
    line, case = leak(world)
    forfeit_policy()
    run_period("2026-10")
    pay(world, "2026-10")  # approval locks October
    rule(world, case, "investigating", "confirmed")
    run_period("2026-11")
    assert case_lines(case.id) == {
        ("SZ", "forfeit", "2026-11", "2026-10"): -SZ_BASE, ("GD", "forfeit", "2026-11", "2026-10"): -GD_OVERRIDE,
        ("N1", "forfeit", "2026-11", "2026-10"): -N1_OVERRIDE, ("GZ", "protection_fee", "2026-11", "2026-10"): FEE,
        ("SZ", "penalty", "2026-11", "2026-10"): -PENALTY}
    assert run_period("2026-11").lines_posted == 0
    pay(world, "2026-11")
    # dismissed on appeal once November is paid too: the reversal lands in December
    rule(world, case, "dismissed")
    run_period("2026-12")
    december = {(l.payee.code, l.note, l.source_period): l.amount_fen for l in ledger(period="2026-12")}
    assert december == {("SZ", "reverses:forfeit", "2026-10"): SZ_BASE, ("GD", "reverses:forfeit", "2026-10"): GD_OVERRIDE,
                        ("N1", "reverses:forfeit", "2026-10"): N1_OVERRIDE,
                        ("GZ", "reverses:protection_fee", "2026-10"): -FEE,
                        ("SZ", "reverses:penalty", "2026-10"): PENALTY}
    assert run_period("2026-12").lines_posted == 0


def test_a_return_of_a_forfeited_line_claws_back_nothing_more(world):
    from datetime import date

    from channel.services.orders import record_return

    line, case = leak(world)
    forfeit_policy()
    rule(world, case, "investigating", "confirmed")
    run_period("2026-10")
    record_return(return_no="R-PAY-1", order_line_id=line.id, qty=1, return_date=date(2026, 11, 3))
    run_period("2026-11")
    assert on_line(line.id, period="2026-11") == {("SZ", "clawback"): -SZ_BASE, ("SZ", "forfeit"): SZ_BASE,
                                                  ("GD", "clawback"): -GD_OVERRIDE, ("GD", "forfeit"): GD_OVERRIDE,
                                                  ("N1", "clawback"): -N1_OVERRIDE, ("N1", "forfeit"): N1_OVERRIDE}
    assert paid(world.GD) == sum(l.amount_fen for l in ledger(payee_id=world.GD.id, rule="override")
                                 if l.order_line_id != line.id)


def test_a_preview_shows_the_effects_and_changes_nothing(world):
    line, case = leak(world)
    forfeit_policy()
    run_period("2026-10")
    rule(world, case, "investigating", "confirmed")
    outcome = run_period("2026-10", preview=True)
    assert outcome.lines_posted == 5 and outcome.total_fen == -SZ_BASE - GD_OVERRIDE - N1_OVERRIDE + FEE - PENALTY
    assert case_lines(case.id) == {} and len(active_holds(case.id)) == 3


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(price=st.integers(10_000, 5_000_000), qty=st.integers(1, 3), fee_bp=st.integers(0, 10_000),
       penalty=st.integers(0, 1_000_000), action=st.sampled_from(["forfeit", "hold"]))
def test_any_ruling_nets_the_offending_commission_exactly_and_reruns_post_nothing(world, price, qty, fee_bp, penalty,
                                                                                   action):
    from datetime import date
    from decimal import ROUND_HALF_UP, Decimal

    from channel.services import conflicts
    from tests.commissions_fixtures import plan
    from tests.conflicts_fixtures import sell

    if not ledger():
        plan(base_rate_bp=300, override_rates_bp=(200, 100, 50))
        run_period("2026-10")
    before = {l.id: (l.amount_fen, l.rule, l.payee_id) for l in ledger()}
    line = sell(world, world.SZ, 440104, day=date(2026, 10, 20), price=price, qty=qty)
    conflicts.scan_new(order_line_ids=[line.id])
    case = db.session.scalar(select(ConflictCase).where(ConflictCase.status == "open",
                                                        ConflictCase.rule == "cross_territory"))
    # a new policy per example (an active policy's name is unique per rule); the newest applies
    policies = db.session.scalar(select(func.count()).select_from(ConflictPolicy))
    conflicts_cases.add_policy(name=f"p{policies + 1}", action=action, protection_fee_bp=fee_bp, penalty_fen=penalty)
    rule(world, case, "investigating", "confirmed")
    run_period("2026-10")
    assert run_period("2026-10").lines_posted == 0
    commission = on_line(line.id, rule="base") | on_line(line.id, rule="override")
    assert set(commission) == {("SZ", "base"), ("GD", "override"), ("N1", "override")}
    if action == "forfeit":
        assert {payee: -amount for (payee, _), amount in on_line(line.id, rule="forfeit").items()} == \
            {payee: amount for (payee, _), amount in commission.items()}
        assert active_holds(case.id) == set()
    else:
        assert on_line(line.id, rule="forfeit") == {}
        assert active_holds(case.id) == {l.id for l in ledger(order_line_id=line.id)}
    fee = int((Decimal(price * qty) * fee_bp / 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    lines = case_lines(case.id)
    assert lines.get(("GZ", "protection_fee", "2026-10", "2026-10"), 0) == fee
    assert lines.get(("SZ", "penalty", "2026-10", "2026-10"), 0) == -penalty
    after = {l.id: (l.amount_fen, l.rule, l.payee_id) for l in ledger()}
    assert {k: after[k] for k in before} == before
