"""Forms of the order entry (录入订单) and return (退货) pages. An order's lines are rows of three
inputs (`line-<i>-sku`, `line-<i>-qty`, `line-<i>-price`) read by `read_lines`: every typed row
comes back with its own errors, blank rows are dropped."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from channel.domain.errors import DomainError
from channel.domain.money import parse_amount_fen
from channel.domain.orders import MAX_LINES, MAX_UNIT_PRICE_FEN
from channel.domain.text import has_control_characters
from channel.i18n import error_text
from channel.web import ReadableDateField, WholeNumberField, plain_text, stripped

MAX_QTY = 1_000_000_000  # as the API's OrderPush schema
BLANK_ROWS = 3  # empty rows offered below the typed ones
MORE_ROWS = 5  # rows added by the "more lines" button
_LINE_INPUT = re.compile(r"line-(\d{1,4})-(sku|qty|price)", re.ASCII)


class OrderEntryForm(FlaskForm):
    order_no = StringField(_l("订单号"), filters=[stripped],
                           validators=[DataRequired(_l("请填写订单号。")), Length(max=40), plain_text])
    kind = SelectField(_l("类型"))  # choices: what the user may enter (order_entry.order_kinds)
    seller_code = StringField(_l("销售方编码"), filters=[stripped], description=_l("留空为您自己的编码。"),
                              validators=[Optional(), Length(max=32), plain_text])
    customer = StringField(_l("客户（编码或名称）"), filters=[stripped],
                           description=_l("销售出库必填；名称可只写一部分，符合的客户有多个时请选择。"),
                           validators=[Optional(), Length(max=100), plain_text])
    order_date = ReadableDateField(_l("订单日期"), validators=[Optional()], description=_l("留空为今天。"))
    ship_to = StringField(_l("发货区划代码"), filters=[stripped], description=_l("留空为客户所在区县。"),
                          validators=[Optional(), Regexp(r"^\d{6}$", message=_l("请输入 6 位行政区划代码。"))])


class ReturnEntryForm(FlaskForm):
    return_no = StringField(_l("退货单号"), filters=[stripped],
                            validators=[DataRequired(_l("请填写退货单号。")), Length(max=40), plain_text])
    qty = WholeNumberField(_l("数量"), validators=[InputRequired(_l("请填写数量。")), NumberRange(min=1, max=MAX_QTY)])
    return_date = ReadableDateField(_l("退货日期"), validators=[Optional()], description=_l("留空为今天。"))
    reason = StringField(_l("原因"), filters=[stripped], validators=[Optional(), Length(max=200), plain_text])


@dataclass
class LineRow:
    """One typed row: the text as typed (shown again), what it reads as, and its errors."""

    sku: str = ""
    qty_text: str = ""
    price_text: str = ""
    qty: int | None = None
    unit_price_fen: int | None = None  # None: the price list's
    errors: list[str] = field(default_factory=list)

    @property
    def blank(self) -> bool:
        return not (self.sku or self.qty_text or self.price_text)


def read_lines(formdata) -> tuple[list[LineRow], str | None]:
    """The typed rows of `formdata` in their order, blank ones dropped, each read and checked
    (SKU given, quantity a whole number 1..MAX_QTY, unit price an amount in yuan or blank), and
    an error for the lines as a whole (none typed, or more than MAX_LINES)."""
    cells: dict[int, dict[str, str]] = {}
    for key in formdata.keys():
        match = _LINE_INPUT.fullmatch(key)
        if match:
            cells.setdefault(int(match[1]), {})[match[2]] = (formdata.get(key) or "").strip()[:100]
    rows = [LineRow(sku=c.get("sku", ""), qty_text=c.get("qty", ""), price_text=c.get("price", ""))
            for _i, c in sorted(cells.items())]
    rows = [row for row in rows if not row.blank]
    if not rows:
        return rows, _("订单至少要有一行。")
    if len(rows) > MAX_LINES:
        return rows[:MAX_LINES], _("一个订单最多 %(max)s 行。", max=MAX_LINES)
    for number, row in enumerate(rows, start=1):
        _read_row(number, row)
    return rows, None


def _read_row(number: int, row: LineRow) -> None:
    if not row.sku:
        row.errors.append(_("第 %(n)s 行：请填写 SKU。", n=number))
    elif len(row.sku) > 32 or has_control_characters(row.sku):
        row.errors.append(_("第 %(n)s 行：没有这个产品。", n=number))
    qty = unicodedata.normalize("NFKC", row.qty_text)
    if not qty.isascii() or not qty.isdigit() or not 1 <= int(qty) <= MAX_QTY:
        row.errors.append(_("第 %(n)s 行：数量必须是 1 到 %(max)s 之间的整数。", n=number, max=MAX_QTY))
    else:
        row.qty = int(qty)
    if row.price_text:
        try:
            row.unit_price_fen = parse_amount_fen(row.price_text, "price", max_fen=MAX_UNIT_PRICE_FEN)
        except DomainError as error:
            row.errors.append(_("第 %(n)s 行：", n=number) + error_text(error))


def padded(rows: list[LineRow], extra: int = BLANK_ROWS) -> list[LineRow]:
    """The rows to show: the typed ones, then `extra` blank ones (at most MAX_LINES in all)."""
    return rows + [LineRow() for _i in range(max(0, min(extra, MAX_LINES - len(rows))))]
