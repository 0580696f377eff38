from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from channel.web import day_in_range, not_before, stripped


class ListFilterForm(FlaskForm):
    """GET filters shared by the customer and order lists (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    territory = StringField(_l("区域代码"), filters=[stripped], validators=[Optional(), Regexp(r"^\d{6}$", message=_l("请输入 6 位行政区划代码。"))])
    channel = SelectField(
        _l("渠道"), choices=[("", _l("全部")), ("agent", _l("代理")), ("direct", _l("直销"))], validators=[Optional()]
    )
    seller = StringField(_l("销售方编码（含下级）"), validators=[Optional(), Length(max=32)])
    q = StringField(_l("搜索"), validators=[Optional(), Length(max=100)])


class OrderFilterForm(ListFilterForm):
    kind = SelectField(
        _l("类型"),
        choices=[("", _l("全部")), ("sell_out", _l("销售出库（卖给客户）")), ("sell_in", _l("进货（公司卖给代理）"))],
        validators=[Optional()],
    )
    date_from = DateField(_l("开始日期"), validators=[Optional(), day_in_range])
    date_to = DateField(_l("结束日期"), validators=[Optional(), day_in_range, not_before("date_from")])
