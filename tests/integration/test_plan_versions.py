"""Plan versions (QA of session 12): a version is never extended, version numbers follow the
family's highest, an unchanged save changes nothing, and the JSON import recreates every version
of a plan, takes an installation's own export as no change, reads the file's encoding, and
refuses malformed numbers instead of truncating them."""
import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from channel.domain.errors import Conflict, DomainError
from channel.services import commissions as plans
from channel.services.commissions_run import run_period
from models import db
from models.commissions import CommissionPlan
from tests.commissions_fixtures import paid, plan


def _plans() -> int:
    return db.session.scalar(select(func.count()).select_from(CommissionPlan))


def _rows(name: str) -> list[tuple]:
    db.session.expire_all()
    return [(p.version, p.status, p.valid_from, p.valid_to, p.base_rate_bp) for p in db.session.scalars(
        select(CommissionPlan).where(CommissionPlan.name == name).order_by(CommissionPlan.version))]


def test_a_used_version_that_had_ended_is_not_extended_by_a_later_version(world):
    first = plan(name="省代方案", level=4, base_rate_bp=100, valid_from=date(2026, 10, 1), valid_to=date(2026, 11, 1))
    run_period("2026-10")
    second = plans.save_plan(replace(plans.spec_of(first), valid_from=date(2027, 1, 1), valid_to=None,
                                     base_rate_bp=150), plan_id=first.id)
    assert _rows("省代方案") == [(1, "active", date(2026, 10, 1), date(2026, 11, 1), 100),
                                 (2, "active", date(2027, 1, 1), None, 150)]
    assert second.family_id == first.family_id
    # November and December stay without a plan: nothing is paid there
    assert run_period("2026-12", preview=True).lines_posted == 0


def test_a_new_version_is_numbered_after_the_familys_highest(world):
    first = plan(name="分销商返利", level=4, base_rate_bp=300, valid_from=date(2026, 1, 1))
    run_period("2026-10")
    second = plans.save_plan(replace(plans.spec_of(first), base_rate_bp=320, valid_from=date(2026, 11, 1),
                                     valid_to=date(2027, 1, 1)), plan_id=first.id)
    assert second.version == 2 and db.session.get(CommissionPlan, first.id).valid_to == date(2026, 11, 1)
    # the first version is still active (it governs January to October): edited again from
    # 2027-06-01, it gets version 3 (not 2 again) and keeps its own end
    third = plans.save_plan(replace(plans.spec_of(db.session.get(CommissionPlan, first.id)), base_rate_bp=310,
                                    valid_from=date(2027, 6, 1), valid_to=None), plan_id=first.id)
    assert _rows("分销商返利") == [(1, "active", date(2026, 1, 1), date(2026, 11, 1), 300),
                                   (2, "active", date(2026, 11, 1), date(2027, 1, 1), 320),
                                   (3, "active", date(2027, 6, 1), None, 310)]
    assert third.family_id == first.family_id
    run_period("2026-11", preview=True)  # two versions in force on one day made this fail (cm_pp UNIQUE)


def test_saving_a_used_version_unchanged_makes_no_new_version(world):
    first = plan(level=4, base_rate_bp=300)
    run_period("2026-10")
    before = _plans()
    assert plans.save_plan(plans.spec_of(first), plan_id=first.id).id == first.id
    assert _plans() == before and db.session.get(CommissionPlan, first.id).status == "active"


def _two_versions():
    """分销商返利 at 3% from 2026-01-01, used in October, then 3.5% from 2026-11-01."""
    first = plan(name="分销商返利", level=4, base_rate_bp=300)
    run_period("2026-10")
    plans.save_plan(replace(plans.spec_of(first), base_rate_bp=350, valid_from=date(2026, 11, 1)), plan_id=first.id)
    return first


def test_an_installations_own_export_imports_as_no_change(world):
    _two_versions()
    exported = plans.export_plans()
    before = _rows("分销商返利")
    imported = plans.import_plans(json.dumps(exported, ensure_ascii=False))
    assert [i.action for i in imported] == ["unchanged", "unchanged"]
    assert _rows("分销商返利") == before


def test_every_version_of_an_exported_plan_is_recreated_elsewhere(world):
    _two_versions()
    exported = plans.export_plans()
    for entry in exported["plans"]:  # as in an installation without it: another name and level
        entry["name"], entry["level"] = "乙方案", 3
    imported = plans.import_plans(exported)
    assert [i.action for i in imported] == ["created", "new_version"]
    assert _rows("乙方案") == [(1, "active", date(2026, 1, 1), date(2026, 11, 1), 300),
                               (2, "active", date(2026, 11, 1), None, 350)]
    assert imported[0].plan.family_id == imported[1].plan.family_id


def test_a_what_if_with_the_own_export_and_one_rate_changed_previews(world):
    _two_versions()
    exported = plans.export_plans()
    exported["plans"][0]["base_rate_bp"] = 400  # October at 4% instead of 3%
    outcome = plans.what_if("2026-10", exported)
    # NS ¥6,000 and TH ¥2,800 each: a reversal at 3% and a new line at 4%: +¥60 + ¥28
    assert (outcome.lines_posted, outcome.total_fen) == (4, 8_800)
    assert paid(world.NS, "base") == 18_000  # nothing saved


