"""Extra data for the conflicts tests, on top of tests/world.py (read it for who holds what:
SZ holds 深圳 440300 exclusively, GZ 广州 440100 exclusively, NS 南山 440305 shared inside it,
HZ 杭州 330100 exclusively, REP1 上海 310100 shared; the floor price of P1 is ¥2,550)."""
from __future__ import annotations

import itertools
from datetime import date, datetime

from stdnum.cn import uscc

from channel.services.orders import LineInput, add_customer, record_order
from models.sales import OrderLine

_numbers = itertools.count(1)


def credit_code(body: str) -> str:
    """A valid unified social credit code from its first 17 characters."""
    return body + uscc.calc_check_digit(body)


def sell(w, seller, district: int, day: date = date(2026, 10, 15), price: int = 300000, qty: int = 1,
         customer=None, customer_name: str | None = None, phone: str | None = None, code: str | None = None) -> OrderLine:
    """One sell-out line by `seller` shipped to `district`; returns the order line."""
    if customer is None:
        customer = add_customer(name=customer_name or f"测试客户{next(_numbers)}有限公司", owner_seller_id=seller.id,
                                district_id=district, phone=phone, credit_code=code)
    order = record_order(order_no=f"T-{next(_numbers)}", kind="sell_out", seller_id=seller.id, customer_id=customer.id,
                         ship_to_district_id=district, order_date=day, lines=[LineInput(w.product.id, qty, price)])
    return order.lines[0]


def at(day: date, hour: int = 4) -> datetime:
    return datetime(day.year, day.month, day.day, hour)
