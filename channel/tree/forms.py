
from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from channel.services.clock import business_today
from channel.web import ReadableDateField, stripped

# "seller change": the commission plan form asks the same in Chinese, but of a plan
EFFECTIVE_ON_REQUIRED = InputRequired(lazy_pgettext("seller change", "请填写生效日期。"))


class MoveForm(FlaskForm):
    parent_code = StringField(
        _l("新上级编码"),
        validators=[Optional(), Length(max=32)],
        description=_l("留空表示移到最高层级（仅限最高层级的销售方）。"),
    )
    effective_on = ReadableDateField(_l("生效日期"), validators=[EFFECTIVE_ON_REQUIRED], default=business_today)
    reason = TextAreaField(_l("原因"), validators=[Optional(), Length(max=200)])


class DeactivateForm(FlaskForm):
    effective_on = ReadableDateField(_l("生效日期"), validators=[EFFECTIVE_ON_REQUIRED], default=business_today)


class GrantForm(FlaskForm):
    territory_code = StringField(
        _l("行政区划代码"),
        validators=[DataRequired(), Regexp(r"^\d{6}$", message=_l("请输入 6 位行政区划代码，例如 440300。"))],
    )
    exclusive = BooleanField(_l("独家授权"), default=True)
    valid_from = ReadableDateField(_l("开始日期"), validators=[InputRequired(_l("请填写开始日期。"))], default=business_today)
    valid_to = ReadableDateField(_l("结束日期（不含）"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.valid_to.data and self.valid_to.data <= self.valid_from.data:
            self.valid_to.errors.append(_l("结束日期必须晚于开始日期。"))
            return False
        return ok


# ------------------------------------------------------------------- onboarding (onboarding.py)

TERRITORY_CODE = Regexp(r"^\d{6}$", message=_l("请输入 6 位行政区划代码，例如 440300。"))
PAYEE_TYPE_CHOICES = [("company", _l("公司（凭发票付款）")), ("individual", _l("个人（劳务报酬，代扣个税）")),
                      ("employee", _l("员工（随工资发放）"))]  # models.tree.PAYEE_TYPES


class SellerDetailsForm(FlaskForm):
    """A seller's details: everything but its place in the tree (channel.services.onboarding.DETAILS)."""

    name = StringField(_l("名称"), filters=[stripped], validators=[DataRequired(_l("请填写名称。")), Length(max=200)])
    payee_type = SelectField(_l("收款类型"), choices=PAYEE_TYPE_CHOICES, validators=[DataRequired()])
    credit_code = StringField(_l("统一社会信用代码"), filters=[stripped], validators=[Optional(), Length(max=32)])
    contact_name = StringField(_l("联系人"), filters=[stripped], validators=[Optional(), Length(max=64)])
    phone = StringField(_l("电话"), filters=[stripped], validators=[Optional(), Length(max=32)])
    home_territory_code = StringField(_l("所在区划代码"), filters=[stripped], validators=[Optional(), TERRITORY_CODE])
    bank_name = StringField(_l("开户银行"), filters=[stripped], validators=[Optional(), Length(max=100)])
    bank_account = StringField(_l("银行账号"), filters=[stripped], validators=[Optional(), Length(max=64)])

    DETAIL_FIELDS = ("name", "payee_type", "credit_code", "contact_name", "phone", "home_territory_code",
                     "bank_name", "bank_account")

    def details(self) -> dict:
        """The typed details as the service's keyword arguments (seller columns)."""
        values = {name: self[name].data for name in self.DETAIL_FIELDS if name != "home_territory_code"}
        code = self.home_territory_code.data
        values["home_territory_id"] = int(code) if code else None
        return values


class NewSellerForm(SellerDetailsForm):
    """A new agent or direct seller. `channel_level` is one choice of both: '<channel>:<level>'
    over the configured levels of each channel (so a level of the other channel cannot be sent)."""

    channel_level = SelectField(_l("渠道与层级"), choices=[], validators=[DataRequired(_l("请选择渠道和层级。"))])
    code = StringField(_l("编码"), filters=[stripped], validators=[DataRequired(_l("请填写编码。")), Length(max=32)],
                       description=_l("唯一；不区分大小写。"))
    upline_code = StringField(_l("上级编码"), filters=[stripped], validators=[Optional(), Length(max=32)],
                              description=_l("必须是同一渠道、正好高一个层级、未停用的销售方；最高层级留空。"))
    joined_on = ReadableDateField(_l("生效日期"), validators=[EFFECTIVE_ON_REQUIRED], default=business_today)
    territory_code = StringField(_l("首个授权区域（行政区划代码）"), filters=[stripped],
                                 validators=[Optional(), TERRITORY_CODE],
                                 description=_l("可选：省、市或区县代码，从生效日期起授权。"))
    exclusive = BooleanField(_l("独家授权"), default=True)
    payee_type = SelectField(_l("收款类型"), choices=[("", _l("按渠道默认（代理：公司；直销：员工）")), *PAYEE_TYPE_CHOICES],
                             validators=[Optional()])

    def __init__(self, *args, **kwargs):
        from channel.i18n import level_name
        from channel.services.tree import levels_of

        super().__init__(*args, **kwargs)
        self.channel_level.choices = {
            str(_l("代理")): [(f"agent:{i}", level_name("agent", i)) for i in range(1, len(levels_of("agent")) + 1)],
            str(_l("直销")): [(f"direct:{i}", level_name("direct", i)) for i in range(1, len(levels_of("direct")) + 1)],
        }

    def channel_and_level(self) -> tuple[str, int]:
        channel, level = self.channel_level.data.split(":")
        return channel, int(level)
