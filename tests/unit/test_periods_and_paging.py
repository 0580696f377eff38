from datetime import date

import pytest

from channel.domain.errors import DomainError
from channel.domain.paging import decode_date_cursor, encode_date_cursor
from channel.domain.periods import Month


def test_month_bounds_and_neighbours():
    m = Month.parse("2026-12")
    assert (m.start, m.end) == (date(2026, 12, 1), date(2027, 1, 1))
    assert str(m.next()) == "2027-01" and str(Month.parse("2026-01").previous()) == "2025-12"


@pytest.mark.parametrize("bad", ["2026-13", "26-10", "2026/10", "", "2026-00"])
def test_refuses_a_malformed_period(bad):
    with pytest.raises(DomainError):
        Month.parse(bad)


@pytest.mark.parametrize("far", ["9999-12", "0001-01", "1899-12", "3000-01"])
def test_refuses_a_period_outside_the_years_a_business_counts(far):
    """9999-12 once reached the statement page and a run, whose month end (year 10000) crashed."""
    with pytest.raises(DomainError, match="超出范围"):
        Month.parse(far)
    assert str(Month.parse("2999-12").end) == "3000-01-01" and str(Month.parse("1900-01")) == "1900-01"


def test_cursor_round_trip_and_garbage_starts_from_the_top():
    assert decode_date_cursor(encode_date_cursor(date(2026, 5, 1), 42)) == (date(2026, 5, 1), 42)
    assert decode_date_cursor("nonsense") is None
    assert decode_date_cursor(None) is None


def test_a_day_outside_the_years_periods_allow_is_refused_and_a_malformed_one_too():
    from datetime import date

    from channel.domain.periods import check_day, parse_day

    assert parse_day(" 2999-12-31 ") == date(2999, 12, 31) and check_day(date(1900, 1, 1)) == date(1900, 1, 1)
    for text in ("9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01", "2026-02-31", ""):
        with pytest.raises(DomainError):
            parse_day(text, field="day")
