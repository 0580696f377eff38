"""Customer value: ABC / Pareto on gross profit, repeat customers, RFM scores.

Gross profit of a customer = sell-out amount − qty × unit_cost, net of returns (a returned
unit takes back its refund and its cost), in integer fen; the SQL in
channel/services/selling_value.py computes it, these functions rank and score it.
Shares are basis points (1/100 of a percent), rounded half-up.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

A_SHARE_BP = 8000  # class A: the customers who make the first 80% of gross profit
B_SHARE_BP = 9500  # class B: up to 95%; C: the rest (and every customer at or below zero)


def share_bp(part: int, whole: int) -> int:
    """part / whole in basis points, half-up; 0 when whole <= 0."""
    if whole <= 0:
        return 0
    return (part * 10000 * 2 + whole) // (whole * 2)


@dataclass(frozen=True)
class AbcRow:
    customer_id: int
    profit_fen: int
    cumulative_bp: int  # share of total profit up to and including this customer
    klass: str


def pareto_abc(profits: dict[int, int]) -> list[AbcRow]:
    """Customers by gross profit, largest first (ties by id), classed A/B/C.

    A customer is A when the profit of the customers before it is still below 80% of the
    total (so the customer that crosses 80% is A), B likewise for 95%, C otherwise. Only
    positive profit counts toward the total; customers at or below zero are C.
    """
    ordered = sorted(profits.items(), key=lambda item: (-item[1], item[0]))
    total = sum(p for _, p in ordered if p > 0)
    rows, before = [], 0
    for customer_id, profit in ordered:
        if profit <= 0 or total <= 0:
            klass = "C"
        elif before * 10000 < A_SHARE_BP * total:
            klass = "A"
        elif before * 10000 < B_SHARE_BP * total:
            klass = "B"
        else:
            klass = "C"
        before += max(profit, 0)
        rows.append(AbcRow(customer_id, profit, share_bp(before, total), klass))
    return rows


@dataclass(frozen=True)
class RepeatStats:
    customers: int
    repeat_customers: int
    repeat_rate_bp: int
    repeat_profit_fen: int
    first_time_profit_fen: int
    repeat_profit_share_bp: int
    profit_per_repeat_fen: int
    profit_per_first_time_fen: int


def repeat_stats(per_customer: dict[int, tuple[int, int]]) -> RepeatStats:
    """`per_customer` maps customer -> (number of orders, gross profit fen). A repeat customer
    has two orders or more. Averages are floor-divided fen (display only)."""
    buyers = {c: v for c, v in per_customer.items() if v[0] >= 1}
    repeat = {c: v for c, v in buyers.items() if v[0] >= 2}
    repeat_profit = sum(p for _, p in repeat.values())
    first_profit = sum(p for c, (_, p) in buyers.items() if c not in repeat)
    first_count = len(buyers) - len(repeat)
    return RepeatStats(
        customers=len(buyers),
        repeat_customers=len(repeat),
        repeat_rate_bp=share_bp(len(repeat), len(buyers)),
        repeat_profit_fen=repeat_profit,
        first_time_profit_fen=first_profit,
        repeat_profit_share_bp=share_bp(repeat_profit, repeat_profit + first_profit),
        profit_per_repeat_fen=repeat_profit // len(repeat) if repeat else 0,
        profit_per_first_time_fen=first_profit // first_count if first_count else 0,
    )


@dataclass(frozen=True)
class RfmRow:
    customer_id: int
    recency_days: int
    frequency: int
    monetary_fen: int
    r: int
    f: int
    m: int
    segment: str

    @property
    def code(self) -> str:
        return f"{self.r}{self.f}{self.m}"


def quintile_scores(values: dict[int, int], higher_is_better: bool = True) -> dict[int, int]:
    """Scores 1..5 by rank: the best fifth scores 5. Equal values score alike (the score of
    the first of them in ascending order of goodness)."""
    n = len(values)
    if n == 0:
        return {}
    ordered = sorted(values.items(), key=lambda item: (item[1] if higher_is_better else -item[1]))
    scores: dict[int, int] = {}
    first_index_of: dict[int, int] = {}
    for index, (key, value) in enumerate(ordered):
        first = first_index_of.setdefault(value, index)
        scores[key] = 1 + (5 * first) // n
    return scores


def rfm_segment(r: int, f: int, m: int) -> str:
    """A label for a score triple (message ids are in channel/selling/views.py)."""
    if r >= 4 and f >= 4:
        return "champion"
    if r >= 3 and f >= 3:
        return "loyal"
    if r <= 2 and (f >= 3 or m >= 4):
        return "at_risk"
    if r >= 4:
        return "new"
    return "hibernating"


def rfm_scores(per_customer: dict[int, tuple[date, int, int]], as_of: date) -> list[RfmRow]:
    """`per_customer` maps customer -> (last order date, number of orders, gross profit fen).
    Recency is days from the last order to `as_of` (fewer is better)."""
    recency = {c: (as_of - last).days for c, (last, _, _) in per_customer.items()}
    r = quintile_scores(recency, higher_is_better=False)
    f = quintile_scores({c: v[1] for c, v in per_customer.items()})
    m = quintile_scores({c: v[2] for c, v in per_customer.items()})
    rows = [
        RfmRow(c, recency[c], v[1], v[2], r[c], f[c], m[c], rfm_segment(r[c], f[c], m[c]))
        for c, v in per_customer.items()
    ]
    rows.sort(key=lambda row: (-(row.r + row.f + row.m), -row.monetary_fen, row.customer_id))
    return rows


def pareto_curve(rows: list[AbcRow], points: int = 10) -> list[tuple[int, int]]:
    """(share of customers in percent, share of total profit in basis points) after each
    1/points of the customers ranked by profit: the 80/20 curve. Empty without profit."""
    n = len(rows)
    if n == 0 or rows[-1].cumulative_bp == 0:
        return []
    curve = []
    for i in range(1, points + 1):
        upto = -(-n * i // points)  # ceil: the customers in the first i/points
        curve.append((100 * i // points, rows[upto - 1].cumulative_bp))
    return curve
