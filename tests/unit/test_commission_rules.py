"""Commission rules, by hand: tiers in both modes (bracket edges included), certification gates,
override distribution under skip and compress, guardrails and the readers of typed plans."""
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, strategies as st

from channel.domain.commissions import (
    PlanRefused, PlanSpec, Tier, distribute_overrides, line_amount, locked_tier, next_tier, parse_category_rates,
    format_tiers, parse_override_rates, parse_tiers, percent_to_bp, tier_amount, tier_rate_now, validate_plan,
)
from channel.domain.errors import DomainError

TIERS = (Tier(0, 1_000_000, 100), Tier(1_000_000, 3_000_000, 300), Tier(3_000_000, None, 500))


def spec(**fields) -> PlanSpec:
    values = dict(name="方案", channel="agent", level=4, valid_from=date(2026, 1, 1))
    values.update(fields)
    return PlanSpec(**values)


def test_marginal_tiers_pay_each_slice_at_its_own_rate_up_to_the_bracket_edge():
    # ¥10,000 at 1% = ¥100, ¥20,000 at 3% = ¥600, nothing yet in the 5% bracket
    assert tier_amount(3_000_000, TIERS, "marginal") == 70_000


def test_marginal_tiers_above_the_edge_add_the_top_slice():
    # ¥100 + ¥600 + ¥5,000 at 5% = ¥250
    assert tier_amount(3_500_000, TIERS, "marginal") == 95_000


def test_whole_tier_exactly_on_the_edge_pays_the_higher_bracket_on_everything():
    assert tier_amount(3_000_000, TIERS, "whole") == 150_000


def test_whole_tier_one_fen_below_the_edge_pays_the_lower_rate_rounded_half_up():
    # 2,999,999 × 3% = 89,999.97 fen -> 90,000
    assert tier_amount(2_999_999, TIERS, "whole") == 90_000


def test_no_tier_commission_on_zero_or_negative_net_sales():
    assert tier_amount(0, TIERS, "marginal") == 0
    assert tier_amount(-50_000, TIERS, "whole") == 0


def test_an_uncertified_seller_is_paid_the_rate_below_a_gated_tier():
    gated = TIERS[:2] + (Tier(3_000_000, None, 500, "C1"),)
    assert tier_amount(3_000_000, gated, "whole") == 90_000  # 3% instead of 5%
    assert tier_amount(3_500_000, gated, "marginal") == 85_000  # top slice at 3%
    assert tier_amount(3_500_000, gated, "marginal", {"C1"}) == 95_000


def test_next_tier_says_how_much_more_to_sell():
    assert next_tier(2_500_000, TIERS) == (500_000, 500)
    assert next_tier(3_000_000, TIERS) is None


def test_next_tier_skips_a_bracket_gated_on_a_certification_the_seller_lacks():
    gated = (Tier(0, 1_000_000, 100), Tier(1_000_000, 3_000_000, 300, "C1"), Tier(3_000_000, None, 500))
    # the 3% bracket would pay only 1% without C1: the goal is the 5% bracket, ¥30,000 - ¥5,000
    assert next_tier(500_000, gated) == (2_500_000, 500)
    assert next_tier(500_000, gated, {"C1"}) == (500_000, 300)
    assert next_tier(500_000, gated[:2]) is None  # nothing above the seller may earn


def test_next_tier_never_offers_a_zero_rate_bracket_even_below_zero():
    tiers = (Tier(0, 1_000_000, 0), Tier(1_000_000, None, 200))
    # net -¥8,992.53 (returns of earlier sales): ¥8,992.53 to make up, then ¥10,000 to the 2% edge
    assert next_tier(-899_253, tiers) == (1_899_253, 200)
    assert next_tier(0, tiers) == (1_000_000, 200)
    # a paying first bracket is a goal from below zero: its lower edge is ¥8,992.53 away
    assert next_tier(-899_253, TIERS) == (899_253, 100)
    # a higher bracket paying no more than the current one is no goal
    assert next_tier(500_000, (Tier(0, 1_000_000, 300), Tier(1_000_000, None, 300))) is None


