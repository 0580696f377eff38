"""Activity KPIs: which Asia/Shanghai day and ISO week an activity counts for, metrics from
activity kinds, which target applies, and the board's rows (actual against target).

Timestamps arrive as naive UTC. China has kept UTC+08:00 all year since 1991, so the
Shanghai calendar day of a timestamp is the UTC timestamp shifted by 8 hours; the SQL
aggregate uses the same `SHANGHAI_OFFSET` (a unit test checks it against the tz database).
Weeks are ISO weeks, Monday to Sunday, in Shanghai time: a call at 23:30 on Sunday in
Shanghai (15:30 UTC) counts for that week, one at 00:30 on Monday for the next.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from channel.domain.errors import DomainError, N_

SHANGHAI = ZoneInfo("Asia/Shanghai")
SHANGHAI_OFFSET = timedelta(hours=8)

CALL_FIRST, CALL_FOLLOW, VISIT, TRAINING = "call_first", "call_follow", "visit", "training"
KINDS = (CALL_FIRST, CALL_FOLLOW, VISIT, TRAINING)

# metric -> the activity kinds it counts
METRICS: dict[str, tuple[str, ...]] = {
    "calls": (CALL_FIRST, CALL_FOLLOW),
    "first_contacts": (CALL_FIRST,),
    "visits": (VISIT,),
    "trainings": (TRAINING,),
}
PERIODS = ("day", "week")


def shanghai_day(occurred_at_utc: datetime) -> date:
    """The Asia/Shanghai calendar date of a naive-UTC timestamp."""
    return occurred_at_utc.replace(tzinfo=timezone.utc).astimezone(SHANGHAI).date()


def to_utc(local: datetime) -> datetime:
    """A naive Asia/Shanghai wall-clock time as naive UTC (how it is stored)."""
    return local.replace(tzinfo=SHANGHAI).astimezone(timezone.utc).replace(tzinfo=None)


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def utc_bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """[start, end) in naive UTC covering the Shanghai days first_day..last_day inclusive."""
    return to_utc(datetime.combine(first_day, time())), to_utc(datetime.combine(last_day + timedelta(days=1), time()))


def metric_counts(kind_counts: dict[str, int]) -> dict[str, int]:
    """Metric totals from counts per activity kind."""
    return {metric: sum(kind_counts.get(kind, 0) for kind in kinds) for metric, kinds in METRICS.items()}


@dataclass(frozen=True)
class TargetRule:
    metric: str
    period: str
    target: int
    channel: str | None = None  # a rule for every seller of the channel (the role's target)
    seller_id: int | None = None  # a personal rule: beats the channel's


def check_target(metric: str, period: str, target: int, channel: str | None, seller_id: int | None) -> None:
    if metric not in METRICS:
        raise DomainError(N_("未知的指标 %(metric)s。"), field="metric", metric=metric)
    if period not in PERIODS:
        raise DomainError(N_("周期必须是日或周。"), field="period")
    if target < 0:
        raise DomainError(N_("目标不能为负数。"), field="target")
    if (channel is None) == (seller_id is None):
        raise DomainError(N_("目标要么按角色设，要么按个人设。"), field="seller_code")


def pick_target(rules: list[TargetRule], seller_id: int, channel: str, metric: str, period: str) -> int | None:
    """The seller's own target for (metric, period), else its channel's, else None."""
    role_target = None
    for rule in rules:
        if rule.metric != metric or rule.period != period:
            continue
        if rule.seller_id == seller_id:
            return rule.target
        if rule.seller_id is None and rule.channel == channel:
            role_target = rule.target
    return role_target


@dataclass
class Cell:
    actual: int
    target: int | None

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.actual >= self.target


@dataclass
class BoardRow:
    seller_id: int
    name: str
    day: dict[str, Cell] = field(default_factory=dict)
    week: dict[str, Cell] = field(default_factory=dict)


def build_board(
    sellers: list[tuple[int, str, str]],
    counts: dict[tuple[int, date, str], int],
    rules: list[TargetRule],
    day: date,
) -> tuple[list[BoardRow], BoardRow]:
    """Rows (one per seller: actual vs target for `day` and for its ISO week) and the team's
    totals row (actuals summed; a total target only where every seller has one).

    `sellers` are (id, name, channel); `counts` maps (seller_id, shanghai_day, kind) -> n.
    """
    monday = week_start(day)
    week_days = {monday + timedelta(days=i) for i in range(7)}
    per_day: dict[tuple[int, date], dict[str, int]] = {}
    for (seller_id, on, kind), n in counts.items():
        per_day.setdefault((seller_id, on), {}).setdefault(kind, 0)
        per_day[(seller_id, on)][kind] += n
    rows = []
    total = BoardRow(0, "")
    for metric in METRICS:
        total.day[metric] = Cell(0, 0)
        total.week[metric] = Cell(0, 0)
    for seller_id, name, channel in sellers:
        row = BoardRow(seller_id, name)
        day_metrics = metric_counts(per_day.get((seller_id, day), {}))
        week_kinds: dict[str, int] = {}
        for on in week_days:
            for kind, n in per_day.get((seller_id, on), {}).items():
                week_kinds[kind] = week_kinds.get(kind, 0) + n
        week_metrics = metric_counts(week_kinds)
        for metric in METRICS:
            row.day[metric] = Cell(day_metrics[metric], pick_target(rules, seller_id, channel, metric, "day"))
            row.week[metric] = Cell(week_metrics[metric], pick_target(rules, seller_id, channel, metric, "week"))
            for period in ("day", "week"):
                cell, sum_cell = getattr(row, period)[metric], getattr(total, period)[metric]
                sum_cell.actual += cell.actual
                sum_cell.target = None if sum_cell.target is None or cell.target is None else sum_cell.target + cell.target
        rows.append(row)
    if not sellers:
        for metric in METRICS:
            total.day[metric].target = total.week[metric].target = None
    return rows, total


def weekly_trend(counts: dict[tuple[int, date, str], int], weeks: list[date]) -> dict[str, list[int]]:
    """Team totals per metric for each ISO week starting on the Mondays in `weeks`."""
    index = {monday: i for i, monday in enumerate(weeks)}
    series = {metric: [0] * len(weeks) for metric in METRICS}
    for (_seller, on, kind), n in counts.items():
        i = index.get(week_start(on))
        if i is None:
            continue
        for metric, kinds in METRICS.items():
            if kind in kinds:
                series[metric][i] += n
    return series
