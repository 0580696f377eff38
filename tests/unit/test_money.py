from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from channel.domain.errors import DomainError
from channel.domain.money import (MAX_AMOUNT_FEN, apply_rate_bp, fen_to_decimal, format_fen, parse_amount_fen,
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


UNREADABLE = "“%(value)s”不是一个金额：只能写数字，最多两位小数，千位可用逗号分隔，例如 500、1,000 或 1,000.50。"


@pytest.mark.parametrize("text, fen", [
    ("500", 50000), ("500.5", 50050), (" 0.01 ", 1), ("", 0), (None, 0), ("1000000000000", MAX_AMOUNT_FEN),
    ("1,000", 100000), ("1,000.50", 100050), ("12,345,678.9", 1234567890), ("¥1,234.56", 123456), ("￥ 5", 500),
    ("１００", 10000), ("１，０００．５０", 100050), (str(fen_to_decimal(MAX_AMOUNT_FEN)), MAX_AMOUNT_FEN),
    ("1,000,000,000,000.00", MAX_AMOUNT_FEN),
])
def test_a_typed_amount_may_group_thousands_and_be_full_width_and_is_read_in_fen(text, fen):
    assert parse_amount_fen(text, "penalty") == fen


@given(st.integers(min_value=0, max_value=MAX_AMOUNT_FEN))
def test_an_amount_as_the_app_shows_it_reads_back_as_typed_input(fen):
    assert parse_amount_fen(format_fen(fen), "amount") == fen


@pytest.mark.parametrize("text", ["1,00", "1,0000", "1.000,50", "1,000,0", ",100", "1,000.", "1.234", "12.345", "1e10",
                                  "1E3", "Infinity", "NaN", "abc", "1 000", "5元", "1..5", "--5", "¥", "1,,000"])
def test_an_ambiguous_or_unreadable_typed_amount_is_refused_saying_how_to_write_one(text):
    with pytest.raises(DomainError) as refused:
        parse_amount_fen(text, "amount")
    assert refused.value.message == UNREADABLE and refused.value.field == "amount"


@pytest.mark.parametrize("text, says", [
    ("-5", "不能为负数"), ("-0.01", "不能为负数"), ("1000000000000.01", "金额过大"), ("99999999999999999.99", "金额过大"),
    ("9" * 400, "金额过大"), ("1,000,000,000,000.01", "金额过大"),
])
def test_a_typed_amount_that_is_not_plain_or_out_of_bounds_is_refused_on_its_field(text, says):
    with pytest.raises(DomainError) as refused:
        parse_amount_fen(text, "penalty")
    assert refused.value.field == "penalty" and says in str(refused.value)
