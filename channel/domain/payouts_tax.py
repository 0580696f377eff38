"""Withholding on individual agents' service income (劳务报酬), from a configurable table.

The default table is the PRC individual income tax pre-withholding (预扣预缴) on labour
remuneration, per payment, in yuan:

    income ≤ 4,000:  taxable = income − 800        (nothing when income ≤ 800)
    income > 4,000:  taxable = income × (1 − 20%)
    tax = taxable × rate − quick deduction, with
        taxable ≤ 20,000            20%        0
        20,000 < taxable ≤ 50,000   30%    2,000
        taxable > 50,000            40%    7,000

Worked example: a payment of ¥30,000 → taxable ¥24,000 → 24,000 × 30% − 2,000 = ¥5,200 withheld,
¥24,800 paid. A payment of ¥3,000 → (3,000 − 800) × 20% = ¥440 withheld.

Everything is integer fen; the tax is rounded once, half-up, to the fen. One payout row (one
payee, one batch) is one payment. Override the table with the `PAYOUT_WITHHOLDING` setting
(a dict with the fields of `WithholdingTable`; brackets as [upto_fen or None, rate_bp,
quick_deduction_fen]).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from channel.domain.errors import DomainError, N_
from channel.domain.money import format_fen, round_half_up


@dataclass(frozen=True)
class Bracket:
    upto_fen: int | None  # inclusive upper bound of taxable income; None = no bound
    rate_bp: int  # basis points: 2000 = 20%
    quick_deduction_fen: int


BUILT_IN_NAME = N_("劳务报酬预扣预缴")  # a configured table's own name shows as configured
NOTE_SEPARATOR = ": "  # a row's stored note is "<table name>: <formula>"


@dataclass(frozen=True)
class WithholdingTable:
    name: str = BUILT_IN_NAME
    small_income_limit_fen: int = 400_000  # ≤ ¥4,000: a fixed deduction, above it a share
    fixed_deduction_fen: int = 80_000  # ¥800
    ratio_deduction_bp: int = 2_000  # 20% of the income
    brackets: tuple[Bracket, ...] = field(default=(
        Bracket(2_000_000, 2_000, 0),
        Bracket(5_000_000, 3_000, 200_000),
        Bracket(None, 4_000, 700_000),
    ))

    @classmethod
    def from_config(cls, raw: dict | None) -> "WithholdingTable":
        """A table from settings; DomainError when the brackets are not ascending and open-ended."""
        if not raw:
            return cls()
        values = dict(raw)
        if "brackets" in values:
            values["brackets"] = tuple(Bracket(*b) if not isinstance(b, Bracket) else b for b in values["brackets"])
        table = cls(**values)
        table.check()
        return table

    def check(self) -> None:
        bounds = [b.upto_fen for b in self.brackets]
        if not bounds or bounds[-1] is not None or any(
            b is None for b in bounds[:-1]) or bounds[:-1] != sorted(bounds[:-1]):
            raise DomainError(N_("预扣税率表的级距必须递增，且最后一级没有上限。"))


@dataclass(frozen=True)
class Withholding:
    gross_fen: int
    deduction_fen: int
    taxable_fen: Decimal
    rate_bp: int
    quick_deduction_fen: int
    tax_fen: int

    @property
    def net_fen(self) -> int:
        return self.gross_fen - self.tax_fen

    def explain(self) -> str:
        """One line for the export and the remittance advice (figures, not prose: no translation)."""
        if self.taxable_fen == 0:  # nothing taxable; a taxable fen or two whose tax rounds to 0 shows the formula
            return f"{format_fen(self.gross_fen)} − {format_fen(self.deduction_fen)} ≤ 0 → 0"
        return (f"({format_fen(self.gross_fen)} − {format_fen(self.deduction_fen)}) × {self.rate_bp / 100:g}%"
                f" − {format_fen(self.quick_deduction_fen)} = {format_fen(self.tax_fen)}")


def tax_note(table: WithholdingTable, withheld: Withholding) -> str:
    """The note stored on a payout row: the table's name, then the formula."""
    return f"{table.name}{NOTE_SEPARATOR}{withheld.explain()}"


def split_tax_note(note: str) -> tuple[str | None, str]:
    """(table name, formula) of a stored note; (None, note) for a note without a name. The
    formula never holds the separator, so a configured name may."""
    name, separator, formula = note.rpartition(NOTE_SEPARATOR)
    return (name, formula) if separator else (None, note)


def withhold(gross_fen: int, table: WithholdingTable | None = None) -> Withholding:
    """The tax withheld on one payment of `gross_fen` (never negative, never above the payment)."""
    table = table or WithholdingTable()
    if gross_fen <= 0:
        return Withholding(gross_fen, 0, Decimal(0), 0, 0, 0)
    if gross_fen <= table.small_income_limit_fen:
        deduction = Decimal(table.fixed_deduction_fen)
    else:
        deduction = Decimal(gross_fen) * table.ratio_deduction_bp / 10_000
    taxable = max(Decimal(0), Decimal(gross_fen) - deduction)
    bracket = next(b for b in table.brackets if b.upto_fen is None or taxable <= b.upto_fen)
    if taxable == 0:
        return Withholding(gross_fen, round_half_up(deduction), taxable, 0, 0, 0)
    tax = round_half_up(taxable * bracket.rate_bp / 10_000 - bracket.quick_deduction_fen)
    tax = min(max(tax, 0), gross_fen)
    return Withholding(gross_fen, round_half_up(deduction), taxable, bracket.rate_bp,
                       bracket.quick_deduction_fen, tax)
