"""Calendar months as the business counts them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from channel.domain.errors import DomainError, N_


FIRST_YEAR, LAST_YEAR = 1900, 2999  # the months a period may name, and the days a filter may


# what check_day says; rules that collect every problem (commission plans) add it with DAY_RANGE
DAY_OUT_OF_RANGE = N_("日期超出范围：只能是 %(first)s-01-01 到 %(last)s-12-31 之间的日期。")
DAY_RANGE = {"first": FIRST_YEAR, "last": LAST_YEAR}


def day_in_years(day: date) -> bool:
    """Whether `day` lies in the years FIRST_YEAR..LAST_YEAR."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


def check_day(day: date, field: str | None = None) -> date:
    """`day` if it lies in the years FIRST_YEAR..LAST_YEAR; DomainError (400) otherwise, so that
    no filter reaches date arithmetic that overflows at 0001-01-01 or 9999-12-31."""
    if not day_in_years(day):
        raise DomainError(DAY_OUT_OF_RANGE, field=field, **DAY_RANGE)
    return day


def parse_day(text: str, field: str | None = None) -> date:
    """'2026-10-08' -> date(2026, 10, 8); DomainError for anything else or a day `check_day`
    refuses."""
    try:
        day = iso_date((text or "").strip())
    except ValueError:
        raise DomainError(N_("日期必须写成 YYYY-MM-DD，例如 2026-10-08。"), field=field) from None
    return check_day(day, field)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        """'2026-10' -> Month(2026, 10); DomainError for anything else."""
        match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise DomainError(N_("期间必须写成 YYYY-MM，例如 2026-10。"), field="period")
        if not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
            raise DomainError(N_("期间超出范围：只能是 %(first)s-01 到 %(last)s-12 之间的月份。"), field="period",
                              first=FIRST_YEAR, last=LAST_YEAR)
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """The first day of the next month (exclusive end)."""
        return self.next().start

    def next(self) -> "Month":
        return Month(self.year + (self.month == 12), self.month % 12 + 1)

    def previous(self) -> "Month":
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def days(self) -> int:
        return (self.end - self.start).days

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_range(first: Month, last: Month) -> list[Month]:
    months, current = [], first
    while current <= last:
        months.append(current)
        current = current.next()
    return months


def last_day(month: Month) -> date:
    return month.end - timedelta(days=1)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(value: str) -> date:
    """`YYYY-MM-DD` exactly (not 20261021 nor 2026-W43-1, which date.fromisoformat also reads);
    ValueError otherwise. The API and the imports read typed dates with it."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(value)
    return date.fromisoformat(value)
