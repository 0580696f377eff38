"""Rules of an order whatever its source: the money bound of a line and of the total."""
from datetime import date

import pytest

from channel.domain.errors import DomainError
from channel.domain.money import MAX_AMOUNT_FEN
from channel.domain.orders import (MAX_UNIT_PRICE_FEN, check_order_date, check_order_total, check_seller_selling,
                                    line_amount_fen)


def test_a_line_amount_is_qty_times_price_up_to_the_money_bound():
    assert line_amount_fen(3, 250, 1) == 750
    assert line_amount_fen(MAX_AMOUNT_FEN // 50_000, 50_000, 1) == MAX_AMOUNT_FEN
    assert line_amount_fen(1000, 3_000_000, 1) == 3_000_000_000  # past 32 bits: fine


def test_a_line_amount_over_the_money_bound_is_refused_naming_the_line():
    with pytest.raises(DomainError) as refused:
        line_amount_fen(1_000_000_000, 1_000_000_000, 2, field="lines[1]")
    assert refused.value.field == "lines[1]" and refused.value.params["n"] == 2
    assert "金额" in refused.value.message


def test_a_unit_price_past_its_column_is_refused_naming_the_line():
    assert line_amount_fen(1, MAX_UNIT_PRICE_FEN, 1) == 2_147_483_647
    with pytest.raises(DomainError) as refused:
        line_amount_fen(1, MAX_UNIT_PRICE_FEN + 1, 3, field="lines[2]")
    assert refused.value.field == "lines[2]" and "单价" in refused.value.message and refused.value.params["n"] == 3


def test_a_seller_sells_nothing_from_its_deactivation_day():
    check_seller_selling("NS", None, date(2026, 10, 10))  # active
    check_seller_selling("NS", date(2026, 10, 10), date(2026, 10, 9))  # the day before: late paperwork
    for day in (date(2026, 10, 10), date(2026, 11, 1)):
        with pytest.raises(DomainError) as refused:
            check_seller_selling("NS", date(2026, 10, 10), day)
        assert refused.value.params == {"code": "NS", "day": "2026-10-10"} and refused.value.field == "seller_id"


def test_an_order_total_over_the_money_bound_is_refused():
    check_order_total(MAX_AMOUNT_FEN)
    with pytest.raises(DomainError):
        check_order_total(MAX_AMOUNT_FEN + 1)


@pytest.mark.parametrize("day", [date(1899, 12, 31), date(3000, 1, 1), date(1, 1, 1), date(9999, 12, 31)])
def test_an_order_date_outside_1900_to_2999_is_refused(day):
    with pytest.raises(DomainError) as refused:
        check_order_date(day)
    assert refused.value.field == "order_date"


def test_an_order_date_inside_1900_to_2999_is_accepted():
    check_order_date(date(1900, 1, 1))
    check_order_date(date(2999, 12, 31))
