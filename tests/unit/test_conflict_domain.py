"""Pure conflict rules: case life cycle, customer identity, distances, SLA and fees."""
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, strategies as st

from channel.domain import conflicts as rules
from channel.domain.customers import normalize_name, normalize_phone
from channel.domain.errors import DomainError, Label


def who(key, name, phone="", code=None):
    return rules.Identity(key, normalize_name(name), normalize_phone(phone), code)


def test_a_case_goes_open_investigating_then_confirmed_or_dismissed():
    rules.check_transition("open", "investigating")
    rules.check_transition("investigating", "confirmed", "核实属实")
    rules.check_transition("investigating", "dismissed", "客户自提")
    rules.check_transition("confirmed", "dismissed", "申诉成立")
    for current, new in [("open", "confirmed"), ("dismissed", "confirmed"), ("confirmed", "open"), ("open", "open")]:
        with pytest.raises(DomainError):
            rules.check_transition(current, new, "理由")


def test_a_refused_move_names_the_statuses_by_their_labels_not_their_codes():
    with pytest.raises(DomainError) as refused:
        rules.check_transition("dismissed", "confirmed", "理由")
    assert str(refused.value) == "案件不能从“已驳回”改为“已确认”。"
    assert isinstance(refused.value.params["current"], Label)  # translated when shown (channel.i18n.error_text)


@pytest.mark.parametrize("current, new", [("open", "dismissed"), ("investigating", "confirmed"),
                                          ("investigating", "dismissed"), ("confirmed", "dismissed")])
def test_confirming_or_dismissing_needs_a_reason(current, new):
    for note in (None, "", "   "):
        with pytest.raises(DomainError) as refused:
            rules.check_transition(current, new, note)
        assert refused.value.field == "note"
    rules.check_transition("open", "investigating")  # other moves need none
    rules.check_transition("investigating", "open")


def test_a_registration_is_dated_today_or_up_to_the_bound_back_never_ahead():
    today = date(2026, 11, 27)
    rules.check_registration_date(today, today, 365)
    rules.check_registration_date(today - timedelta(days=365), today, 365)
    for day in (today + timedelta(days=1), date(9999, 12, 31), today - timedelta(days=366), date(1900, 1, 1), date.min):
        with pytest.raises(DomainError) as refused:
            rules.check_registration_date(day, today, 365)
        assert refused.value.field == "registered_on"


def test_the_same_credit_code_is_one_customer_whatever_the_names():
    assert rules.match_score(who(1, "甲公司", code="X"), who(2, "乙商贸", code="X")) == (100, "credit_code")
    assert rules.match_score(who(1, "甲公司", code="X"), who(2, "甲公司", code="Y"))[0] == 0


def test_legal_form_spacing_and_full_width_do_not_change_the_name_score():
    base = who(1, "深圳市华盛贸易有限公司")
    for spelling in ("深圳市 华盛贸易", "深圳市华盛贸易有限责任公司", "深圳市　华盛贸易（有限公司）"):
        assert rules.match_score(base, who(2, spelling))[0] == 100
    assert rules.match_score(who(1, "ABC科技"), who(2, "ＡＢＣ 科技有限公司"))[0] == 100


def test_a_phone_on_both_sides_weighs_forty_percent():
    same_name_other_phone = rules.match_score(who(1, "华盛贸易", "13800000001"), who(2, "华盛贸易", "13900000009"))
    assert same_name_other_phone == (60, "name_phone")
    assert rules.match_score(who(1, "华盛贸易", "13800000001"), who(2, "华盛贸易", "+86 138 0000 0001"))[0] == 100


def test_matches_finds_pairs_above_the_threshold_only():
    registered = [who(10, "深圳市华盛贸易有限公司", "13800000001"), who(11, "杭州恒通科技", code="C")]
    candidates = [who(1, "深圳华盛贸易", "13800000001"), who(2, "完全不同", code="C"), who(3, "北京某某")]
    found = {(c, r) for c, r, _score, _reason in rules.matches(candidates, registered, 85)}
    assert found == {(1, 10), (2, 11)}


def test_distance_between_shenzhen_and_harbin_is_thousands_of_km_and_zero_to_itself():
    assert 2500 < rules.distance_km(113.93, 22.53, 126.62, 45.76) < 3000
    assert rules.distance_km(113.93, 22.53, 113.93, 22.53) == 0


@given(st.floats(-180, 180), st.floats(-89, 89), st.floats(-180, 180), st.floats(-89, 89))
def test_distance_is_symmetric_and_never_more_than_half_the_earth(lon1, lat1, lon2, lat2):
    d = rules.distance_km(lon1, lat1, lon2, lat2)
    assert d == pytest.approx(rules.distance_km(lon2, lat2, lon1, lat1), abs=1e-6)
    assert 0 <= d <= 20016


def test_protection_runs_the_given_days_and_ends_exclusively():
    assert rules.protected_until(date(2026, 6, 1), 90) == date(2026, 8, 30)
    with pytest.raises(DomainError):
        rules.protected_until(date(2026, 6, 1), 0)


def test_a_case_is_overdue_only_while_open_and_past_the_sla():
    opened, now = datetime(2026, 10, 1), datetime(2026, 10, 16)
    assert rules.age_days(opened, now) == 15
    assert rules.overdue("open", opened, now, 14) and rules.overdue("investigating", opened, now, 14)
    assert not rules.overdue("open", opened, now, 15) and not rules.overdue("confirmed", opened, now, 1)
    assert rules.age_days(now, now - timedelta(days=1)) == 0


def test_the_protection_fee_is_basis_points_of_the_offending_amount_rounded_half_up():
    assert rules.protection_fee_fen(600000, 500) == 30000
    assert rules.protection_fee_fen(333, 1500) == 50  # 49.95 → 50
    assert rules.protection_fee_fen(600000, 0) == 0


@given(st.integers(0, 10**12), st.integers(0, 10000))
def test_the_protection_fee_never_exceeds_the_offending_amount(amount, bp):
    assert 0 <= rules.protection_fee_fen(amount, bp) <= amount


def test_a_policy_for_the_cases_rule_or_for_every_rule_fits():
    rules.check_policy_fits("duplicate_claim", "撞单罚款", "duplicate_claim", True)
    rules.check_policy_fits("duplicate_claim", "通用", None, True)


def test_a_policy_for_another_rule_is_refused_naming_both_rules_as_labels():
    with pytest.raises(DomainError) as refused:
        rules.check_policy_fits("duplicate_claim", "乱价罚款", "price_violation", True)
    assert refused.value.field == "policy_id"
    assert refused.value.params["policy_rule"] == "乱价" and isinstance(refused.value.params["policy_rule"], Label)
    assert refused.value.params["case_rule"] == "撞单"


def test_a_deactivated_policy_is_refused_even_for_its_own_rule():
    with pytest.raises(DomainError) as refused:
        rules.check_policy_fits("duplicate_claim", "撞单罚款", "duplicate_claim", False, field="status")
    assert refused.value.field == "status" and "已停用" in str(refused.value)
