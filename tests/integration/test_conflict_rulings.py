"""Rulings: the life cycle and its timeline, the audit log, ledger holds, and the effects a
confirmed case hands to the commission run."""
from datetime import date

import pytest
from sqlalchemy import select

from channel.domain.errors import DomainError, NotFound
from channel.services import conflicts, conflicts_cases
from models import db
from models.commissions import CommissionRun, LedgerHold, LedgerLine
from models.conflicts import ConflictCase, ConflictEvent
from models.ops import AuditEvent
from tests.conflicts_fixtures import sell


@pytest.fixture
def leak(world):
    """SZ sells 2 × ¥3,000 into 越秀 (GZ's area); the ledger already pays SZ ¥300 on the line and
    GD a ¥60 override; an unrelated NS line is paid too."""
    line = sell(world, world.SZ, 440104, qty=2)
    run = CommissionRun(period="2026-10", status="posted", lines_posted=3, total_fen=0)
    db.session.add(run)
    db.session.flush()
    base = LedgerLine(run_id=run.id, period="2026-10", payee_id=world.SZ.id, rule="base", amount_fen=30000, order_line_id=line.id)
    override = LedgerLine(run_id=run.id, period="2026-10", payee_id=world.GD.id, rule="override", amount_fen=6000, order_line_id=line.id)
    other = LedgerLine(run_id=run.id, period="2026-10", payee_id=world.NS.id, rule="base", amount_fen=9999,
                       order_line_id=world.order_ns.lines[0].id)
    db.session.add_all([base, override, other])
    db.session.commit()
    conflicts.scan_new(order_line_ids=[line.id])
    case = db.session.scalar(select(ConflictCase).where(ConflictCase.rule == "cross_territory"))
    return world, line, case, (base, override, other)


def active_holds(case_id):
    return set(db.session.scalars(select(LedgerHold.ledger_line_id).where(LedgerHold.case_id == case_id,
                                                                           LedgerHold.released_at.is_(None))))


def test_investigating_holds_the_sellers_and_the_overrides_commission_on_the_offending_line(leak):
    world, line, case, (base, override, other) = leak
    conflicts_cases.change_status(world.user_manager, case.id, "investigating")
    assert active_holds(case.id) == {base.id, override.id}
    conflicts_cases.change_status(world.user_manager, case.id, "open")
    conflicts_cases.change_status(world.user_manager, case.id, "investigating")
    assert db.session.query(LedgerHold).filter_by(case_id=case.id).count() == 2  # no second hold on a held line


def test_dismissing_releases_the_holds_and_is_audit_logged(leak):
    world, line, case, (base, override, other) = leak
    conflicts_cases.change_status(world.user_manager, case.id, "investigating")
    conflicts_cases.change_status(world.user_manager, case.id, "dismissed", note="客户自提")
    assert active_holds(case.id) == set()
    released = db.session.scalars(select(LedgerHold).where(LedgerHold.case_id == case.id)).all()
    assert len(released) == 2 and all(h.released_by_id == world.user_manager.id for h in released)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "conflicts.dismissed"))
    assert event.object_id == str(case.id) and event.actor_id == world.user_manager.id
    assert conflicts_cases.conflict_effects_for("2026-11") == []


def test_every_change_lands_on_the_timeline_with_who_did_it(leak):
    world, line, case, _ = leak
    conflicts_cases.change_status(world.user_manager, case.id, "investigating", note="核实中")
    conflicts_cases.assign(world.user_manager, case.id, world.user_admin.id)
    conflicts_cases.add_note(world.user_manager, case.id, "已致电")
    events = db.session.scalars(select(ConflictEvent).where(ConflictEvent.case_id == case.id).order_by(ConflictEvent.id)).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("opened", None), ("status", world.user_manager.id), ("assign", world.user_manager.id), ("note", world.user_manager.id)]
    assert events[1].from_status == "open" and events[1].to_status == "investigating"