def test_an_import_overlapping_another_version_names_the_plan(world):
    plan(name="甲", level=3, base_rate_bp=100, valid_from=date(2026, 1, 1))
    payload = {"format": "qudao-plans/1", "plans": [
        {"name": "乙", "channel": "agent", "level": 4, "valid_from": "2026-01-01", "base_rate_bp": 100},
        {"name": "丙", "channel": "agent", "level": 3, "valid_from": "2026-03-01", "base_rate_bp": 200},
    ]}
    with pytest.raises(Conflict) as refused:
        plans.import_plans(payload)
    assert plans.plan_position(refused.value) == 2
    assert _rows("乙") == []


@pytest.mark.parametrize("change, key", [
    ({"name": None}, "name"),
    ({"category_rates": {"净水设备": 350.9}}, "category_rates"),
    ({"tiers": [{"from_fen": 0, "to_fen": None, "rate_bp": 99.9}]}, "tiers.rate_bp"),
    ({"tiers": [{"from_fen": "0", "to_fen": None, "rate_bp": 100}]}, "tiers.from_fen"),
    ({"override_rates_bp": [True, 50]}, "override_rates_bp"),
    ({"override_rates_bp": [100, 50.5]}, "override_rates_bp"),
    ({"tiers": [{"from_fen": 0, "rate_bp": 100, "certification": 7}]}, "tiers.certification"),
])
def test_malformed_numbers_in_a_plan_file_are_refused_not_truncated(world, change, key):
    entry = {"name": "甲", "channel": "agent", "level": 4, "valid_from": "2026-01-01", "base_rate_bp": 100}
    entry.update(change)
    with pytest.raises(DomainError) as refused:
        plans.import_plans({"format": "qudao-plans/1", "plans": [entry]})
    assert refused.value.params["n"] == 1 and key in (refused.value.params.get("key"), refused.value.field)
    assert _plans() == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_plan_file_is_read_in_its_encoding(world, encoding):
    entry = {"name": "华南返利", "channel": "agent", "level": 4, "valid_from": "2026-01-01", "base_rate_bp": 300,
             "category_rates": {"净水设备": 450}}
    data = json.dumps({"format": "qudao-plans/1", "plans": [entry]}, ensure_ascii=False).encode(encoding)
    [imported] = plans.import_plans(data)
    assert imported.plan.name == "华南返利" and [c.category for c in imported.plan.category_rates] == ["净水设备"]


def test_an_unreadable_plan_file_is_a_clear_error(world):
    with pytest.raises(DomainError) as refused:
        plans.import_plans(b"\xff\xfe\x00{not json")
    assert refused.value.field == "file"
    assert _plans() == 0


# --- the direct channel's cap in a month two plans share ----------------------------------------

def _direct(**fields):
    values = dict(channel="direct", level=3, base_rate_bp=2500)
    values.update(fields)
    return plan(**values)


def test_a_used_direct_version_changed_mid_month_may_not_add_its_tiers_to_the_old_base(world):
    from channel.domain.commissions import PlanRefused, PlanSpec, Tier
    from tests.commissions_fixtures import sale

    v1 = _direct(name="代表方案")
    sale(world, world.REP1, 100_000, date(2026, 11, 3))
    run_period("2026-11")  # v1 is used: a change makes a new version
    assert plans.is_used(v1.id)
    richer_tiers = replace(plans.spec_of(v1), valid_from=date(2026, 11, 15), base_rate_bp=500,
                           tiers=(Tier(0, None, 2500),))
    with pytest.raises(PlanRefused) as refused:
        plans.save_plan(richer_tiers, plan_id=v1.id)
    problem = refused.value.problems[0]
    assert problem.field == "valid_from" and problem.params["month"] == "2026-11"
    assert problem.params["rate"] == "50" and problem.params["base"] == "代表方案 v1"
    db.session.rollback()
    assert _rows("代表方案") == [(1, "active", date(2026, 1, 1), None, 2500)]  # nothing changed
    # a mid-month change that stays under the cap is saved: 25 % base before the 15th + 5 % tier
    lower = plans.save_plan(replace(richer_tiers, tiers=(Tier(0, None, 500),)), plan_id=v1.id, retroactive=True)
    assert lower.version == 2 and _rows("代表方案")[0][3] == date(2026, 11, 15)
    # and the richer tiers from the first of a month (the old base no longer meets them)
    assert plans.save_plan(replace(richer_tiers, valid_from=date(2026, 12, 1)), plan_id=lower.id).valid_from \
        == date(2026, 12, 1)


def test_a_level_plan_starting_mid_month_under_a_channel_plan_is_checked_against_its_base(world):
    from channel.domain.commissions import PlanRefused, Tier

    _direct(name="直销通用", level=None)  # 25 % base for every direct seller, all year
    with pytest.raises(PlanRefused) as refused:
        _direct(name="代表阶梯", base_rate_bp=0, tiers=(Tier(0, None, 1000),), valid_from=date(2026, 11, 15))
    assert refused.value.problems[0].params["rate"] == "35"
    db.session.rollback()
    # a seller's own plan likewise; the same plan from the 1st is fine (it alone pays that month)
    with pytest.raises(PlanRefused):
        _direct(name="一人阶梯", seller_code="REP1", base_rate_bp=0, tiers=(Tier(0, None, 1000),),
                valid_from=date(2026, 11, 15))
    db.session.rollback()
    assert _direct(name="代表阶梯", base_rate_bp=0, tiers=(Tier(0, None, 1000),), valid_from=date(2026, 11, 1))
