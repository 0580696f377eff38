"""Forms of the selling feature. Sellers and products are entered by code / SKU; the view
resolves them (and the services check access)."""
from __future__ import annotations


from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from channel.domain.selling import ACTIVITY_KIND_LABELS
from channel.services.clock import business_today
from channel.web import ReadableDateField, WholeNumberField, with_reading_error

KIND_CHOICES = [(kind, _l(label)) for kind, label in ACTIVITY_KIND_LABELS.items()]
ROLE_CHOICES = [("acceptor", _l("接纳者")), ("dissatisfied", _l("不满者")), ("decision_maker", _l("权力者"))]
# a KPI metric counts activities: English says "Calls", "Visits" (电话 alone is a contact's Phone)
METRIC_CHOICES = [("calls", lazy_pgettext("KPI metric", "电话")), ("first_contacts", _l("首次联系")),
                  ("visits", lazy_pgettext("KPI metric", "拜访")), ("trainings", lazy_pgettext("KPI metric", "培训"))]
PERIOD_CHOICES = [("day", _l("每日")), ("week", _l("每周"))]
CHANNEL_CHOICES = [("direct", _l("直销")), ("agent", _l("代理"))]
PM_STATUS_CHOICES = [("planned", _l("计划中")), ("done", _l("已完成")), ("declined", _l("已拒绝"))]
SUPPORT_STATUS_CHOICES = [("answered", _l("已答复")), ("closed", _l("已关闭")), ("open", _l("待处理"))]

SELLER_CODE = [Optional(), Length(max=32)]
CUSTOMER_REF = [Optional(), Length(max=32)]  # a customer's code (C0000399) or number (399)

_DateTimeLocalField = with_reading_error(DateTimeLocalField, _l("时间无效：请写成有效的日期和时间。"))


class ActivityForm(FlaskForm):
    seller_code = StringField(_l("销售方编码"), validators=SELLER_CODE,
                              description=_l("留空表示您自己。"))
    kind = SelectField(_l("类型"), choices=KIND_CHOICES)
    customer_id = StringField(_l("客户编码"), validators=CUSTOMER_REF, description=_l("例如 C0000399，或客户编号。"))
    contact_id = StringField(_l("联系人"), validators=[Optional(), Length(max=64)],
                             description=_l("联系人姓名，或联系人编号（同名时）。"))
    occurred_at = _DateTimeLocalField(_l("时间（北京时间）"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                     description=_l("留空表示现在。"))
    outcome = TextAreaField(_l("结果"), validators=[Optional(), Length(max=500)])
    next_step = StringField(_l("下一步"), validators=[Optional(), Length(max=300)])
    next_due_on = ReadableDateField(_l("下一步截止日期"), validators=[Optional()])


class TargetForm(FlaskForm):
    scope = SelectField(_l("适用于"), choices=[("direct", _l("直销（全部）")), ("agent", _l("代理（全部）")),
                                               ("seller", lazy_pgettext("target scope", "个人"))])
    seller_code = StringField(_l("销售方编码"), validators=SELLER_CODE)
    metric = SelectField(_l("指标"), choices=METRIC_CHOICES)
    period = SelectField(_l("周期"), choices=PERIOD_CHOICES)
    target = WholeNumberField(_l("目标"), validators=[
        InputRequired(_l("请填写目标。")), NumberRange(min=0, max=100000, message=_l("目标必须在 0 到 100000 之间。"))])


class ContactForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=64)])
    title = StringField(_l("职务"), validators=[Optional(), Length(max=64)])
    role = SelectField(_l("购买中的角色"), choices=ROLE_CHOICES)
    phone = StringField(_l("电话"), validators=[Optional(), Length(max=32)])
    birthday = ReadableDateField(_l("生日"), validators=[Optional()])


class OpportunityForm(FlaskForm):
    title = StringField(_l("商机名称"), validators=[DataRequired(), Length(max=200)])
    stage_id = SelectField(_l("阶段"), coerce=int, choices=[])
    amount = StringField(_l("预计金额（元）"), validators=[Optional(), Length(max=40)])  # read by money.parse_amount_fen
    expected_on = ReadableDateField(_l("预计成交日期"), validators=[Optional()])


class StageMoveForm(FlaskForm):
    """An opportunity's row: its stage and expected close date (a post without the date leaves it)."""
    stage_id = SelectField(_l("阶段"), coerce=int, choices=[])
    expected_on = ReadableDateField(_l("预计成交日期"), validators=[Optional()])


class StageForm(FlaskForm):
    name = StringField(_l("阶段名称"), validators=[DataRequired(), Length(max=64)])
    position = WholeNumberField(_l("顺序"), validators=[
        InputRequired(_l("请填写顺序。")), NumberRange(min=0, message=_l("顺序不能为负数。"))])
    closed = BooleanField(_l("结束阶段"))
    won = BooleanField(_l("赢单"))


