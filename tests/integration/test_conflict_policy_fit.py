"""A case is ruled only by an active policy written for its rule (or for every rule), and a
policy can be deactivated and reactivated: no new ruling uses a deactivated policy, the cases
it ruled keep it."""
import pytest
from sqlalchemy import func, select

from channel.domain.errors import Conflict, DomainError, Forbidden, NotFound
from channel.services import conflicts, conflicts_cases
from models import db
from models.conflicts import ConflictCase, ConflictEvent, ConflictPolicy
from models.ops import AuditEvent
from tests.conflicts_fixtures import sell


@pytest.fixture
def cross(world):
    """SZ sells into 越秀 (GZ's exclusive area) at a fair price: one 串货 case, investigating."""
    line = sell(world, world.SZ, 440104)
    conflicts.scan_new(order_line_ids=[line.id])
    case = db.session.scalars(select(ConflictCase)).one()
    assert case.rule == "cross_territory"
    conflicts_cases.change_status(world.user_manager, case.id, "investigating")
    return world, case


def policy(name, rule=None, action="forfeit", penalty_fen=0):
    return conflicts_cases.add_policy(name=name, rule=rule, action=action, penalty_fen=penalty_fen)


def events(case, action):
    return db.session.scalar(select(func.count()).select_from(ConflictEvent).where(
        ConflictEvent.case_id == case.id, ConflictEvent.action == action))


def test_a_policy_written_for_another_rule_is_refused_and_the_case_keeps_its_policy(cross):
    world, case = cross
    below_floor = policy("乱价罚款", rule="price_violation", penalty_fen=50000)
    with pytest.raises(DomainError) as refused:
        conflicts_cases.set_policy(world.user_manager, case.id, below_floor.id)
    assert refused.value.field == "policy_id"
    assert "乱价" in str(refused.value) and "串货" in str(refused.value)
    db.session.rollback()
    assert case.policy_id is None and events(case, "policy") == 0


def test_a_policy_for_the_cases_rule_or_for_every_rule_is_accepted(cross):
    world, case = cross
    for fits in (policy("串货没收", rule="cross_territory"), policy("通用暂扣", action="hold")):
        conflicts_cases.set_policy(world.user_manager, case.id, fits.id)
        assert case.policy_id == fits.id


def test_a_deactivated_policy_is_refused_for_a_case_and_skipped_by_the_automatic_choice(cross):
    world, case = cross
    old = policy("串货没收", rule="cross_territory")
    conflicts_cases.set_policy_active(world.user_manager, old.id, False)
    with pytest.raises(DomainError) as refused:
        conflicts_cases.set_policy(world.user_manager, case.id, old.id)
    assert refused.value.field == "policy_id" and "已停用" in str(refused.value)
    db.session.rollback()
    assert conflicts_cases.policy_for(case) is None
    assert conflicts_cases.policies_offered(case) == []


def test_confirming_with_a_policy_for_another_rule_set_earlier_is_refused_and_changes_nothing(cross):
    world, case = cross
    below_floor = policy("乱价罚款", rule="price_violation", penalty_fen=50000)
    case.policy_id = below_floor.id  # as earlier versions let a ruler set it
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        conflicts_cases.change_status(world.user_manager, case.id, "confirmed", note="核实")
    assert refused.value.field == "status"
    assert (case.status, case.effect_action, case.penalty_fen) == ("investigating", None, 0)


def test_confirming_with_a_policy_deactivated_since_it_was_set_is_refused_until_another_is_chosen(cross):
    world, case = cross
    chosen = policy("串货没收", rule="cross_territory", penalty_fen=100000)
    conflicts_cases.set_policy(world.user_manager, case.id, chosen.id)
    conflicts_cases.set_policy_active(world.user_manager, chosen.id, False)
    with pytest.raises(DomainError) as refused:
        conflicts_cases.change_status(world.user_manager, case.id, "confirmed", note="核实")
    assert refused.value.field == "status" and "已停用" in str(refused.value)
    db.session.rollback()
    assert case.status == "investigating"
    conflicts_cases.set_policy(world.user_manager, case.id, None)  # back to the automatic choice
    conflicts_cases.change_status(world.user_manager, case.id, "confirmed", note="核实")
    assert (case.status, case.policy_id, case.effect_action, case.penalty_fen) == ("confirmed", None, "hold", 0)


