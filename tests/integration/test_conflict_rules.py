"""Each detection rule on hand-made examples, with its edges (see tests/conflicts_fixtures.py)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from channel.domain.errors import Conflict
from channel.domain.periods import Month
from channel.services import conflicts, conflicts_cases
from channel.services.conflicts_cases import ScanInput
from channel.services.tree import grant_territory
from models import db
from models.conflicts import ConflictCase, ConflictEvent, ConflictEvidence
from tests.conflicts_fixtures import at, credit_code, sell

OCT = Month(2026, 10)


def cases(rule=None, offender=None):
    query = select(ConflictCase)
    if rule:
        query = query.where(ConflictCase.rule == rule)
    if offender is not None:
        query = query.where(ConflictCase.offender_id == offender.id)
    return db.session.scalars(query.order_by(ConflictCase.id)).all()


def lines_in(case):
    return set(db.session.scalars(select(ConflictEvidence.order_line_id).where(ConflictEvidence.case_id == case.id)))


# ---- 串货 ----------------------------------------------------------------------------------

def test_a_ship_to_district_under_the_granted_city_is_fine(world):
    sell(world, world.SZ, 440306)  # 宝安区, inside 深圳
    conflicts.scan_period(OCT)
    assert cases("cross_territory", world.SZ) == []


def test_the_neighbouring_city_is_flagged_high_with_its_exclusive_holder_harmed(world):
    line = sell(world, world.SZ, 440104)  # 越秀区, 广州: GZ's exclusive area
    conflicts.scan_period(OCT)
    [case] = cases("cross_territory", world.SZ)
    assert (case.severity, case.harmed_id, case.status) == ("high", world.GZ.id, "open")
    assert lines_in(case) == {line.id}
    assert case.amount_fen == 300000 and case.province_id == 440000


def test_a_sale_in_nobodys_exclusive_area_is_medium_with_no_harmed_party(world):
    sell(world, world.SZ, 420102)  # 武汉: only the national agent's shared grant
    conflicts.scan_period(OCT)
    [case] = cases("cross_territory", world.SZ)
    assert (case.severity, case.harmed_id) == ("medium", None)


def test_a_shared_grant_inside_anothers_exclusive_area_is_not_flagged(world):
    sell(world, world.NS, 440305)  # NS holds 南山 (shared) inside SZ's exclusive 深圳
    sell(world, world.GD, 440104)  # GD holds all of 广东 (shared)
    conflicts.scan_period(OCT)
    assert cases("cross_territory", world.NS) == [] and cases("cross_territory", world.GD) == []


def test_a_grant_that_starts_after_the_order_date_does_not_cover_it(world):
    grant_territory(world.REP2.id, 310100, exclusive=False, valid_from=date(2026, 10, 15))
    early = sell(world, world.REP2, 310115, day=date(2026, 10, 14))
    sell(world, world.REP2, 310115, day=date(2026, 10, 15))
    conflicts.scan_period(OCT)
    [case] = cases("cross_territory", world.REP2)
    assert lines_in(case) == {early.id}


def test_a_direct_rep_without_a_grant_is_checked_the_same_way(world):
    conflicts.scan_period(OCT)  # the world's REP3 sells in 徐汇 and holds nothing
    [case] = cases("cross_territory", world.REP3)
    assert lines_in(case) == {world.order_rep3.lines[0].id}
    assert cases("cross_territory", world.REP1) == []


def test_scanning_again_creates_no_duplicate_and_new_evidence_joins_the_open_case(world):
    sell(world, world.SZ, 440104)
    first = conflicts.scan_period(OCT)
    again = conflicts.scan_period(OCT)
    assert first.cases_opened >= 1 and (again.cases_opened, again.evidence_added) == (0, 0)
    [case] = cases("cross_territory", world.SZ)
    later = sell(world, world.SZ, 440106, day=date(2026, 10, 20))
    result = conflicts.scan_new(order_line_ids=[later.id])
    assert result.cases_opened == 0 and result.evidence_added == 1
    db.session.refresh(case)
    assert case.evidence_count == 2 and case.amount_fen == 600000
    actions = db.session.scalars(select(ConflictEvent.action).where(ConflictEvent.case_id == case.id)
                                 .order_by(ConflictEvent.id)).all()
    assert actions == ["opened", "evidence"]


def test_the_incremental_scan_touches_only_the_given_lines(world):
    flagged = sell(world, world.SZ, 440104)
    other = sell(world, world.HZ, 440104)
    conflicts.scan_new(order_line_ids=[flagged.id])
    assert cases("cross_territory", world.HZ) == []
    assert {e for c in cases("cross_territory") for e in lines_in(c)} == {flagged.id}
    conflicts.scan_new(order_line_ids=[other.id])
    assert len(cases("cross_territory", world.HZ)) == 1


# ---- 乱价 ----------------------------------------------------------------------------------

def test_a_price_equal_to_the_floor_is_fine_and_below_it_is_flagged(world):
    sell(world, world.NS, 440305, price=255000)
    below = sell(world, world.NS, 440305, price=254999)
    far_below = sell(world, world.TH, 440106, price=200000)
    conflicts.scan_period(OCT)
    [ns] = cases("price_violation", world.NS)
    assert lines_in(ns) == {below.id} and ns.severity == "medium"
    evidence = db.session.scalar(select(ConflictEvidence).where(ConflictEvidence.case_id == ns.id))
    assert evidence.expected_fen == 255000
    [th] = cases("price_violation", world.TH)
    assert lines_in(th) == {far_below.id} and th.severity == "high"


def test_the_floor_in_force_on_the_order_date_applies(world):
    from models.catalog import ProductPrice

    db.session.add(ProductPrice(product_id=world.product.id, kind="floor", level=None, price_fen=290000,
                                valid_from=date(2026, 10, 20)))
    db.session.commit()
    sell(world, world.NS, 440305, price=280000, day=date(2026, 10, 19))
    late = sell(world, world.NS, 440305, price=280000, day=date(2026, 10, 20))
    conflicts.scan_period(OCT)
    [case] = cases("price_violation", world.NS)
    assert lines_in(case) == {late.id}


# ---- 一物一码 ------------------------------------------------------------------------------

def _coded(world):
    units = conflicts_cases.add_codes(world.product.id, ["U1", "U2"], case_code="C1")
    conflicts_cases.ship_codes(world.SZ.id, ["C1"], date(2026, 10, 1))
    return units


def test_a_case_scan_outside_the_receiving_agents_territory_covers_its_units(world):
    units = _coded(world)
    conflicts_cases.record_scans([ScanInput("C1", 440104, at(date(2026, 10, 10)), "inspector", "稽查员 王")])
    [case] = cases("code_diversion")
    assert (case.offender_id, case.harmed_id, case.severity) == (world.SZ.id, world.GZ.id, "high")
    codes = set(db.session.scalars(select(ConflictEvidence.code_id).where(ConflictEvidence.case_id == case.id)))
    assert codes == set(units)


def test_a_scan_inside_the_agents_territory_is_fine(world):
    _coded(world)
    conflicts_cases.record_scans([ScanInput("U1", 440305, at(date(2026, 10, 10)), "consumer")])
    assert cases() == []


def test_a_code_never_shipped_and_an_unknown_code_are_fakes(world):
    conflicts_cases.add_codes(world.product.id, ["U9"])
    conflicts_cases.record_scans([ScanInput("U9", 440305, at(date(2026, 10, 10)), "consumer"),
                                  ScanInput("NO-SUCH-CODE", 440305, at(date(2026, 10, 10)), "consumer")])
    fakes = cases("fake_code")
    assert len(fakes) == 2 and all(c.severity == "high" for c in fakes)


def test_one_code_scanned_in_two_far_apart_districts_is_a_copied_code(world):
    _coded(world)
    conflicts_cases.record_scans([ScanInput("U1", 440305, at(date(2026, 10, 10)), "retailer")])
    conflicts_cases.record_scans([ScanInput("U1", 230102, at(date(2026, 10, 11)), "consumer")])  # 哈尔滨
    assert len(cases("fake_code")) == 1
    assert len(cases("code_diversion")) == 1  # 哈尔滨 is outside SZ's area too


def test_two_nearby_districts_are_not_a_copied_code(world):
    _coded(world)
    conflicts_cases.record_scans([ScanInput("U1", 440305, at(date(2026, 10, 10)), "retailer"),
                                  ScanInput("U1", 440306, at(date(2026, 10, 11)), "consumer")])
    assert cases("fake_code") == []


# ---- 撞单 / 客户报备 ---------------------------------------------------------------------------

def _register(world, seller, name, phone=None, code=None, on=date(2026, 9, 1), **kw):
    return conflicts_cases.register_customer(seller_id=seller.id, name=name, phone=phone, credit_code=code, on=on, **kw)


def test_selling_to_a_customer_another_seller_protects_is_flagged_with_the_registrant_harmed(world):
    _register(world, world.NS, "深圳市华盛贸易有限公司", phone="13800000001")
    line = sell(world, world.TH, 440106, customer_name="深圳市 华盛贸易", phone="+86 138-0000-0001")
    conflicts.scan_new(order_line_ids=[line.id])
    [case] = cases("duplicate_claim")
    assert (case.offender_id, case.harmed_id) == (world.TH.id, world.NS.id)
    assert lines_in(case) == {line.id}


@pytest.mark.parametrize("spelling", ["深圳市华盛贸易", "深圳市 华盛贸易 有限公司", "深圳市华盛贸易（有限公司）",
                                      "深圳市　华盛贸易有限责任公司"])
def test_a_name_differing_only_by_legal_form_spacing_or_full_width_is_the_same_customer(world, spelling):
    _register(world, world.NS, "深圳市华盛贸易有限公司")
    line = sell(world, world.TH, 440106, customer_name=spelling)
    conflicts.scan_new(order_line_ids=[line.id])
    assert len(cases("duplicate_claim")) == 1


def test_full_width_letters_match_half_width(world):
    _register(world, world.NS, "ABC科技有限公司")
    line = sell(world, world.TH, 440106, customer_name="ＡＢＣ 科技")
    conflicts.scan_new(order_line_ids=[line.id])
    assert len(cases("duplicate_claim")) == 1


def test_the_same_credit_code_under_a_different_name_is_flagged(world):
    code = credit_code("91440300MA5F00001")
    _register(world, world.NS, "华盛贸易", code=code)
    line = sell(world, world.TH, 440106, customer_name="完全不同的名字有限公司", code=code)
    conflicts.scan_new(order_line_ids=[line.id])
    assert len(cases("duplicate_claim")) == 1


def test_a_different_company_is_not_flagged(world):
    _register(world, world.NS, "深圳市华盛贸易有限公司", phone="13800000001")
    line = sell(world, world.TH, 440106, customer_name="广州市宏达电器有限公司", phone="13900000009")
    conflicts.scan_new(order_line_ids=[line.id])
    assert cases("duplicate_claim") == []


def test_a_sale_after_the_protection_expired_is_not_flagged(world):
    _register(world, world.NS, "深圳市华盛贸易有限公司", on=date(2026, 6, 1))  # protected until 2026-08-30
    line = sell(world, world.TH, 440106, customer_name="深圳市华盛贸易")
    conflicts.scan_new(order_line_ids=[line.id])
    assert cases("duplicate_claim") == []


def test_the_registrant_selling_to_its_own_prospect_is_fine(world):
    _register(world, world.NS, "深圳市华盛贸易有限公司")
    line = sell(world, world.NS, 440305, customer_name="深圳市华盛贸易")
    conflicts.scan_new(order_line_ids=[line.id])
    assert cases("duplicate_claim") == []


def test_registering_a_protected_customer_shows_the_clash_before_saving(world):
    from models.conflicts import CustomerRegistration

    first = _register(world, world.NS, "深圳市华盛贸易有限公司", phone="13800000001")
    clashes = conflicts_cases.check_registration(world.REP1.id, "深圳市华盛贸易", "13800000001", None, date(2026, 9, 5))
    assert [c.registration.id for c in clashes] == [first.id]
    with pytest.raises(Conflict):
        _register(world, world.REP1, "深圳市华盛贸易", phone="13800000001", on=date(2026, 9, 5))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CustomerRegistration)) == 1
    _register(world, world.REP1, "深圳市华盛贸易", phone="13800000001", on=date(2026, 9, 5), accept_clash=True)
    [case] = cases("duplicate_claim")
    assert (case.offender_id, case.harmed_id) == (world.REP1.id, world.NS.id)
