"""Rules of selling well that need no database: contact-role coverage, certification
validity, greeting dates, stale customers, recruitment checks, feedback statuses, and the
built-in texts stored as data (default stages, reminder titles)."""
from __future__ import annotations

import re
from functools import lru_cache
from datetime import date, datetime, timedelta

from channel.domain.errors import DomainError, N_
from channel.domain.periods import check_day

CONTACT_ROLES = ("acceptor", "dissatisfied", "decision_maker")
FEEDBACK_STATUSES = ("open", "planned", "done", "declined")
PM_STATUSES = ("planned", "done", "declined")


# Built-in texts stored as data: the default opportunity stages (created on first use) and the
# titles of the reminder tasks. They are stored in Chinese, the source language, and shown in
# the reader's language while they are still the built-in text (channel.services.selling:
# stage_name, task_title); a stage someone named or a title someone typed is shown as typed.
DEFAULT_STAGES = (  # (name, closes the opportunity, won)
    (N_("发现需求"), False, False), (N_("接触接纳者"), False, False), (N_("了解不满"), False, False),
    (N_("方案评估"), False, False), (N_("权力者认可"), False, False), (N_("商务谈判"), False, False),
    (N_("赢单"), True, True), (N_("输单"), True, False),
)
DEFAULT_STAGE_NAMES = frozenset(name for name, _closed, _won in DEFAULT_STAGES)
MAINTENANCE_TITLE = N_("回访高价值客户 %(customer)s")
HOLIDAY_GREETING_TITLE = N_("%(holiday)s问候 %(customer)s")
BIRTHDAY_GREETING_TITLE = N_("祝 %(person)s 生日快乐")
# where a task came from (models.selling.TASK_SOURCES) as people read it: the tasks export
TASK_SOURCE_LABELS = {"next_step": N_("下一步"), "maintenance": N_("回访提醒"), "greeting": N_("问候")}
# an activity's kind (models.selling.ACTIVITY_KINDS) as people read it: the activity form's
# choices, the activities table and the activities export
ACTIVITY_KIND_LABELS = {"call_first": N_("电话（首次联系）"), "call_follow": N_("电话（跟进）"), "visit": N_("拜访"),
                        "training": N_("培训")}


@lru_cache(maxsize=None)
def _title_pattern(template: str) -> re.Pattern:
    """A template's text with each %(name)s as a named group of one character or more."""
    parts = re.split(r"%\((\w+)\)s", template)
    return re.compile("".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)),
                      re.S)


def made_from(templates: tuple[str, ...], text: str | None) -> tuple[str, dict[str, str]] | None:
    """The first of `templates` (msgids with %(name)s placeholders) that `text` is filled from,
    with the values it was filled with; None when `text` is none of them (typed by someone)."""
    for template in templates:
        match = _title_pattern(template).fullmatch(text or "")
        if match is not None:
            return template, match.groupdict()
    return None


# An activity is logged when it happened: not in the future (beyond a few minutes of clock skew
# between the rep's phone and the server) and not more than a year back (older calls would only
# distort the boards and the staleness of customers).
MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_ACTIVITY_AGE = timedelta(days=366)


def check_activity_time(occurred_at: datetime, now: datetime, max_age: timedelta = MAX_ACTIVITY_AGE) -> None:
    """Refuse an activity time (naive UTC, like `now`) in the future or older than `max_age`."""
    if occurred_at > now + MAX_CLOCK_SKEW:
        raise DomainError(N_("活动时间不能晚于现在。"), field="occurred_at")
    if occurred_at < now - max_age:
        raise DomainError(N_("活动时间不能早于一年前。"), field="occurred_at")


def check_due_date(due_on: date, today: date) -> None:
    """A new task cannot be due before today (Shanghai), nor after the years every date may name
    (periods.check_day: 9999-12-31 is a slip that would sit on the task list forever)."""
    check_day(due_on, "next_due_on")
    if due_on < today:
        raise DomainError(N_("截止日期不能早于今天。"), field="next_due_on")


def check_expected_close(expected_on: date | None, today: date, *, closing: bool,
                         stored: date | None = None) -> None:
    """An opportunity's expected close date (Asia/Shanghai days): a day periods.check_day
    accepts, and not before `today` when it is set on an open stage. The date already `stored`
    may stay in the past when something else changes; a closing stage (won or lost) takes any
    date, the day it closed included."""
    if expected_on is None:
        return
    check_day(expected_on, "expected_on")
    if expected_on < today and not closing and expected_on != stored:
        raise DomainError(N_("预计成交日期不能早于今天。"), field="expected_on")


def check_birthday(birthday: date, today: date) -> None:
    """A contact's birthday is a real past day (periods.check_day's years, not after today)."""
    check_day(birthday, "birthday")
    if birthday > today:
        raise DomainError(N_("生日不能晚于今天。"), field="birthday")


def role_coverage(roles: list[str]) -> dict[str, bool]:
    """Which of the buyer's three contact points have at least one contact."""
    present = set(roles)
    return {role: role in present for role in CONTACT_ROLES}


def split_codes(text: str | None) -> list[str]:
    """The codes typed in one box, in order: separated by commas (half- or full-width) or spaces."""
    return (text or "").replace(",", " ").replace("，", " ").split()


def certification_holds(passed: bool, certified_on: date, expires_on: date | None, on: date) -> bool:
    """The contract of the `certification` table: held on `on` when passed, certified on or
    before `on`, and `on` is before the expiry date (the expiry day itself is not covered)."""
    return passed and certified_on <= on and (expires_on is None or on < expires_on)


def check_certification(passed: bool, certified_on: date, expires_on: date | None) -> None:
    check_day(certified_on, "certified_on")
    if expires_on is not None:
        check_day(expires_on, "expires_on")
    if expires_on is not None and expires_on <= certified_on:
        raise DomainError(N_("到期日必须晚于认证日期。"), field="expires_on")


def anniversary_in(month: int, day: int, year: int) -> date:
    """(month, day) in `year`; 29 February falls on 28 February in other years."""
    if month == 2 and day == 29:
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return date(year, month, day)


def is_stale(last_contact_on: date | None, today: date, days: int) -> bool:
    """No contact for `days` days or more (never contacted counts as stale)."""
    return last_contact_on is None or (today - last_contact_on).days >= days


def stale_cutoff(today: date, days: int) -> date:
    """Contacts on or after this date keep a customer fresh."""
    return today - timedelta(days=days - 1)


def check_application(level: int, levels: int, contract_from: date | None, contract_to: date | None,
                      deposit_fen: int | None) -> None:
    if not 1 <= level <= levels:
        raise DomainError(N_("层级 %(level)s 超出了配置的层级数。"), field="level", level=level)
    if contract_from and contract_to and contract_to <= contract_from:
        raise DomainError(N_("合同结束日期必须晚于开始日期。"), field="contract_to")
    if deposit_fen is not None and deposit_fen < 0:
        raise DomainError(N_("保证金不能为负数。"), field="deposit")


def check_pm_status(status: str) -> None:
    if status not in PM_STATUSES:
        raise DomainError(N_("状态必须是计划中、已完成或已拒绝。"), field="status")