def test_a_case_cannot_skip_the_investigation(leak):
    world, line, case, _ = leak
    with pytest.raises(DomainError):
        conflicts_cases.change_status(world.user_manager, case.id, "confirmed", note="核实")


def test_only_staff_rule_and_only_parties_see_a_case(leak):
    world, line, case, _ = leak
    from channel.domain.errors import Forbidden

    with pytest.raises(Forbidden):
        conflicts_cases.change_status(world.user_agent_sz, case.id, "investigating")
    from channel.services.access import require_case

    assert require_case(world.user_agent_sz, case.id).id == case.id
    for outsider in (world.user_agent_zj, world.user_agent_gd, world.user_rep1):
        with pytest.raises(NotFound):
            require_case(outsider, case.id)


def test_a_confirmed_forfeit_case_hands_the_run_its_lines_fee_and_penalty(leak):
    world, line, case, (base, override, other) = leak
    conflicts_cases.add_policy(name="串货没收", rule="cross_territory", action="forfeit", protection_fee_bp=500,
                               penalty_fen=100000)
    conflicts_cases.change_status(world.user_manager, case.id, "investigating")
    conflicts_cases.change_status(world.user_manager, case.id, "confirmed", note="核实")
    # held until the commission run posts the forfeit (and releases them): no payout in between
    assert active_holds(case.id) == {base.id, override.id}
    [effect] = conflicts_cases.conflict_effects_for("2026-11")
    assert (effect.kind, effect.action, effect.offender_id, effect.harmed_id) == ("apply", "forfeit", world.SZ.id, world.GZ.id)
    assert effect.order_line_ids == [line.id]
    assert effect.offending_amount_fen == 600000
    assert effect.protection_fee_fen == 30000  # 5% of ¥6,000
    assert effect.penalty_fen == 100000
    conflicts_cases.mark_effects_posted([case.id], "2026-11", commit=True)
    assert conflicts_cases.conflict_effects_for("2026-12") == []


def test_a_confirmed_hold_case_keeps_the_holds_and_dismissing_it_later_releases_them(leak):
    world, line, case, (base, override, other) = leak
    conflicts_cases.change_status(world.user_manager, case.id, "investigating")
    conflicts_cases.change_status(world.user_manager, case.id, "confirmed", note="核实")  # no policy: hold
    assert case.effect_action == "hold" and active_holds(case.id) == {base.id, override.id}
    conflicts_cases.mark_effects_posted([case.id], "2026-11", commit=True)
    conflicts_cases.change_status(world.user_manager, case.id, "dismissed", note="核实")
    assert active_holds(case.id) == set()
    [effect] = conflicts_cases.conflict_effects_for("2026-12")
    assert effect.kind == "reverse" and effect.case_id == case.id


def test_ledger_lines_posted_after_the_ruling_are_held_by_the_run_hook(leak):
    world, line, case, _ = leak
    conflicts_cases.change_status(world.user_manager, case.id, "investigating")
    run = CommissionRun(period="2026-11", status="posted", lines_posted=1, total_fen=0)
    db.session.add(run)
    db.session.flush()
    late = LedgerLine(run_id=run.id, period="2026-11", payee_id=world.N1.id, rule="override", amount_fen=100, order_line_id=line.id)
    db.session.add(late)
    db.session.flush()
    assert conflicts_cases.hold_new_ledger_lines(run.id) == 1
    assert conflicts_cases.hold_new_ledger_lines(run.id) == 0
    assert late.id in active_holds(case.id)


def test_a_case_confirmed_after_the_period_is_not_an_effect_of_that_period(leak):
    world, line, case, _ = leak
    conflicts_cases.change_status(world.user_manager, case.id, "investigating")
    conflicts_cases.change_status(world.user_manager, case.id, "confirmed", note="核实")
    assert conflicts_cases.conflict_effects_for("2020-01") == []
