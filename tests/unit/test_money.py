from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from channel.domain.errors import DomainError
from channel.domain.money import (MAX_AMOUNT_FEN, amount_fen, apply_rate_bp, fen_to_decimal, format_fen, parse_amount_fen,
                                  yuan_to_fen)


def test_formats_fen_as_yuan_with_thousands_separators():
    assert format_fen(123456) == "¥1,234.56"
    assert format_fen(5) == "¥0.05"
    assert format_fen(-1200) == "-¥12.00"
    assert format_fen(0) == "¥0.00"


def test_parses_yuan_text_exactly():
    assert yuan_to_fen("1,234.56") == 123456
    assert yuan_to_fen("¥0.1") == 10
    assert yuan_to_fen(Decimal("3")) == 300


@pytest.mark.parametrize("bad", ["1.234", "abc", "", "NaN", "1e400x"])
def test_refuses_text_that_is_not_an_amount_in_fen(bad):
    with pytest.raises(ValueError):
        yuan_to_fen(bad)


def test_rate_rounds_half_up_to_the_fen():
    assert apply_rate_bp(12345, 500) == 617  # 617.25
    assert apply_rate_bp(12350, 500) == 618  # 617.5 -> 618
    assert apply_rate_bp(-12350, 500) == -618  # half away from zero


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_format_and_parse_round_trip(fen):
    assert yuan_to_fen(format_fen(fen).replace("¥", "")) == fen


@pytest.mark.parametrize("text, message", [
    ("12.345", "金额最多两位小数（分）。"), ("Infinity", "“%(value)s”不是一个金额。"), ("NaN", "“%(value)s”不是一个金额。"),
    ("1e30", "金额过大：最多 %(max)s。"), ("99999999999999999", "金额过大：最多 %(max)s。"),
    ("-0.01", "金额不能为负数。"), ("1e999999", "“%(value)s”不是一个金额。"),
])
def test_a_typed_amount_is_bounded_and_every_mistake_is_a_domain_error(text, message):
    with pytest.raises(DomainError) as caught:
        amount_fen(text, "amount")
    assert caught.value.message == message and caught.value.field == "amount"


def test_a_typed_amount_up_to_the_bound_is_read_in_fen():
    assert amount_fen("") == 0 and amount_fen(" 1,234.5 ") == 123450
    assert amount_fen(str(fen_to_decimal(MAX_AMOUNT_FEN))) == MAX_AMOUNT_FEN


@pytest.mark.parametrize("text, fen", [("500", 50000), ("500.5", 50050), (" 0.01 ", 1), ("", 0), (None, 0),
                                       ("1000000000000", MAX_AMOUNT_FEN)])
def test_a_typed_amount_is_plain_digits_and_at_most_two_decimals(text, fen):
    assert parse_amount_fen(text, "penalty") == fen


@pytest.mark.parametrize("text, says", [
    ("1e10", "只能写数字"), ("１００", "只能写数字"), ("1,000", "只能写数字"), ("¥5", "只能写数字"), ("1.234", "只能写数字"),
    ("abc", "只能写数字"), ("-5", "不能为负数"), ("1000000000000.01", "金额过大"), ("99999999999999999.99", "金额过大"),
    ("9" * 400, "金额过大"),
])
def test_a_typed_amount_that_is_not_plain_or_out_of_bounds_is_refused_on_its_field(text, says):
    with pytest.raises(DomainError) as refused:
        parse_amount_fen(text, "penalty")
    assert refused.value.field == "penalty" and says in str(refused.value)
