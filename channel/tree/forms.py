
from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from channel.services.clock import business_today
from channel.web import ReadableDateField

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