def test_the_rate_now_is_the_bracket_reached_as_paid():
    assert [tier_rate_now(net, TIERS) for net in (-1, 0, 1, 999_999, 1_000_000, 3_000_000)] == [0, 0, 100, 100, 300, 500]
    gated = (Tier(0, 1_000_000, 100), Tier(1_000_000, None, 300, "C1"))
    assert tier_rate_now(2_000_000, gated) == 100 and tier_rate_now(2_000_000, gated, {"C1"}) == 300
    assert tier_rate_now(2_000_000, ()) == 0


def test_a_gated_bracket_before_the_goal_is_named_with_its_certification():
    gated = (Tier(0, 1_000_000, 100), Tier(1_000_000, 3_000_000, 300, "C1"), Tier(3_000_000, None, 500))
    # the goal is the 5% bracket; the 3% one on the way needs C1: ¥5,000 away
    assert locked_tier(500_000, gated) == (500_000, 300, "C1")
    assert locked_tier(500_000, gated, {"C1"}) is None  # held: it is the goal itself
    assert locked_tier(2_000_000, gated) is None  # already past it (paid at 1%, said by the cert note)
    # the demo's city agents: ¥0-100,000 at 0%, then 1% with PRODUCT-101; nothing else is a goal
    city = (Tier(0, 10_000_000, 0), Tier(10_000_000, None, 100, "PRODUCT-101"))
    assert next_tier(986_572, city) is None and locked_tier(986_572, city) == (9_013_428, 100, "PRODUCT-101")
    # a gated bracket beyond the goal is not named yet, nor one paying no more than the rate now
    assert locked_tier(500_000, (Tier(0, 1_000_000, 100), Tier(1_000_000, 2_000_000, 200),
                                 Tier(2_000_000, None, 500, "C1"))) is None
    assert locked_tier(500_000, (Tier(0, 1_000_000, 300), Tier(1_000_000, None, 300, "C1"))) is None
    assert locked_tier(500_000, TIERS) is None


CHAIN = [(1, True), (2, False), (3, True), (4, True)]


def test_skip_does_not_pay_the_unqualified_middle_upline_share():
    assert distribute_overrides(CHAIN, (200, 100, 50), "skip") == [(1, 1, 200), (3, 3, 50)]


def test_compress_passes_the_share_to_the_next_qualified_upline():
    assert distribute_overrides(CHAIN, (200, 100, 50), "compress") == [(1, 1, 200), (3, 2, 100), (4, 3, 50)]


def test_line_amounts_round_half_up_once():
    assert line_amount(150, 300) == 5  # 4.5 -> 5
    assert line_amount(149, 300) == 4  # 4.47 -> 4
    assert line_amount(-150, 300) == -5


@given(st.integers(0, 10**10), st.integers(0, 10**10))
def test_marginal_tiers_never_pay_more_for_less(a, b):
    low, high = sorted((a, b))
    assert tier_amount(low, TIERS, "marginal") <= tier_amount(high, TIERS, "marginal")


def test_a_compliant_plan_passes_and_says_why():
    checks = validate_plan(spec(base_rate_bp=300, override_rates_bp=(200, 100, 50)))
    messages = " ".join(c.message for c in checks)
    assert all(c.passed for c in checks)
    assert "不超过" in messages and "拉人头" in messages


@pytest.mark.parametrize("fields, field, words", [
    (dict(base_rate_bp=-100), "base_rate", "负数"),
    (dict(base_rate_bp=10001), "base_rate", "100%"),
    (dict(tiers=(Tier(0, 2_000_000, 100), Tier(1_000_000, None, 200))), "tiers", "重叠"),
    (dict(tiers=(Tier(0, 1_000_000, 100), Tier(2_000_000, None, 200))), "tiers", "空档"),
    (dict(tiers=(Tier(500, None, 100),)), "tiers", "从 0 开始"),
    (dict(override_rates_bp=(200, 100, 50, 25)), "override_rates", "最多 3 层"),
    (dict(recruit_bonus_fen=10_000), "recruit_bonus", "拉人头"),
    (dict(valid_to=date(2025, 12, 31)), "valid_to", "晚于"),
    (dict(valid_from=date(1, 1, 1)), "valid_from", "只能是 1900-01-01 到 2999-12-31 之间的日期"),
    (dict(valid_to=date(9999, 12, 31)), "valid_to", "只能是 1900-01-01 到 2999-12-31 之间的日期"),
    (dict(channel="direct", level=3, base_rate_bp=2500, tiers=(Tier(0, None, 600),)), "base_rate", "30%"),
])
def test_plans_breaking_a_rule_are_refused_with_a_clear_message(fields, field, words):
    with pytest.raises(PlanRefused) as refused:
        validate_plan(spec(**fields))
    problem = next(p for p in refused.value.problems if p.field == field)
    assert words in problem.message % problem.params


