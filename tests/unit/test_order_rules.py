"""Rules of an order whatever its source: the money bound of a line and of the total."""
from datetime import date

import pytest

from channel.domain.errors import DomainError
from channel.domain.money import MAX_AMOUNT_FEN
from channel.domain.orders import check_order_date, check_order_total, line_amount_fen


def test_a_line_amount_is_qty_times_price_up_to_the_money_bound():
    assert line_amount_fen(3, 250, 1) == 750
    assert line_amount_fen(1, MAX_AMOUNT_FEN, 1) == MAX_AMOUNT_FEN


def test_a_line_amount_over_the_money_bound_is_refused_naming_the_line():
    with pytest.raises(DomainError) as refused:
        line_amount_fen(1_000_000_000, 1_000_000_000_000, 2, field="lines[1]")
    assert refused.value.field == "lines[1]" and refused.value.params["n"] == 2


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
