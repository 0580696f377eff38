"""The New / Edit customer form (channel/sales/customer_edit.py). Lengths are the columns'
(models.sales.Customer); the rules beyond them are the services'."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from channel.web import plain_text, stripped


class CustomerForm(FlaskForm):
    name = StringField(_l("客户名称"), filters=[stripped],
                       validators=[DataRequired(_l("请填写客户名称。")), Length(max=200, message=_l("客户名称最多 200 个字符。")), plain_text])
    credit_code = StringField(_l("统一社会信用代码"), filters=[stripped],
                              validators=[Optional(), Length(max=18, message=_l("统一社会信用代码是 18 位。")), plain_text],
                              description=_l("可不填；填写时校验最后一位校验码。"))
    district = StringField(_l("所在区县代码"), filters=[stripped],
                           validators=[DataRequired(_l("请填写所在区县的 6 位行政区划代码，或在下方选择。")),
                                       Regexp(r"^\d{6}$", message=_l("请输入 6 位行政区划代码。"))],
                           description=_l("市或区县的 6 位代码，如 440305；也可以在下方按省、市、区县选择。"))
    address = StringField(_l("地址"), filters=[stripped], validators=[Optional(), Length(max=300, message=_l("地址最多 300 个字符。")), plain_text])
    contact_name = StringField(_l("联系人"), filters=[stripped],
                               validators=[Optional(), Length(max=64, message=_l("联系人最多 64 个字符。")), plain_text])
    phone = StringField(_l("电话"), filters=[stripped], validators=[Optional(), Length(max=32, message=_l("电话最多 32 个字符。")), plain_text])
    owner = StringField(_l("归属销售方编码"), filters=[stripped],
                        validators=[Optional(), Length(max=32, message=_l("销售方编码最多 32 个字符。")), plain_text])
    save_anyway = BooleanField(_l("我已核对相似客户，仍然保存"))