def test_plan_dates_keep_to_the_years_every_other_date_does():
    """0001-01-01 was accepted as a plan's start (form and import alike); the first and the last
    day of periods.check_day's years still are."""
    assert validate_plan(spec(valid_from=date(1900, 1, 1), valid_to=date(2999, 12, 31)))
    with pytest.raises(PlanRefused) as refused:
        validate_plan(spec(valid_from=date(1899, 12, 31), valid_to=date(3000, 1, 1)))
    assert [(p.field, p.message % p.params) for p in refused.value.problems] == [
        ("valid_from", "日期超出范围：只能是 1900-01-01 到 2999-12-31 之间的日期。"),
        ("valid_to", "日期超出范围：只能是 1900-01-01 到 2999-12-31 之间的日期。")]


def test_the_direct_cap_is_configurable():
    direct = spec(channel="direct", level=3, base_rate_bp=3500)
    with pytest.raises(PlanRefused):
        validate_plan(direct)
    assert validate_plan(direct, direct_cap_bp=4000)


def test_typed_rates_tiers_and_categories_are_read_exactly():
    assert percent_to_bp("2.5") == 250 and percent_to_bp("0.05%") == 5
    assert parse_override_rates("2, 1，0.5") == (200, 100, 50)
    assert parse_category_rates("净水设备 = 4\n滤芯=6.5") == {"净水设备": 400, "滤芯": 650}
    assert parse_tiers("0, 10000, 1\n10000, , 3, C1") == (Tier(0, 1_000_000, 100), Tier(1_000_000, None, 300, "C1"))
    with pytest.raises(DomainError):
        percent_to_bp("1.234")
    with pytest.raises(DomainError):
        parse_category_rates("滤芯=1\n滤芯=2")


@pytest.mark.parametrize("text, tiers", [
    # a separator with a space lets a bound group thousands (QA: "1,000" became ¥1 and a
    # certification "2")
    ("0, 1,000, 2", (Tier(0, 100_000, 200),)),
    ("0, 50,000, 0\n50,000, , 1", (Tier(0, 5_000_000, 0), Tier(5_000_000, None, 100))),
    ("0，1,000.50，2，PRO", (Tier(0, 100_050, 200, "PRO"),)),
    ("0,5000,2", (Tier(0, 500_000, 200),)),  # compact: every comma separates
    ("0 ,5000 , 2 ; C1", (Tier(0, 500_000, 200, "C1"),)),
])
def test_tier_lines_take_grouped_thousands_beside_spaced_separators(text, tiers):
    assert parse_tiers(text) == tiers
    assert parse_tiers(format_tiers(tiers)) == tiers  # what the form shows reads back the same


def test_a_tier_line_with_too_many_parts_is_refused_not_misread():
    with pytest.raises(DomainError) as refused:
        parse_tiers("0, 1,000, 2, PRO, extra")
    assert "阶梯第 1 行" in refused.value.message % refused.value.params


LEVELS = {"agent": 4, "direct": 3}


def refusals(plan: PlanSpec, levels=LEVELS) -> list[tuple[str, str]]:
    with pytest.raises(PlanRefused) as refused:
        validate_plan(plan, levels=levels)
    return [(p.field, p.message % p.params) for p in refused.value.problems]


def test_a_first_tier_not_starting_at_zero_names_its_start_in_yuan_not_fen():
    problems = refusals(spec(base_rate_bp=300, tiers=(Tier(10_000, 500_000, 200), Tier(500_000, None, 300))))
    assert ("tiers", "第一档必须从 0 开始（现在从 ¥100.00 开始，中间有空档）。") in problems


