"""Forms of the commissions feature. Rates are typed in percent (two decimals at most), money
in yuan (read by channel.domain.money.parse_amount_fen, as every typed amount); the domain turns
them into basis points and fen and checks every rule."""
from __future__ import annotations


from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from channel.domain.commissions import PlanSpec, bp_to_percent, format_tiers, parse_category_rates, \
    parse_override_rates, parse_tiers, percent_to_bp
from channel.domain.errors import DomainError
from channel.domain.money import fen_to_decimal, parse_amount_fen
from channel.services.clock import business_today
from channel.web import ReadableDateField, WholeNumberField


# a plan's orders counted: the form's choices and the plan page's label
ORDER_KIND_LABELS = {"sell_out": _l("销售出库"), "sell_in": _l("进货"), "all": _l("全部")}


# a new version of a used plan starting within months already posted re-prices them: asked for explicitly
RETROACTIVE_HELP = _l("新版本的生效日期落在已记账的月份内时才需要勾选：重新计算这些月份会按新版本调整，已锁定的月份在下一次计算中更正。")


class PlanForm(FlaskForm):
    name = StringField(_l("方案名称"), validators=[DataRequired(), Length(max=100)])
    channel = SelectField(_l("渠道"), choices=[("agent", _l("代理")), ("direct", _l("直销"))])
    level = WholeNumberField(_l("层级"), validators=[Optional()],
                             description=_l("留空表示该渠道的所有层级。"))
    seller_code = StringField(_l("单个销售方编码（可选）"), validators=[Optional(), Length(max=32)],
                              description=_l("填写后只适用于这个销售方，并优先于层级方案。"))
    valid_from = ReadableDateField(_l("生效日期"), validators=[InputRequired(_l("请填写生效日期。"))], default=business_today)
    valid_to = ReadableDateField(_l("失效日期（不含，可空）"), validators=[Optional()])
    order_kind = SelectField(_l("计提的订单"), choices=list(ORDER_KIND_LABELS.items()))
    base_kind = SelectField(_l("计提基数"), choices=[("revenue", _l("净销售额")), ("margin", _l("毛利（售价 − 成本）"))])
    base_rate = StringField(_l("基础费率 %"), default="0")
    category_rates = TextAreaField(_l("品类费率"), description=_l("每行“品类 = 百分比”，替代该品类的基础费率。"))
    tier_mode = SelectField(_l("阶梯方式"), choices=[("marginal", _l("超额累进（每段按本段费率）")),
                                                   ("whole", _l("全额累进（全部按达到档的费率）"))])
    tiers = TextAreaField(_l("阶梯（期间净销售额）"),
                          description=_l("每行“起点元, 终点元（最后一档留空）, 百分比[, 认证代码]”，从 0 开始且首尾相接。"),
                          render_kw={"rows": 5})  # the demo's three brackets and more in sight, none hidden by a scroll
    override_rates = StringField(_l("上级提成 %（按距离，逗号分隔）"), description=_l("例如“2, 1, 0.5”：直接上级 2%，再上一级 1%……"))
    qualify_min = StringField(_l("上级达标的个人净销售额（元）"), default="0")
    qualify_mode = SelectField(_l("上级未达标时"), choices=[("skip", _l("跳过：这一份不发")),
                                                       ("compress", _l("压缩：顺延给下一位达标上级"))])
    bonus_scope = SelectField(_l("目标奖励依据"), choices=[("personal", _l("个人净销售额")), ("team", _l("团队净销售额"))])
    bonus_target = StringField(_l("目标销售额（元）"), default="0")
    bonus = StringField(_l("目标奖励（元）"), default="0")
    recruit_bonus = StringField(_l("发展下线奖励（元）"), default="0",
                                description=_l("法规不允许为拉人头付酬：只能为 0。"))
    retroactive = BooleanField(_l("追溯调整已记账的提成"), description=RETROACTIVE_HELP)

    def load(self, spec: PlanSpec) -> None:
        """Fill the form from a stored plan."""
        self.name.data, self.channel.data, self.level.data = spec.name, spec.channel, spec.level
        self.seller_code.data, self.valid_from.data, self.valid_to.data = spec.seller_code, spec.valid_from, spec.valid_to
        self.order_kind.data, self.base_kind.data = spec.order_kind, spec.base_kind
        self.base_rate.data = bp_to_percent(spec.base_rate_bp)
        self.category_rates.data = "\n".join(f"{c} = {bp_to_percent(r)}" for c, r in spec.category_rates.items())
        self.tier_mode.data, self.tiers.data = spec.tier_mode, format_tiers(spec.tiers)
        self.override_rates.data = ", ".join(bp_to_percent(r) for r in spec.override_rates_bp)
        self.qualify_min.data = str(fen_to_decimal(spec.qualify_min_fen))
        self.qualify_mode.data, self.bonus_scope.data = spec.qualify_mode, spec.bonus_scope
        self.bonus_target.data = str(fen_to_decimal(spec.bonus_target_fen))
        self.bonus.data = str(fen_to_decimal(spec.bonus_fen))

    def spec(self) -> PlanSpec:
        """The PlanSpec typed in; UnreadableValues (every field that cannot be read, each with its
        field) when some value cannot be read."""
        problems: list[DomainError] = []

        def read(parse, *args):
            try:
                return parse(*args)
            except DomainError as error:
                problems.append(error)
                return None

        def money(field_name: str) -> int:
            return read(parse_amount_fen, getattr(self, field_name).data, field_name)

        base_rate = (self.base_rate.data or "").strip()  # empty is refused by the domain; 0 is a rate
        values = dict(
            base_rate_bp=read(percent_to_bp, base_rate, "base_rate") if base_rate else None,
            category_rates=read(parse_category_rates, self.category_rates.data),
            tiers=read(parse_tiers, self.tiers.data), override_rates_bp=read(parse_override_rates, self.override_rates.data),
            qualify_min_fen=money("qualify_min"), bonus_target_fen=money("bonus_target"), bonus_fen=money("bonus"),
            recruit_bonus_fen=money("recruit_bonus"),
        )
        if problems:
            raise UnreadableValues(problems)
        return PlanSpec(
            name=self.name.data or "", channel=self.channel.data, level=self.level.data,
            valid_from=self.valid_from.data, valid_to=self.valid_to.data,
            seller_code=(self.seller_code.data or "").strip() or None, order_kind=self.order_kind.data,
            base_kind=self.base_kind.data, tier_mode=self.tier_mode.data, qualify_mode=self.qualify_mode.data,
            bonus_scope=self.bonus_scope.data, **values,
        )


