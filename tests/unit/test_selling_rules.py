"""Certification expiry, contact-role coverage, greeting dates, staleness."""
from datetime import date

import pytest

from channel.domain import selling as rules
from channel.domain.errors import DomainError


def test_a_certification_holds_from_its_date_until_the_day_before_expiry():
    on = date(2026, 1, 1)
    until = date(2027, 1, 1)
    assert not rules.certification_holds(True, on, until, date(2025, 12, 31))
    assert rules.certification_holds(True, on, until, on)
    assert rules.certification_holds(True, on, until, date(2026, 12, 31))
    assert not rules.certification_holds(True, on, until, until)  # the expiry day is not covered
    assert rules.certification_holds(True, on, None, date(2099, 1, 1))
    assert not rules.certification_holds(False, on, None, date(2026, 6, 1))


def test_an_expiry_before_the_certification_date_is_refused():
    with pytest.raises(DomainError):
        rules.check_certification(True, date(2026, 5, 1), date(2026, 5, 1))


def test_role_coverage_names_the_missing_decision_maker():
    assert rules.role_coverage(["acceptor", "dissatisfied", "acceptor"]) == {
        "acceptor": True, "dissatisfied": True, "decision_maker": False}


def test_a_29_february_birthday_falls_on_28_february_in_other_years():
    assert rules.anniversary_in(2, 29, 2027) == date(2027, 2, 28)
    assert rules.anniversary_in(2, 29, 2028) == date(2028, 2, 29)


def test_staleness_counts_whole_days_and_never_contacted_is_stale():
    today = date(2026, 11, 30)
    assert rules.is_stale(None, today, 30)
    assert rules.is_stale(date(2026, 10, 31), today, 30)
    assert not rules.is_stale(date(2026, 11, 1), today, 30)
    assert rules.stale_cutoff(today, 30) == date(2026, 11, 1)


def test_product_managers_may_set_only_planned_done_or_declined():
    rules.check_pm_status("planned")
    with pytest.raises(DomainError):
        rules.check_pm_status("open")


def test_a_stored_reminder_title_is_read_back_into_its_template_and_names():
    HOLIDAY_GREETING_TITLE, BIRTHDAY_GREETING_TITLE = rules.HOLIDAY_GREETING_TITLE, rules.BIRTHDAY_GREETING_TITLE
    MAINTENANCE_TITLE, made_from = rules.MAINTENANCE_TITLE, rules.made_from
    greetings = (HOLIDAY_GREETING_TITLE, BIRTHDAY_GREETING_TITLE)
    stored = HOLIDAY_GREETING_TITLE % {"holiday": "春节", "customer": "问候 100% 公司"}
    assert made_from(greetings, stored) == (HOLIDAY_GREETING_TITLE, {"holiday": "春节", "customer": "问候 100% 公司"})
    assert made_from(greetings, "祝 王总 生日快乐") == (BIRTHDAY_GREETING_TITLE, {"person": "王总"})
    assert made_from((MAINTENANCE_TITLE,), "回访高价值客户 (.*)") == (MAINTENANCE_TITLE, {"customer": "(.*)"})
    # typed by someone: not a built-in title, shown as typed
    assert made_from((MAINTENANCE_TITLE,), "回访高价值客户") is None
    assert made_from((MAINTENANCE_TITLE,), "请回访高价值客户 甲") is None
    assert made_from(greetings, None) is None


def test_codes_typed_in_one_box_split_on_either_comma_and_on_spaces():
    assert rules.split_codes("SZ，NS, GZ  TH") == ["SZ", "NS", "GZ", "TH"]
    assert rules.split_codes(" ,， ") == [] and rules.split_codes(None) == []


def test_an_expected_close_date_before_today_is_refused_unless_stored_or_closing():
    today = date(2026, 12, 1)
    yesterday = date(2026, 11, 30)
    rules.check_expected_close(today, today, closing=False)
    rules.check_expected_close(None, today, closing=False)
    with pytest.raises(DomainError) as refused:
        rules.check_expected_close(yesterday, today, closing=False)
    assert refused.value.field == "expected_on"
    rules.check_expected_close(yesterday, today, closing=False, stored=yesterday)  # left as it was
    with pytest.raises(DomainError):  # changed to another past day
        rules.check_expected_close(date(2026, 11, 1), today, closing=False, stored=yesterday)
    rules.check_expected_close(date(2020, 1, 1), today, closing=True)  # won or lost: any day
    with pytest.raises(DomainError):  # still a day periods.check_day accepts
        rules.check_expected_close(date(9999, 12, 31), today, closing=True)