def test_a_case_ruled_by_a_policy_keeps_it_and_its_effect_after_the_policy_is_deactivated(cross):
    world, case = cross
    chosen = policy("串货没收", rule="cross_territory", penalty_fen=100000)
    conflicts_cases.set_policy(world.user_manager, case.id, chosen.id)
    conflicts_cases.change_status(world.user_manager, case.id, "confirmed", note="核实")
    conflicts_cases.set_policy_active(world.user_manager, chosen.id, False)
    db.session.expire_all()
    assert (case.policy_id, case.effect_action, case.penalty_fen) == (chosen.id, "forfeit", 100000)
    [effect] = conflicts_cases.conflict_effects_for("2026-11")
    assert (effect.action, effect.penalty_fen) == ("forfeit", 100000)


def test_deactivating_and_reactivating_is_audit_logged_and_a_repeat_logs_nothing(world):
    chosen = policy("串货没收", rule="cross_territory")
    conflicts_cases.set_policy_active(world.user_manager, chosen.id, False)
    conflicts_cases.set_policy_active(world.user_manager, chosen.id, False)
    assert chosen.active is False
    conflicts_cases.set_policy_active(world.user_admin, chosen.id, True)
    assert chosen.active is True
    logged = db.session.execute(select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.object_id)
                                .where(AuditEvent.object_type == "conflict_policy", AuditEvent.action != "conflicts.add_policy")
                                .order_by(AuditEvent.id)).all()
    assert [tuple(row) for row in logged] == [("conflicts.deactivate_policy", world.user_manager.id, str(chosen.id)),
                                              ("conflicts.reactivate_policy", world.user_admin.id, str(chosen.id))]


def test_reactivating_next_to_an_active_namesake_for_the_same_rule_is_refused(world):
    old = policy("串货没收", rule="cross_territory")
    conflicts_cases.set_policy_active(world.user_manager, old.id, False)
    policy("串货没收", rule="cross_territory")  # a new one of the same name, now the name is free
    with pytest.raises(Conflict) as refused:
        conflicts_cases.set_policy_active(world.user_manager, old.id, True)
    assert refused.value.field == "name"
    db.session.rollback()
    assert db.session.get(ConflictPolicy, old.id).active is False


@pytest.mark.parametrize("username", ["finance", "agent_sz", "rep1"])
def test_only_admins_and_channel_managers_deactivate_a_policy(world, username):
    chosen = policy("串货没收", rule="cross_territory")
    with pytest.raises(Forbidden):
        conflicts_cases.set_policy_active(getattr(world, f"user_{username}"), chosen.id, False)
    db.session.rollback()
    assert db.session.get(ConflictPolicy, chosen.id).active is True


def test_an_unknown_policy_is_not_found(world):
    with pytest.raises(NotFound):
        conflicts_cases.set_policy_active(world.user_manager, 999999, False)


@pytest.mark.parametrize("who", ["finance", "agent_sz", "inactive manager"])
def test_a_case_is_assigned_only_to_an_active_admin_or_channel_manager(cross, who):
    from channel.services.users import create_user

    world, case = cross
    if who == "inactive manager":
        assignee = create_user("manager_gone", "secret-pass", "channel_manager")
        assignee.active = False
        db.session.commit()
    else:
        assignee = getattr(world, f"user_{who}")
    with pytest.raises(DomainError) as refused:
        conflicts_cases.assign(world.user_manager, case.id, assignee.id)
    assert refused.value.field == "assignee_id"
    db.session.rollback()
    assert case.assignee_id is None
    conflicts_cases.assign(world.user_manager, case.id, world.user_admin.id)
    assert case.assignee_id == world.user_admin.id


def test_setting_a_cases_policy_is_audit_logged_and_a_repeat_logs_nothing(world):
    line = sell(world, world.SZ, 440104)
    conflicts.scan_new(order_line_ids=[line.id])
    case = db.session.scalars(select(ConflictCase)).one()
    chosen = policy("串货没收", rule="cross_territory")
    conflicts_cases.set_policy(world.user_manager, case.id, chosen.id)
    conflicts_cases.set_policy(world.user_manager, case.id, chosen.id)  # the same again: no change
    conflicts_cases.set_policy(world.user_admin, case.id, None)  # back to the automatic choice
    logged = db.session.execute(select(AuditEvent.actor_id, AuditEvent.object_type, AuditEvent.object_id,
                                       AuditEvent.detail)
                                .where(AuditEvent.action == "conflicts.set_policy").order_by(AuditEvent.id)).all()
    assert [tuple(row) for row in logged] == [
        (world.user_manager.id, "conflict_case", str(case.id), {"from": None, "to": chosen.id, "name": "串货没收"}),
        (world.user_admin.id, "conflict_case", str(case.id), {"from": chosen.id, "to": None, "name": None}),
    ]
    assert events(case, "policy") == 2 and case.policy_id is None
