"""Money is integer fen. Conversions to and from text, never through float."""
from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from channel.domain.errors import DomainError, N_

FEN_PER_YUAN = 100
# The largest amount a person may type (a plan's bounds, bonus and qualification minimum, a
# conflict policy's penalty): ¥1,000,000,000,000.00. The commission run multiplies fen by basis
# points in SQL BIGINT, so MAX_AMOUNT_FEN × 10000 bp (1e18) stays well under 2^63 − 1 (≈ 9.2e18).
MAX_AMOUNT_FEN = 100_000_000_000_000

# digits, or digits grouped by three with commas; at most two decimals (after NFKC: full-width is ASCII)
_TYPED_AMOUNT = re.compile(r"-?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]{1,2})?", re.ASCII)


class TooManyDecimals(ValueError):
    """An amount finer than the fen."""


def yuan_to_fen(text: str | int | Decimal) -> int:
    """Parse '1,234.56' / '1234.5' / Decimal into fen, leniently (a cell of an imported file).
    Raises ValueError on more than 2 decimals or on anything that is not a number. What a person
    types in a form or on the command line goes through `parse_amount_fen`."""
    if isinstance(text, int):
        return text * FEN_PER_YUAN
    raw = str(text).strip().replace(",", "").replace("¥", "").replace("￥", "")
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    if not value.is_finite() or (value and value.adjusted() > 30):  # refused before it becomes a huge int
        raise ValueError(f"not an amount: {text!r}")
    fen = value * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise TooManyDecimals(f"more than two decimals: {text!r}")
    return int(fen)


def parse_amount_fen(text: str | None, field: str, max_fen: int = MAX_AMOUNT_FEN) -> int:
    """An amount of yuan typed by a person (every money input of the app: forms, the CLI) as fen,
    between 0 and `max_fen`; blank is 0.

    Read: digits with at most two decimals, thousands separated by commas in groups of three
    ('500', '500.5', '1,000', '1,000.50'), a leading ¥ / ￥, full-width digits and punctuation
    ('１，０００．５０'). Refused, with a DomainError on `field` that says how to write it: anything
    ambiguous or not plain — '1,00' or '1.000,50' (where is the decimal point?), '1.234' (three
    decimals, or a European thousand?), exponents, words; below zero; above `max_fen`."""
    raw = unicodedata.normalize("NFKC", text or "").strip() or "0"
    number = raw[1:].lstrip() if raw.startswith("¥") else raw
    if not _TYPED_AMOUNT.fullmatch(number):
        raise DomainError(N_("“%(value)s”不是一个金额：只能写数字，最多两位小数，千位可用逗号分隔，例如 500、1,000 或 1,000.50。"),
                          field=field, value=raw[:24])
    fen = int(Decimal(number.replace(",", "")) * FEN_PER_YUAN)
    check_amount(fen, field, max_fen)
    return fen


def check_amount(fen: int, field: str = "amount", max_fen: int = MAX_AMOUNT_FEN) -> None:
    """Refuse (DomainError with `field`) an amount below zero or above `max_fen`."""
    if fen < 0:
        raise DomainError(N_("金额不能为负数。"), field=field)
    if fen > max_fen:
        raise DomainError(N_("金额过大：最多 %(max)s。"), field=field, max=format_fen(max_fen))


def fen_to_decimal(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def format_fen(fen: int | None, symbol: str = "¥") -> str:
    """1234567 -> '¥12,345.67'; negative amounts as '-¥12.00'."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), FEN_PER_YUAN)
    return f"{sign}{symbol}{yuan:,}.{cents:02d}"


def round_half_up(value: Decimal) -> int:
    """Round a Decimal amount of fen to whole fen, half away from zero."""
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def apply_rate_bp(base_fen: int, rate_bp: int) -> int:
    """base × rate, where rate is in basis points (1 bp = 0.01%), rounded half-up to the fen."""
    return round_half_up(Decimal(base_fen) * Decimal(rate_bp) / Decimal(10000))
