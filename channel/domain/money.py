"""Money is integer fen. Conversions to and from text, never through float."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from channel.domain.errors import DomainError, N_

FEN_PER_YUAN = 100
# The largest amount a person may type (a plan's bounds, bonus and qualification minimum, a
# conflict policy's penalty): ¥1,000,000,000,000.00. The commission run multiplies fen by basis
# points in SQL BIGINT, so MAX_AMOUNT_FEN × 10000 bp (1e18) stays well under 2^63 − 1 (≈ 9.2e18).
MAX_AMOUNT_FEN = 100_000_000_000_000

_PLAIN_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]{1,2})?", re.ASCII)


class TooManyDecimals(ValueError):
    """An amount finer than the fen."""


def yuan_to_fen(text: str | int | Decimal) -> int:
    """Parse '1,234.56' / '1234.5' / Decimal into fen. Raises ValueError on more than 2 decimals
    or on anything that is not a number."""
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


def amount_fen(text: str | None, field: str = "amount") -> int:
    """A typed amount of yuan as fen, between 0 and MAX_AMOUNT_FEN; empty is 0. DomainError
    (with `field`) for text that is not an amount, more than two decimals, a negative amount or
    one above the bound — never a ValueError."""
    raw = (text or "").strip() or "0"
    try:
        fen = yuan_to_fen(raw)
    except TooManyDecimals:
        raise DomainError(N_("金额最多两位小数（分）。"), field=field) from None
    except ValueError:
        raise DomainError(N_("“%(value)s”不是一个金额。"), field=field, value=raw[:24]) from None
    check_amount(fen, field)
    return fen


def parse_amount_fen(text: str | None, field: str, max_fen: int = MAX_AMOUNT_FEN) -> int:
    """A plain amount typed in a form ('500', '500.5', '500.00'; blank is 0) as fen, at most
    `max_fen`: stricter than `amount_fen` — no thousands separators, exponents, full-width
    digits or currency signs. DomainError on `field` for anything else."""
    raw = (text or "").strip() or "0"
    if not _PLAIN_AMOUNT.fullmatch(raw):
        raise DomainError(N_("金额只能写数字，最多两位小数，例如 500 或 500.00（不要千位分隔符、全角数字或科学计数法）。"),
                          field=field)
    fen = int(Decimal(raw) * FEN_PER_YUAN)
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