@pytest.mark.parametrize("fields, field", [
    (dict(qualify_min_fen=10**25), "qualify_min"),
    (dict(bonus_target_fen=10**25, bonus_fen=100), "bonus_target"),
    (dict(bonus_target_fen=100, bonus_fen=10**25), "bonus"),
    (dict(tiers=(Tier(0, 10**25, 0), Tier(10**25, None, 500))), "tiers"),
])
def test_amounts_above_the_bound_are_refused_once_per_field(fields, field):
    problems = refusals(spec(base_rate_bp=300, **fields))
    assert (field, "金额过大：最多 ¥1,000,000,000,000.00。") in problems
    assert len([p for p in problems if p[0] == field]) == 1


def test_the_amount_bound_keeps_fen_times_basis_points_inside_bigint():
    from channel.domain.commissions import FULL_RATE_BP, MAX_AMOUNT_FEN

    assert MAX_AMOUNT_FEN * FULL_RATE_BP * 9 < 2**63 - 1
    assert validate_plan(spec(base_rate_bp=300, qualify_min_fen=MAX_AMOUNT_FEN), levels=LEVELS)


def test_absurd_rates_are_refused_with_short_messages():
    with pytest.raises(DomainError) as typed:
        percent_to_bp("1e309")
    assert len(str(typed.value)) < 40
    with pytest.raises(DomainError):
        percent_to_bp("1e999999999")
    assert all(len(text) < 120 for _field, text in refusals(spec(base_rate_bp=10**309)))


@pytest.mark.parametrize("channel, level", [("direct", 3), ("agent", 4)])
def test_one_sale_cannot_pay_out_more_than_its_base_with_the_overrides(channel, level):
    problems = refusals(spec(channel=channel, level=level, base_rate_bp=300, override_rates_bp=(5000, 5000)))
    assert ("override_rates", "一笔销售最多要支付其计提基数的 103%（本人 3% + 各层上级提成 100%），超过了 100%。") in problems
    tiered = spec(base_rate_bp=200, category_rates={"滤芯": 4000}, tiers=(Tier(0, None, 3000),),
                  override_rates_bp=(2000, 1000))
    # the best category rate (40 %) plus the top tier (30 %) is what one sale can pay its seller
    assert ("override_rates", "一笔销售最多要支付其计提基数的 100.01%（本人 70% + 各层上级提成 30.01%），超过了 100%。") \
        in refusals(replace(tiered, override_rates_bp=(2000, 1001)))
    passed = validate_plan(tiered, levels=LEVELS)
    assert "一笔销售最多支付其计提基数的 100%（本人 70% + 各层上级提成 30%），不超过 100%。" in [
        c.message % c.params for c in passed]


def test_a_missing_base_rate_is_refused_but_an_explicit_zero_passes():
    assert ("base_rate", "请填写基础费率（不按基础费率提成时填 0）。") in refusals(spec(base_rate_bp=None))
    assert validate_plan(spec(base_rate_bp=0, override_rates_bp=(200,)), levels=LEVELS)


@pytest.mark.parametrize("channel, level, ok", [("agent", 4, True), ("agent", 5, False), ("agent", 9, False),
                                                ("direct", 3, True), ("direct", 4, False), ("agent", 0, False)])
def test_levels_are_checked_against_the_channels_levels(channel, level, ok):
    plan = spec(channel=channel, level=level, base_rate_bp=300)
    if ok:
        assert validate_plan(plan, levels=LEVELS)
    else:
        assert any(field == "level" and "1 到" in text for field, text in refusals(plan))


def test_texts_longer_than_their_columns_are_refused_beside_their_field():
    """A plan name, a category or a certification code longer than its column used to reach the
    database: PostgreSQL refused the INSERT (a 500), SQLite kept it."""
    problems = refusals(spec(base_rate_bp=300, name="方" * 101, category_rates={"品" * 65: 400, " ": 100},
                             tiers=(Tier(0, 100, 0), Tier(100, None, 100, "C" * 41))))
    assert ("name", "方案名称最多 100 个字符。") in problems
    assert ("category_rates", "品类名称最多 64 个字符：“" + "品" * 23 + "…”。") in problems
    assert ("category_rates", "品类名称不能为空。") in problems
    assert ("tiers", "认证代码最多 40 个字符：“" + "C" * 23 + "…”。") in problems
    validate_plan(spec(base_rate_bp=300, name="方" * 100, category_rates={"品" * 64: 400},
                       tiers=(Tier(0, 100, 0), Tier(100, None, 100, "C" * 40))), levels=LEVELS)


