"""Plan storage: versions, overlaps, JSON round trip, the demo plan set."""
from dataclasses import replace
from datetime import date

import pytest

from channel.domain.commissions import PlanRefused, Tier
from channel.domain.errors import Conflict, DomainError
from channel.services import commissions as plans
from channel.services.commissions_run import run_period
from models import db
from models.commissions import CommissionPlan
from tests.commissions_fixtures import count_lines, plan


def test_editing_an_unused_plan_changes_it_in_place(world):
    first = plan(level=4, base_rate_bp=300)
    edited = plans.save_plan(replace(plans.spec_of(first), base_rate_bp=350), plan_id=first.id)
    assert (edited.id, edited.version, edited.base_rate_bp) == (first.id, 1, 350)


def test_a_new_version_starting_before_the_old_one_supersedes_it(world):
    first = plan(level=4, base_rate_bp=300, valid_from=date(2026, 10, 1))
    run_period("2026-10")
    second = plans.save_plan(replace(plans.spec_of(first), base_rate_bp=400, valid_from=date(2026, 9, 1)),
                             plan_id=first.id, retroactive=True)  # re-prices the posted October
    assert (db.session.get(CommissionPlan, first.id).status, second.version) == ("superseded", 2)
    with pytest.raises(Conflict):
        plans.save_plan(plans.spec_of(first), plan_id=first.id)
    outcome = run_period("2026-10")  # the fix re-prices October: reversal + new line for each sale
    assert outcome.lines_posted == 4 and outcome.total_fen == (600_000 + 280_000) * 100 // 10_000


def test_two_active_plans_for_the_same_target_cannot_overlap(world):
    plan(level=4, base_rate_bp=300, valid_to=date(2026, 7, 1))
    with pytest.raises(Conflict):
        plan(level=4, base_rate_bp=300, valid_from=date(2026, 6, 1))
    assert plan(level=4, base_rate_bp=300, valid_from=date(2026, 7, 1)).valid_from == date(2026, 7, 1)


def test_a_single_seller_plan_wins_over_the_level_plan(world):
    w = world
    plan(level=4, base_rate_bp=300)
    plan(name="南山特别方案", level=4, seller_code="NS", base_rate_bp=1000)
    run_period("2026-10")
    from tests.commissions_fixtures import paid

    assert (paid(w.NS), paid(w.TH)) == (60_000, 8_400)


def test_two_plans_of_one_seller_cannot_overlap_whatever_level_they_name(world):
    """A seller's plan wins whatever its level; two of them overlapping used to be saved when
    they named different levels (4 and every level), leaving which one pays to chance."""
    plan(name="南山特别方案", level=4, seller_code="NS", base_rate_bp=1000)
    with pytest.raises(Conflict) as refused:
        plan(name="南山另一方案", level=None, seller_code="NS", base_rate_bp=500, valid_from=date(2026, 6, 1))
    assert refused.value.field == "valid_from" and refused.value.params["name"] == "南山特别方案"
    assert plan(name="南山另一方案", level=None, seller_code="TH", base_rate_bp=500).seller.code == "TH"


def test_a_plan_for_an_unknown_or_other_channel_seller_is_refused(world):
    with pytest.raises(DomainError):
        plan(seller_code="NOPE")
    with pytest.raises(DomainError):
        plan(seller_code="REP1")


def test_plans_survive_a_json_round_trip(world):
    plan(level=4, base_rate_bp=300, category_rates={"净水设备": 450}, tier_mode="whole",
         tiers=(Tier(0, 500_000, 0), Tier(500_000, None, 100, "PRO")), override_rates_bp=(200, 100),
         qualify_min_fen=10_000, qualify_mode="compress", bonus_target_fen=100_000, bonus_fen=5_000)
    exported = plans.export_plans()
    spec = plans.spec_from_json(exported["plans"][0])
    assert spec == plans.spec_of(plans.list_plans()[0])


def test_a_refused_import_saves_nothing_and_names_the_plan(world):
    payload = {"format": "qudao-plans/1", "plans": [
        {"name": "甲", "channel": "agent", "level": 3, "valid_from": "2026-01-01", "base_rate_bp": 100},
        {"name": "乙", "channel": "agent", "level": 4, "valid_from": "2026-01-01", "base_rate_bp": -1},
    ]}
    with pytest.raises(PlanRefused) as refused:
        plans.import_plans(payload)
    assert refused.value.params["n"] == 2
    assert plans.list_plans() == []
    with pytest.raises(DomainError):
        plans.import_plans("not json")


def test_the_demo_plans_install_once_and_run(world):
    installed = plans.install_demo_plans()
    assert len(installed) == 3 and plans.install_demo_plans() == []
    run_period("2026-10")
    assert count_lines() > 0
    assert run_period("2026-10").lines_posted == 0


def test_locking_a_period_twice_is_refused(world):
    plans.lock_period("2026-10")
    with pytest.raises(Conflict):
        plans.lock_period("2026-10")


def test_the_documented_json_example_imports(world):
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "plans-json.md").read_text(encoding="utf-8")
    example = text.split("```json", 1)[1].split("```", 1)[0]
    [imported] = plans.import_plans(example)
    saved = imported.plan
    assert imported.action == "created"
    assert (saved.name, saved.base_rate_bp, [t.certification_code for t in saved.tiers]) == (
        "分销商返利", 300, [None, "PRODUCT-101"])


def test_what_if_previews_a_plan_change_without_saving_it(world):
    first = plan(level=4, base_rate_bp=300)
    run_period("2026-10")
    exported = plans.export_plans()
    exported["plans"][0]["base_rate_bp"] = 500
    exported["plans"][0]["valid_from"] = "2025-06-01"  # supersedes: October re-priced at 5%
    outcome = plans.what_if("2026-10", exported)
    # NS ¥6,000 and TH ¥2,800: each a reversal at 3% and a new line at 5%
    assert (outcome.preview, outcome.lines_posted, outcome.total_fen) == (True, 4, 17_600)
    assert [p.id for p in plans.list_plans()] == [first.id] and plans.list_plans()[0].base_rate_bp == 300
    assert run_period("2026-10").lines_posted == 0


@pytest.mark.parametrize("key", ["tiers", "category_rates", "override_rates_bp", "qualify_min_fen", "bonus_fen",
                                 "order_kind"])
def test_an_import_with_null_where_a_value_is_needed_is_refused_naming_the_field(world, key):
    """null is accepted only for the fields that may be empty (level, seller_code, valid_to); a
    null list or amount used to crash the import (TypeError: 'NoneType' object is not iterable)."""
    payload = {"format": "qudao-plans/1", "plans": [
        {"name": "甲", "channel": "agent", "level": 4, "valid_from": "2026-01-01", "base_rate_bp": 100, key: None},
    ]}
    with pytest.raises(DomainError) as refused:
        plans.import_plans(payload)
    assert refused.value.message == "第 %(n)s 个方案的字段 %(key)s 类型不对。"
    assert refused.value.params == {"n": 1, "key": key}
    assert plans.list_plans() == []


def test_an_import_with_a_category_longer_than_its_column_is_refused_on_every_database(world):
    payload = {"format": "qudao-plans/1", "plans": [
        {"name": "甲", "channel": "agent", "level": 4, "valid_from": "2026-01-01", "base_rate_bp": 100,
         "category_rates": {"品" * 65: 200}},
    ]}
    with pytest.raises(PlanRefused) as refused:
        plans.import_plans(payload)
    assert [p.field for p in refused.value.problems] == ["category_rates"]
    assert plans.list_plans() == []
