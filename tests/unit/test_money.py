from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from channel.domain.money import apply_rate_bp, format_fen, yuan_to_fen


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
