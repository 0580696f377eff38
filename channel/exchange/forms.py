from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length


class ImportForm(FlaskForm):
    kind = SelectField(_l("数据类型"), validators=[DataRequired()])
    file = FileField(_l("文件（CSV 或 XLSX）"), validators=[
        FileRequired(_l("请选择一个文件。")), FileAllowed(["csv", "xlsx", "txt"], _l("只接受 CSV 或 XLSX 文件。"))])


class TokenForm(FlaskForm):
    name = StringField(_l("令牌名称"), validators=[DataRequired(), Length(max=100)],
                       description=_l("例如：ERP 同步。令牌只显示一次。"))
