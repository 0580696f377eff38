"""Money is integer fen. Conversions to and from text, never through float."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100


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
        raise ValueError(f"more than two decimals: {text!r}")
    return int(fen)


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