class GreetingForm(FlaskForm):
    name = StringField(_l("节日"), validators=[DataRequired(), Length(max=64)])
    month = WholeNumberField(_l("月"), validators=[
        InputRequired(_l("请填写月份。")), NumberRange(min=1, max=12, message=_l("月份必须在 1 到 12 之间。"))])
    day = WholeNumberField(_l("日"), validators=[
        InputRequired(_l("请填写日期。")), NumberRange(min=1, max=31, message=_l("日必须在 1 到 31 之间。"))])


class ReminderForm(FlaskForm):
    # InputRequired, not DataRequired: 0 is typed, and is out of range rather than "required"
    stale_days = WholeNumberField(_l("未联系天数"), default=30, validators=[
        InputRequired(_l("请填写未联系天数。")), NumberRange(min=1, max=3650, message=_l("未联系天数必须在 1 到 3650 之间。"))])


class FeedbackForm(FlaskForm):
    seller_code = StringField(_l("销售方编码"), validators=SELLER_CODE, description=_l("留空表示您自己。"))
    product_sku = StringField(_l("产品 SKU"), validators=[DataRequired(), Length(max=32)])
    customer_id = StringField(_l("客户编码"), validators=CUSTOMER_REF, description=_l("例如 C0000399，或客户编号。"))
    is_request = BooleanField(_l("功能需求"))
    body = TextAreaField(_l("内容"), validators=[DataRequired(), Length(max=4000)])


class FeedbackAnswerForm(FlaskForm):
    # the domain says which statuses a product manager may set (channel.domain.selling.check_pm_status)
    status = SelectField(_l("状态"), choices=PM_STATUS_CHOICES, validate_choice=False)
    reply = TextAreaField(_l("答复"), validators=[Optional(), Length(max=4000)])


class SupportForm(FlaskForm):
    seller_code = StringField(_l("销售方编码"), validators=SELLER_CODE, description=_l("留空表示您自己。"))
    subject = StringField(_l("标题"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("内容"), validators=[DataRequired(), Length(max=4000)])


class SupportAnswerForm(FlaskForm):
    status = SelectField(_l("状态"), choices=SUPPORT_STATUS_CHOICES)
    answer = TextAreaField(_l("答复"), validators=[DataRequired(), Length(max=4000)])


class TrainingForm(FlaskForm):
    title = StringField(_l("培训名称"), validators=[DataRequired(), Length(max=200)])
    product_sku = StringField(_l("产品 SKU"), validators=[Optional(), Length(max=32)])
    held_on = ReadableDateField(_l("日期"), validators=[DataRequired()], default=business_today)
    certification_code = StringField(_l("认证代码"), validators=[Optional(), Length(max=40)])


class AttendanceForm(FlaskForm):
    seller_codes = StringField(_l("出席的销售方编码"), validators=[DataRequired(), Length(max=2000)],
                               description=_l("多个编码用逗号或空格分隔。"))


class CertificationForm(FlaskForm):
    seller_code = StringField(_l("销售方编码"), validators=[DataRequired(), Length(max=32)])
    code = StringField(_l("认证代码"), validators=[DataRequired(), Length(max=40)])
    passed = BooleanField(_l("通过"), default=True)
    certified_on = ReadableDateField(_l("认证日期"), validators=[DataRequired()], default=business_today)
    expires_on = ReadableDateField(_l("到期日（当天起失效）"), validators=[Optional()])


class ApplicationForm(FlaskForm):
    company = StringField(_l("公司名称"), validators=[DataRequired(), Length(max=200)])
    credit_code = StringField(_l("统一社会信用代码"), validators=[DataRequired(), Length(max=40)])
    contact_name = StringField(_l("联系人"), validators=[DataRequired(), Length(max=64)])
    phone = StringField(_l("电话"), validators=[Optional(), Length(max=32)])
    territory_code = StringField(_l("意向区域代码"), validators=[
        DataRequired(), Regexp(r"^\d{6}$", message=_l("请输入 6 位行政区划代码，例如 440300。"))])
    level = WholeNumberField(_l("意向层级"), validators=[
        InputRequired(_l("请填写意向层级。")), NumberRange(min=1, message=_l("意向层级最小为 1。"))])
    capacity = TextAreaField(_l("能力（团队、渠道、资金）"), validators=[Optional(), Length(max=500)])


class ApproveForm(FlaskForm):
    code = StringField(_l("新代理编码"), validators=[DataRequired(), Length(max=32)])
    parent_code = StringField(_l("上级编码"), validators=SELLER_CODE)
    contract_from = ReadableDateField(_l("合同开始"), validators=[DataRequired()], default=business_today)
    contract_to = ReadableDateField(_l("合同结束（不含）"), validators=[Optional()])
    deposit = StringField(_l("保证金（元）"), validators=[DataRequired(), Length(max=40)])  # read by money.parse_amount_fen
    exclusive = BooleanField(_l("独家授权"), default=True)


class DeclineForm(FlaskForm):
    reason = StringField(_l("拒绝原因"), validators=[DataRequired(), Length(max=300)])