class UnreadableValues(DomainError):
    """Values of the plan form that cannot be read, every one of them (`problems`, DomainErrors
    with their fields): shown all at once beside their fields, not one per submit."""

    def __init__(self, problems: list[DomainError]):
        first = problems[0]
        super().__init__(first.message, field=first.field, **first.params)
        self.problems = problems


class RunForm(FlaskForm):
    period = StringField(_l("期间（YYYY-MM）"), validators=[DataRequired(), Length(max=20)])  # read by Month.parse


class ImportForm(FlaskForm):
    file = FileField(_l("方案 JSON 文件"), validators=[FileRequired()])
    retroactive = BooleanField(_l("追溯调整已记账的提成"), description=RETROACTIVE_HELP)


# Statement inquiries: the texts are checked by the service (channel.domain.inquiries.check_text:
# required, at most 2,000 characters), whose errors are shown beside these fields.
class InquiryForm(FlaskForm):
    question = TextAreaField(_l("您的疑问"))
    ledger_line_id = WholeNumberField(_l("关于哪一行（行号，可选）"), validators=[Optional()],
                                      description=_l("明细表第一列的行号；留空表示整张对账单。"))


class InquiryAnswerForm(FlaskForm):
    answer = TextAreaField(_l("答复"))


class InquiryFollowUpForm(FlaskForm):
    follow_up = TextAreaField(_l("追问"))

