from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from channel.web import day_in_range, not_before


class AuditFilterForm(FlaskForm):
    """The audit log's filters (GET, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    action = StringField(_l("操作"), validators=[Optional(), Length(max=60)])
    actor = StringField(_l("操作人（用户名）"), validators=[Optional(), Length(max=64)])
    object_type = StringField(_l("对象类型"), validators=[Optional(), Length(max=40)])
    object_id = StringField(_l("对象编号"), validators=[Optional(), Length(max=40)])
    date_from = DateField(_l("起始日期"), validators=[Optional(), day_in_range])
    date_to = DateField(_l("截止日期"), validators=[Optional(), day_in_range, not_before("date_from")])


class ExportOrdersForm(FlaskForm):
    date_from = DateField(_l("起始日期"), validators=[Optional(), day_in_range])
    date_to = DateField(_l("截止日期"), validators=[Optional(), day_in_range, not_before("date_from")])
    channel = SelectField(_l("渠道"), choices=[("", _l("全部")), ("agent", _l("代理")), ("direct", _l("直销"))],
                          validators=[Optional()])


class RerunForm(FlaskForm):
    """A CSRF-protected button."""


class RoleForm(FlaskForm):
    role = SelectField(_l("角色"), choices=[], validators=[DataRequired()])
    seller = StringField(_l("绑定销售方编码"), validators=[Optional(), Length(max=32)],
                         description=_l("代理和销售代表用户必填"))

    def __init__(self, *args, **kwargs):
        from channel.i18n import role_name
        from models.users import ROLES

        super().__init__(*args, **kwargs)
        self.role.choices = [(r, role_name(r)) for r in ROLES]


class ActiveForm(FlaskForm):
    active = SelectField(choices=[("1", "1"), ("0", "0")], validators=[DataRequired()])


class NewUserForm(RoleForm):
    """A new login: the role and bound seller as RoleForm, and a name and an initial password
    (channel.services.security.create_account checks the rest: name taken, the bound seller,
    the password policy)."""

    username = StringField(_l("用户名"), validators=[DataRequired(_l("请填写用户名。")), Length(max=64)])
    display_name = StringField(_l("姓名"), validators=[Optional(), Length(max=100)],
                               description=_l("留空则与用户名相同"))
    password = PasswordField(_l("初始密码"), validators=[DataRequired(_l("请填写初始密码。"))],
                             description=_l("请通过安全渠道告知本人，并请其登录后修改。"))


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请填写新密码。"))])