@pytest.mark.parametrize("text", ["2, , 1", "2,,1", "，1"])
def test_an_empty_override_level_before_a_rate_is_refused_not_closed_up(text):
    """"2, , 1" used to read as (2 %, 1 %): level 3's rate paid at level 2."""
    with pytest.raises(DomainError) as refused:
        parse_override_rates(text)
    assert refused.value.field == "override_rates" and "是空的" in refused.value.message


def test_trailing_override_separators_are_ignored():
    assert parse_override_rates("2, 0, 1, ") == (200, 0, 100) and parse_override_rates("") == ()


def test_missing_certifications_are_those_of_the_brackets_reached():
    from channel.domain.commissions import missing_certifications

    tiers = (Tier(0, 100, 0), Tier(100, 200, 100, "A"), Tier(200, None, 200, "B"))
    assert missing_certifications(150, tiers) == ["A"]
    assert missing_certifications(250, tiers, {"A"}) == ["B"]
    assert missing_certifications(99, tiers) == [] and missing_certifications(-5, tiers) == []


# --- the direct cap in a month two plans share -------------------------------------------------

def _placed(key, base, tier=0, start=date(2026, 1, 1), end=None, level=3, seller_id=None, bonus=(0, 0)):
    from channel.domain.commissions import PlacedPlan

    spec = PlanSpec(name=f"p{key}", channel="direct", level=level, valid_from=start, valid_to=end,
                    base_rate_bp=base, tiers=(Tier(0, None, tier),) if tier else (),
                    bonus_fen=bonus[0], bonus_target_fen=bonus[1])
    return PlacedPlan(key, spec, seller_id, None if seller_id else level, start, end)


def test_a_version_starting_mid_month_adds_its_tiers_to_the_base_of_the_one_before():
    from channel.domain.commissions import mixed_month_rate

    v1 = _placed(1, 2500, end=date(2026, 11, 15))
    v2 = _placed(2, 500, tier=2500, start=date(2026, 11, 15))
    rate, base, end = mixed_month_rate([v1, v2], date(2026, 11, 1), date(2026, 12, 1), 3, None)
    assert (rate, base.key, end.key) == (5000, 1, 2)  # 25 % base before the 15th + 25 % tier at month end
    # a month one plan pays alone is left to check_plan
    assert mixed_month_rate([v1, v2], date(2026, 12, 1), date(2027, 1, 1), 3, None) is None
    assert mixed_month_rate([v1, v2], date(2026, 10, 1), date(2026, 11, 1), 3, None) is None


def test_the_month_end_plan_is_chosen_by_precedence_and_its_bonus_counts():
    from channel.domain.commissions import mixed_month_rate, plan_for

    channel_wide = _placed("c", 2000, tier=500, level=None)
    own = _placed("s", 100, tier=0, start=date(2026, 11, 20), seller_id=7, bonus=(1000_00, 10000_00))  # bonus 10 %
    assert plan_for([channel_wide, own], date(2026, 11, 19), 3, 7) is channel_wide
    assert plan_for([channel_wide, own], date(2026, 11, 20), 3, 7) is own
    assert plan_for([channel_wide, own], date(2026, 11, 20), 3, None) is channel_wide  # another seller
    rate, base, end = mixed_month_rate([channel_wide, own], date(2026, 11, 1), date(2026, 12, 1), 3, 7)
    assert (rate, base.key, end.key) == (2000 + 1000, "c", "s")  # the channel plan's tier no longer pays


@pytest.mark.parametrize("typed", ["1e2", "1E1", "1_0", "0x10", "- 1", "1.2.3"])
def test_a_rate_in_anything_but_plain_digits_is_refused_not_read_as_another_number(typed):
    """'1e2' was read as 100 % and '1_0' as 10 %: the money parser refuses such forms, rates did not."""
    with pytest.raises(DomainError):
        percent_to_bp(typed)


def test_plain_rates_in_any_usual_spelling_are_still_read():
    assert [percent_to_bp(t) for t in ("3", "3.", ".5", "+2", "-1", "３", " 2.25 % ", "")] == \
        [300, 300, 50, 200, -100, 300, 225, 0]
