"""Pareto / ABC, repeat customers and RFM on hand-made examples."""
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from channel.domain import selling_value as value


def test_pareto_classes_a_b_c_on_a_hand_made_example():
    # total positive profit 1000: 500 (50%), 300 (80%), 100 (90%), 60 (96%), 40 (100%), and a loss
    profits = {1: 300, 2: 500, 3: 100, 4: 40, 5: 60, 6: -20}
    rows = value.pareto_abc(profits)
    assert [r.customer_id for r in rows] == [2, 1, 3, 5, 4, 6]
    assert [r.cumulative_bp for r in rows] == [5000, 8000, 9000, 9600, 10000, 10000]
    # 2 and 1 make 80%; 3 starts at 80% so it is B; 5 starts at 90% (< 95%) so B; 4 starts at 96%
    assert {r.customer_id: r.klass for r in rows} == {2: "A", 1: "A", 3: "B", 5: "B", 4: "C", 6: "C"}


def test_the_customer_that_crosses_eighty_percent_is_class_a():
    rows = value.pareto_abc({1: 700, 2: 200, 3: 100})
    assert [r.klass for r in rows] == ["A", "A", "B"]


@given(st.dictionaries(st.integers(1, 500), st.integers(-10_000, 1_000_000), max_size=60))
def test_class_a_holds_at_least_eighty_percent_of_profit_and_is_a_prefix(profits):
    rows = value.pareto_abc(profits)
    total = sum(p for p in profits.values() if p > 0)
    a_profit = sum(r.profit_fen for r in rows if r.klass == "A")
    if total > 0:
        assert a_profit * 10 >= total * 8
    classes = [r.klass for r in rows]
    assert classes == sorted(classes)  # A... then B... then C...


def test_repeat_rate_and_profit_shares():
    stats = value.repeat_stats({1: (3, 600), 2: (1, 100), 3: (2, 200), 4: (1, 100), 5: (0, 0)})
    assert stats.customers == 4 and stats.repeat_customers == 2
    assert stats.repeat_rate_bp == 5000
    assert (stats.repeat_profit_fen, stats.first_time_profit_fen) == (800, 200)
    assert stats.repeat_profit_share_bp == 8000
    assert (stats.profit_per_repeat_fen, stats.profit_per_first_time_fen) == (400, 100)


def test_share_rounds_half_up_in_basis_points():
    assert value.share_bp(1, 3) == 3333
    assert value.share_bp(2, 3) == 6667
    assert value.share_bp(1, 20000) == 1  # 0.5 bp rounds up
    assert value.share_bp(5, 0) == 0


def test_rfm_on_a_hand_made_example():
    as_of = date(2026, 11, 30)
    per_customer = {
        1: (date(2026, 11, 29), 10, 90000),  # recent, frequent, big
        2: (date(2026, 11, 20), 6, 50000),
        3: (date(2026, 10, 1), 4, 30000),
        4: (date(2026, 6, 1), 2, 10000),
        5: (date(2025, 11, 30), 1, 1000),  # a year ago, once, small
    }
    rows = {r.customer_id: r for r in value.rfm_scores(per_customer, as_of)}
    assert rows[1].code == "555" and rows[1].segment == "champion"
    assert rows[5].code == "111" and rows[5].segment == "hibernating"
    assert rows[3].code == "333" and rows[3].recency_days == 60
    assert rows[4].r == 2 and rows[4].f == 2
    assert [r.customer_id for r in value.rfm_scores(per_customer, as_of)] == [1, 2, 3, 4, 5]


def test_equal_values_score_alike():
    scores = value.quintile_scores({1: 5, 2: 5, 3: 5, 4: 9, 5: 1})
    assert scores[1] == scores[2] == scores[3]
    assert scores[4] == 5 and scores[5] == 1


def test_a_lapsed_big_customer_is_at_risk():
    assert value.rfm_segment(1, 4, 5) == "at_risk"
    assert value.rfm_segment(5, 1, 1) == "new"


def test_the_pareto_curve_reads_the_cumulative_share_at_each_tenth_of_customers():
    # ten customers: the first makes 50% of profit, the next nine share the rest equally
    profits = {1: 900, **{i: 100 for i in range(2, 11)}}
    curve = value.pareto_curve(value.pareto_abc(profits), points=10)
    assert curve[0] == (10, 5000) and curve[1] == (20, 5556) and curve[-1] == (100, 10000)
    assert value.pareto_curve([], points=10) == []
