import pytest
from stdnum.cn import uscc

from channel.domain.customers import clean_credit_code, normalize_name, normalize_phone
from channel.domain.errors import DomainError


def test_names_differing_only_by_legal_form_spacing_or_width_normalise_alike():
    base = normalize_name("深圳市华盛贸易有限公司")
    assert normalize_name("深圳市 华盛贸易") == base
    assert normalize_name("深圳市华盛贸易（有限公司）".replace("（有限公司）", "有限公司")) == base
    assert normalize_name("深圳市華盛貿易有限公司") != base  # traditional characters are a different name
    assert normalize_name("ＡＢＣ科技有限公司") == normalize_name("abc科技")


def test_phone_keeps_digits_and_drops_the_country_code():
    assert normalize_phone("+86 138-0013-8000") == "13800138000"
    assert normalize_phone("１３８００１３８０００") == "13800138000"


def test_credit_code_check_digit_is_verified():
    good = "91440300" + "MA5FXXX0" + "1"
    good = good[:17] + uscc.calc_check_digit(good[:17])
    assert clean_credit_code(good.lower()) == good
    assert clean_credit_code("  ") is None
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(DomainError):
        clean_credit_code(wrong)
