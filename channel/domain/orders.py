"""Rules of an order that hold however it arrives (a form, the API, the orders import)."""
from __future__ import annotations

from datetime import date

from channel.domain.errors import DomainError, N_
from channel.domain.money import MAX_AMOUNT_FEN, format_fen
from channel.domain.periods import check_day

MAX_LINES = 500  # lines of one pushed order (POST /api/v1/orders)
# an order line's unit price is stored in a 32-bit integer column (on PostgreSQL too): ¥21,474,836.47
MAX_UNIT_PRICE_FEN = 2**31 - 1


def check_order_date(day: date, field: str = "order_date") -> None:
    """DomainError on `field` unless `day` falls in the years a period may name (1900–2999,
    `check_day`): 0001-01-01 or 9999-12-31 is a typing slip, and its month could never be run."""
    check_day(day, field)


def line_amount_fen(qty: int, unit_price_fen: int, n: int, field: str = "lines") -> int:
    """qty × unit price, in fen, of line `n` (1-based, for the message); DomainError on `field`
    when it exceeds MAX_AMOUNT_FEN (the commission run multiplies amounts by basis points in a
    64-bit integer, and the database stores them in one), or when the unit price exceeds
    MAX_UNIT_PRICE_FEN (what its column holds)."""
    if unit_price_fen > MAX_UNIT_PRICE_FEN:
        raise DomainError(N_("第 %(n)s 行：单价过大，最多 %(max)s。"), field=field, n=n,
                          max=format_fen(MAX_UNIT_PRICE_FEN))
    amount = qty * unit_price_fen
    if amount > MAX_AMOUNT_FEN:
        raise DomainError(N_("第 %(n)s 行：金额（数量 × 单价）过大，最多 %(max)s。"), field=field, n=n,
                          max=format_fen(MAX_AMOUNT_FEN))
    return amount


def check_order_total(total_fen: int, field: str = "lines") -> None:
    """DomainError on `field` when the order's total (the sum of its lines) exceeds MAX_AMOUNT_FEN."""
    if total_fen > MAX_AMOUNT_FEN:
        raise DomainError(N_("订单总额过大，最多 %(max)s。"), field=field, max=format_fen(MAX_AMOUNT_FEN))


def check_seller_selling(code: str, deactivated_on: date | None, order_date: date, field: str = "seller_id") -> None:
    """DomainError on `field` when the seller `code` was deactivated on or before `order_date`: a
    seller sells nothing from its deactivation date (its downline moved up that day, its
    registrations stopped protecting). An order dated before it is still accepted (late paperwork)."""
    if deactivated_on is not None and order_date >= deactivated_on:
        raise DomainError(N_("销售方 %(code)s 已于 %(day)s 停用，不能记入这一天及以后的订单。"), field=field, code=code,
                          day=deactivated_on.isoformat())


def check_not_future(day: date, today: date, field: str) -> None:
    """DomainError on `field` when `day` is after `today` (the business date, Asia/Shanghai): an
    order or a return typed by a person has happened already."""
    if day > today:
        raise DomainError(N_("日期不能晚于今天（%(today)s）。"), field=field, today=today.isoformat())


def below_floor(unit_price_fen: int, floor_fen: int | None) -> bool:
    """Whether a sell-out unit price breaks the floor resale price (乱价): strictly below it, as
    the conflict scan's price rule reads it (equal is fine; no floor set, nothing to break)."""
    return floor_fen is not None and unit_price_fen < floor_fen
