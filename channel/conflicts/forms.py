"""Forms of the conflicts feature."""
from __future__ import annotations


from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from channel.domain import conflicts as rules
from channel.services.clock import business_today
from channel.web import ReadableDateField, WholeNumberField, record_id, stripped

RULE_LABELS = {rule: _l(label) for rule, label in rules.RULE_LABELS.items()}
SEVERITY_LABELS = {"high": _l("高"), "medium": _l("中"), "low": _l("低")}
STATUS_LABELS = {status: _l(label) for status, label in rules.STATUS_LABELS.items()}
ACTION_LABELS = {"hold": _l("暂扣佣金"), "forfeit": _l("没收佣金")}
SCANNER_LABELS = {"retailer": _l("零售商"), "inspector": _l("稽查员"), "consumer": _l("消费者")}

PERIOD = Regexp(r"^\d{4}-\d{2}$", message=_l("期间必须写成 YYYY-MM，例如 2026-10。"))


def _all(labels: dict) -> list:
    return [("", _l("全部"))] + list(labels.items())


class ScanForm(FlaskForm):
    period = StringField(_l("期间"), validators=[DataRequired(), PERIOD], default=lambda: business_today().strftime("%Y-%m"))


class CaseFilterForm(FlaskForm):
    class Meta:
        csrf = False

    rule = SelectField(_l("规则"), choices=_all(RULE_LABELS), validators=[Optional()])
    severity = SelectField(_l("严重程度"), choices=_all(SEVERITY_LABELS), validators=[Optional()])
    status = SelectField(_l("状态"), choices=_all(STATUS_LABELS), validators=[Optional()])
    seller = StringField(_l("销售方编码"), validators=[Optional(), Length(max=32)])
    period = StringField(_l("期间"), validators=[Optional(), Length(max=20)])  # read by Month.parse (the view)
    overdue = BooleanField(_l("仅超时"))


class StatusForm(FlaskForm):
    status = SelectField(_l("新状态"), choices=list(STATUS_LABELS.items()))
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)],
                         description=_l("确认或驳回时必填。"))


PICK_ASSIGNEE = _l("请从列表中选择负责人。")
PICK_POLICY = _l("请从列表中选择处理政策。")


class AssignForm(FlaskForm):
    assignee = SelectField(_l("负责人"), coerce=record_id, choices=[], invalid_value_message=PICK_ASSIGNEE,
                           invalid_choice_message=PICK_ASSIGNEE)


class NoteForm(FlaskForm):
    note = TextAreaField(_l("备注"), validators=[DataRequired(), Length(max=2000)])


class CasePolicyForm(FlaskForm):
    # any id is posted on to conflicts_cases.set_policy, which says why a policy does not fit
    # (a value that is no id at all is refused here, in words, not WTForms' "could not coerce")
    policy = SelectField(_l("处理政策"), coerce=record_id, choices=[], validate_choice=False,
                         invalid_value_message=PICK_POLICY)


class RegistrationForm(FlaskForm):
    seller_code = StringField(_l("报备方编码"), validators=[Optional(), Length(max=32)],
                              description=_l("代理和销售代表只能为自己报备，可留空。"))
    name = StringField(_l("客户名称"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("电话"), validators=[Optional(), Length(max=32)])
    credit_code = StringField(_l("统一社会信用代码"), validators=[Optional(), Length(max=18)])
    district = StringField(_l("所在区域代码"), filters=[stripped], validators=[Optional(), Regexp(r"^\d{6}$", message=_l("请输入 6 位行政区划代码。"))])
    registered_on = ReadableDateField(_l("报备日期"), validators=[InputRequired(_l("请填写报备日期。"))],
                                      default=business_today)
    accept_clash = BooleanField(_l("我已看到冲突，仍然报备"))


class PolicyForm(FlaskForm):
    name = StringField(_l("政策名称"), validators=[DataRequired(), Length(max=100)])
    rule = SelectField(_l("适用规则"), choices=[("", _l(rules.ALL_RULES_LABEL))] + list(RULE_LABELS.items()),
                       validators=[Optional()])
    action = SelectField(_l("处理方式"), choices=list(ACTION_LABELS.items()))
    protection_fee_bp = WholeNumberField(_l("区域保护费（基点，100 = 1%）"), default=0,
                                     validators=[Optional(), NumberRange(min=0, max=10000)])
    penalty = StringField(_l("固定罚款（元）"), default="0", validators=[Optional()])  # read by money.parse_amount_fen
