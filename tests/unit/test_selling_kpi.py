"""KPI counting by Asia/Shanghai day and ISO week, targets per role and per person."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from channel.domain import selling_kpi as kpi
from channel.domain.selling_kpi import TargetRule


def test_a_call_at_2330_on_sunday_in_shanghai_counts_for_that_sunday_and_that_week():
    # Sunday 2026-11-22 23:30 in Shanghai is 15:30 UTC the same day
    stored = kpi.to_utc(datetime(2026, 11, 22, 23, 30))
    assert stored == datetime(2026, 11, 22, 15, 30)
    assert kpi.shanghai_day(stored) == date(2026, 11, 22)
    assert kpi.week_start(kpi.shanghai_day(stored)) == date(2026, 11, 16)


def test_a_call_at_0030_on_monday_in_shanghai_is_still_sunday_in_utc_but_counts_for_the_next_week():
    stored = datetime(2026, 11, 22, 16, 30)  # Sunday in UTC
    assert kpi.shanghai_day(stored) == date(2026, 11, 23)
    assert kpi.week_start(kpi.shanghai_day(stored)) == date(2026, 11, 23)


def test_utc_bounds_cover_exactly_the_shanghai_days():
    start, end = kpi.utc_bounds(date(2026, 11, 16), date(2026, 11, 22))
    assert start == datetime(2026, 11, 15, 16, 0)
    assert end == datetime(2026, 11, 22, 16, 0)


@given(st.datetimes(min_value=datetime(1992, 1, 1), max_value=datetime(2100, 1, 1)))
def test_the_fixed_sql_offset_agrees_with_the_time_zone_database(moment):
    expected = moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert (moment + kpi.SHANGHAI_OFFSET).date() == expected == kpi.shanghai_day(moment)


def test_calls_count_first_contacts_and_follow_ups_and_first_contacts_only_the_first():
    counts = kpi.metric_counts({"call_first": 20, "call_follow": 40, "visit": 3})
    assert counts == {"calls": 60, "first_contacts": 20, "visits": 3, "trainings": 0}


def test_a_personal_target_beats_the_roles_target():
    rules = [TargetRule("calls", "day", 60, channel="direct"), TargetRule("calls", "day", 40, seller_id=7)]
    assert kpi.pick_target(rules, 7, "direct", "calls", "day") == 40
    assert kpi.pick_target(rules, 8, "direct", "calls", "day") == 60
    assert kpi.pick_target(rules, 8, "agent", "calls", "day") is None
    assert kpi.pick_target(rules, 8, "direct", "calls", "week") is None


def test_the_board_counts_the_day_and_the_iso_week_and_sums_the_team():
    sunday, monday_next = date(2026, 11, 22), date(2026, 11, 23)
    counts = {
        (1, sunday, "call_first"): 2, (1, sunday, "call_follow"): 3,
        (1, date(2026, 11, 16), "visit"): 1,  # Monday of the same week
        (1, monday_next, "call_first"): 5,  # next week: not counted
        (2, sunday, "visit"): 4,
    }
    rules = [TargetRule("calls", "day", 6, channel="direct"), TargetRule("visits", "week", 5, channel="direct"),
             TargetRule("visits", "week", 3, seller_id=2)]
    rows, total = kpi.build_board([(1, "甲", "direct"), (2, "乙", "direct")], counts, rules, sunday)
    one, two = rows
    assert (one.day["calls"].actual, one.day["calls"].target, one.day["calls"].met) == (5, 6, False)
    assert one.day["first_contacts"].actual == 2
    assert (one.week["visits"].actual, one.week["visits"].target) == (1, 5)
    assert (two.week["visits"].actual, two.week["visits"].target, two.week["visits"].met) == (4, 3, True)
    assert total.day["calls"].actual == 5 and total.day["calls"].target == 12
    assert total.week["visits"].actual == 5 and total.week["visits"].target == 8
    assert total.week["calls"].target is None  # nobody has a weekly call target


def test_the_weekly_trend_puts_each_day_in_its_iso_week():
    weeks = [date(2026, 11, 9), date(2026, 11, 16)]
    counts = {(1, date(2026, 11, 15), "call_first"): 1, (1, date(2026, 11, 16), "call_follow"): 2,
              (2, date(2026, 11, 22), "visit"): 1, (2, date(2026, 11, 23), "visit"): 9}
    trend = kpi.weekly_trend(counts, weeks)
    assert trend["calls"] == [1, 2] and trend["first_contacts"] == [1, 0] and trend["visits"] == [0, 1]


def test_a_target_must_be_for_a_role_or_a_person_not_both():
    import pytest

    from channel.domain.errors import DomainError

    with pytest.raises(DomainError):
        kpi.check_target("calls", "day", 5, "direct", 3)
    with pytest.raises(DomainError):
        kpi.check_target("calls", "month", 5, "direct", None)
    with pytest.raises(DomainError):
        kpi.check_target("calls", "day", -1, "direct", None)
    kpi.check_target("visits", "week", 5, None, 3)


def test_week_start_is_always_a_monday_at_most_six_days_back():
    day = date(2026, 1, 1)
    for i in range(30):
        d = day + timedelta(days=i)
        assert kpi.week_start(d).weekday() == 0 and 0 <= (d - kpi.week_start(d)).days <= 6
