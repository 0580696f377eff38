"""Forms of the payouts pages. Rules (thresholds, who may approve) live in the services."""
from __future__ import annotations


from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from channel.domain.periods import Month
from channel.services.clock import business_today


def _last_month() -> str:
    return str(Month.of(business_today()).previous())


class CreateBatchForm(FlaskForm):
    period = StringField(_l("期间"), validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}$", message=_l("期间必须写成 YYYY-MM，例如 2026-10。"))],
                         default=_last_month)
    # read by money.parse_amount_fen, as every typed amount
    minimum = StringField(_l("最低付款金额（元）"), validators=[Optional(), Length(max=40)],
                          description=_l("低于此金额的余额结转到下一批；留空使用默认值。"))


class ActionForm(FlaskForm):
    """A button that moves the batch (submit, approve, mark paid): CSRF only."""


class CancelForm(FlaskForm):
    reason = StringField(_l("取消原因"), validators=[DataRequired(message=_l("请写明取消的原因。")),
                                                 Length(max=300, message=_l("取消原因最多 300 个字符。"))])


FILE_LABELS = {"bank": _l("银行付款文件（代理）"), "payroll": _l("工资文件（员工）")}  # also the job list's summary


class ExportForm(FlaskForm):
    file = SelectField(_l("文件"), choices=list(FILE_LABELS.items()))
    fmt = SelectField(_l("格式"), choices=[("xlsx", "XLSX"), ("csv", "CSV")])


class InvoiceForm(FlaskForm):
    invoice_no = StringField(_l("发票号码"), validators=[DataRequired(message=_l("请填写发票号码。")),
                                                     Length(max=64, message=_l("发票号码最多 64 个字符。"))])


class HoldForm(FlaskForm):
    reason = TextAreaField(_l("暂扣原因"), validators=[DataRequired(message=_l("暂扣必须写明原因。")),
                                                   Length(max=300, message=_l("暂扣原因最多 300 个字符。"))])


class BankResultForm(FlaskForm):
    file = FileField(_l("银行结果文件（CSV）"), validators=[FileRequired()],
                     description=_l("列：reference（参考号）、status（success / failed）、message（可选）。"))
