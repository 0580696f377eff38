"""Pages of the selling feature: activities and tasks, the KPI board, a customer's contacts
and opportunities, customer value, agent enablement, support and feedback to product.
Views parse forms and call services; access is decided in channel/services/access.py."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, pgettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from channel.selling import charts
from channel.domain import selling_kpi as kpi
from channel.domain import selling_value as value_domain
from channel.domain.errors import DomainError, N_, NotFound
from channel.domain.money import parse_amount_fen
from channel.domain.paging import decode_id_cursor
from channel.domain.periods import parse_day
from channel.i18n import error_text, translate
from channel.permissions import allow
from channel.web import format_count
from channel.selling import forms as f
from channel.services import selling, selling_enablement, selling_feedback, selling_value, sellers
from channel.services.access import require_customer, require_owned
from models import db
from models.catalog import Product
from models.selling import SupportRequest
from models.users import FIELD_ROLES, MANAGING_ROLES, ROLE_ADMIN, ROLE_AGENT, ROLE_PRODUCT, SELLER_ROLES

bp = Blueprint("selling", __name__)

MANAGERS = MANAGING_ROLES
SELLERS = SELLER_ROLES

# Navigation entries this feature adds to the top bar: (endpoint, label msgid, roles or None for all).
NAV: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("selling.home", N_("销售执行"), FIELD_ROLES),
    ("selling.kpi_board", N_("KPI 看板"), FIELD_ROLES),
    ("selling.value", N_("客户价值"), FIELD_ROLES),
    ("selling.enablement", N_("代理赋能"), FIELD_ROLES),
    ("selling.product_feedback", N_("产品反馈"), (ROLE_PRODUCT, ROLE_ADMIN)),
]

KIND_LABELS = dict(f.KIND_CHOICES)
ROLE_LABELS = {"acceptor": _l("接纳者"), "dissatisfied": _l("不满者"), "decision_maker": _l("权力者")}
METRIC_LABELS = dict(f.METRIC_CHOICES)
STATUS_LABELS = {"open": _l("待处理"), "planned": _l("计划中"), "done": _l("已完成"), "declined": _l("已拒绝"),
                 "answered": _l("已答复"), "closed": _l("已关闭"), "pending": _l("待审核"), "approved": _l("已批准")}
SEGMENT_LABELS = {"champion": _l("核心客户"), "loyal": _l("忠诚客户"), "at_risk": _l("流失风险"), "new": _l("新近客户"),
                  "hibernating": _l("沉睡客户")}


@bp.app_context_processor
def _labels():
    return {"kind_labels": KIND_LABELS, "role_labels": ROLE_LABELS, "metric_labels": METRIC_LABELS,
            "status_labels": STATUS_LABELS, "segment_labels": SEGMENT_LABELS}


# built-in stage names and reminder titles in the reader's language (stored in Chinese)
bp.add_app_template_filter(selling.stage_name, "stage_name")
bp.add_app_template_filter(selling.task_title, "task_title")


def _stage_choices(stages) -> list[tuple[int, str]]:
    return [(s.id, selling.stage_name(s.name)) for s in stages]


@bp.app_template_global()
def selling_summary(customer_id: int) -> dict:
    """For templates/selling/_customer_extra.html (an include for the customer page): the
    buyer's roles covered and the link to the customer's selling page."""
    return selling.customer_summary(current_user, customer_id)


# Fields naming a customer or a contact: not found (or not in scope) is said beside the field,
# with the 404 status of an object outside the user's scope.
REF_FIELDS = ("customer_id", "contact_id")


def _field_error(form, error: DomainError, default_field: str, mapping: dict | None = None) -> None:
    name = (mapping or {}).get(error.field or "", error.field or default_field)
    field = getattr(form, name, None) or getattr(form, default_field)
    field.errors = list(field.errors) + [error_text(error)]


def _seller_id(form, field_name: str = "seller_code") -> int | None:
    """The seller named by the form's code field, or the user's own seller when empty; None
    (with a field error) when unknown or missing. A seller outside the user's scope is answered
    as an unknown code: the form keeps what was typed, and the code's existence is not revealed."""
    code = (getattr(form, field_name).data or "").strip()
    if not code:
        if current_user.seller_id is None:
            getattr(form, field_name).errors = [_("请填写销售方编码。")]
        return current_user.seller_id
    seller = sellers.visible_by_code(current_user, code)
    if seller is None:
        getattr(form, field_name).errors = [_("没有编码为 %(code)s 的销售方。", code=code)]
        return None
    return seller.id


def _product_id(form, field_name: str = "product_sku") -> int | None:
    sku = (getattr(form, field_name).data or "").strip()
    if not sku:
        return None
    product_id = db.session.scalar(select(Product.id).where(Product.sku == sku))
    if product_id is None:
        getattr(form, field_name).errors = [_("没有这个产品。")]
    return product_id


def _seller_arg(name: str):
    """The seller whose code is in the query argument `name`, if the user may see it: a filter's
    team or seller. 404 saying so otherwise (the same for an unknown code and one outside the
    user's scope), not the bare "page not found"."""
    seller = sellers.visible_by_code(current_user, request.args[name].strip())
    if seller is None:
        raise NotFound(N_("没有这个销售方，或您无权查看。"), field=name)
    return seller


def _day_arg(name: str = "day") -> date:
    """The day in the query argument `name` (today in Shanghai when absent); 400 with the reason
    for a malformed one or one outside the years periods.check_day allows."""
    raw = request.args.get(name)
    if not raw:
        return selling.today_in_shanghai()
    return parse_day(raw, field=name)


# --- activities and tasks -------------------------------------------------------------------


def _home(activity_form=None, status=200):
    today = selling.today_in_shanghai()
    return render_template(
        "selling/home.html",
        form=activity_form or f.ActivityForm(formdata=None, customer_id=request.args.get("customer", type=decode_id_cursor)),
        tasks=selling.open_tasks(current_user),
        activities=selling.recent_activities(current_user, before_id=request.args.get("before", type=decode_id_cursor)),
        today=today,
    ), status


@bp.route("/selling")
@allow(*FIELD_ROLES)
def home():
    return _home()


@bp.route("/selling/activities", methods=["POST"])
@allow(*FIELD_ROLES)
def log_activity():
    form = f.ActivityForm()
    if not form.validate_on_submit():
        return _home(form, 400)
    seller_id = _seller_id(form)
    if seller_id is None:
        return _home(form, 400)
    occurred_at = kpi.to_utc(form.occurred_at.data) if form.occurred_at.data else None
    try:
        customer_id = selling.customer_by_ref(current_user, form.customer_id.data)
        selling.log_activity(
            current_user, seller_id=seller_id, kind=form.kind.data, customer_id=customer_id,
            contact_id=selling.contact_by_ref(customer_id, form.contact_id.data), occurred_at=occurred_at,
            outcome=form.outcome.data,
            next_step=form.next_step.data, next_due_on=form.next_due_on.data,
        )
    except DomainError as error:
        if error.status == 404 and error.field not in REF_FIELDS:
            raise
        _field_error(form, error, "kind")
        return _home(form, error.status)
    flash(_("已记录活动。"), "success")
    return redirect(url_for("selling.home"))


@bp.route("/selling/tasks/<int:task_id>/done", methods=["POST"])
@allow(*FIELD_ROLES)
def complete_task(task_id: int):
    selling.complete_task(current_user, task_id)
    flash(pgettext("selling task", "任务已完成。"), "success")
    return redirect(url_for("selling.home"))


# --- KPI ------------------------------------------------------------------------------------


def _kpi_args() -> tuple[date, str, int | None]:
    """The KPI board's filters (the page and its export): day, channel, team root (404 for an
    unknown channel or team code)."""
    day = _day_arg()
    channel = request.args.get("channel") or ("agent" if current_user.role == ROLE_AGENT else "direct")
    if channel not in ("agent", "direct"):
        abort(404)
    root_id = None
    if request.args.get("team"):
        root_id = _seller_arg("team").id
    return day, channel, root_id


@bp.route("/selling/kpi/export.<fmt>")
@allow(*FIELD_ROLES)
def kpi_export(fmt: str):
    """The board's rows (one per seller and metric) for the page's filters."""
    from channel.services import exports

    day, channel, root_id = _kpi_args()
    rows = exports.kpi_rows(current_user._get_current_object(), day=day, channel=channel, root_id=root_id)
    return _selling_export(exports.KPI_COLUMNS, rows, fmt, f"kpi-{day.isoformat()}")


@bp.route("/selling/kpi")
@allow(*FIELD_ROLES)
def kpi_board():
    return _kpi_page()


def _kpi_page(target_form=None, status=200):
    day, channel, root_id = _kpi_args()
    board = selling.kpi_board(current_user, day=day, channel=channel, root_id=root_id)
    labels = [monday.strftime("%m-%d") for monday in board["mondays"]]
    trend = charts.count_line(_("每周团队活动"), labels,
                              {str(METRIC_LABELS[m]): values for m, values in board["trend"].items()})
    return render_template(
        "selling/kpi.html", board=board, channel=channel, trend=trend, team=request.args.get("team", ""),
        target_form=target_form or f.TargetForm(formdata=None),
        targets=selling.targets() if current_user.role in MANAGERS else [],
        prev_day=day - timedelta(days=1), next_day=day + timedelta(days=1),
    ), status


@bp.route("/selling/targets", methods=["POST"])
@allow(*MANAGERS)
def set_target():
    form = f.TargetForm()
    if not form.validate_on_submit():
        return _kpi_page(form, 400)
    channel, seller_id = (None, None)
    if form.scope.data == "seller":
        if not (form.seller_code.data or "").strip():
            form.seller_code.errors = [_("个人目标请填写销售方编码。")]
            return _kpi_page(form, 400)
        seller_id = _seller_id(form)
        if seller_id is None:
            return _kpi_page(form, 400)
    else:
        channel = form.scope.data
    try:
        selling.set_target(current_user, metric=form.metric.data, period=form.period.data,
                           target=form.target.data, channel=channel, seller_id=seller_id)
    except DomainError as error:
        if error.status == 404:  # a seller outside the manager's scope: said beside the code
            error.field = "seller_code"
        _field_error(form, error, "target")
        return _kpi_page(form, 400)
    flash(_("已设定目标。"), "success")
    return redirect(url_for("selling.kpi_board"))


@bp.route("/selling/targets/<int:target_id>/delete", methods=["POST"])
@allow(*MANAGERS)
def delete_target(target_id: int):
    selling.delete_target(current_user, target_id)
    flash(_("已删除目标。"), "success")
    return redirect(url_for("selling.kpi_board"))


# --- a customer's contacts, opportunities, activities, feedback -----------------------------


def _customer_page(customer_id: int, status: int = 200, **forms):
    page = selling.customer_selling_page(current_user, customer_id)
    stage_choices = _stage_choices(page["stages"])
    opp_form = forms.get("opp_form") or f.OpportunityForm(formdata=None)
    opp_form.stage_id.choices = stage_choices
    move_form = forms.get("move_form") or f.StageMoveForm(formdata=None)
    move_form.stage_id.choices = stage_choices
    return render_template(
        "selling/customer.html", page=page,
        contact_form=forms.get("contact_form") or f.ContactForm(formdata=None),
        opp_form=opp_form, move_form=move_form, move_for=forms.get("move_for"),
        activity_form=forms.get("activity_form") or f.ActivityForm(formdata=None, customer_id=customer_id),
        feedback_form=forms.get("feedback_form") or f.FeedbackForm(formdata=None, customer_id=customer_id),
    ), status


@bp.route("/customers/<int:customer_id>/selling")
@allow(*FIELD_ROLES, ROLE_PRODUCT)
def customer(customer_id: int):
    return _customer_page(customer_id)


@bp.route("/customers/<int:customer_id>/contacts", methods=["POST"])
@allow(*FIELD_ROLES)
def add_contact(customer_id: int):
    require_customer(current_user, customer_id)
    form = f.ContactForm()
    if form.validate_on_submit():
        try:
            selling.add_contact(current_user, customer_id=customer_id, name=form.name.data, role=form.role.data,
                                title=form.title.data, phone=form.phone.data, birthday=form.birthday.data)
        except DomainError as error:
            _field_error(form, error, "name")
            return _customer_page(customer_id, 400, contact_form=form)
        flash(_("已添加联系人。"), "success")
        return redirect(url_for("selling.customer", customer_id=customer_id))
    return _customer_page(customer_id, 400, contact_form=form)


@bp.route("/customers/<int:customer_id>/opportunities", methods=["POST"])
@allow(*FIELD_ROLES)
def add_opportunity(customer_id: int):
    require_customer(current_user, customer_id)
    form = f.OpportunityForm()
    form.stage_id.choices = _stage_choices(selling.stages())
    if form.validate_on_submit():
        try:
            selling.open_opportunity(current_user, customer_id=customer_id, title=form.title.data,
                                     stage_id=form.stage_id.data, expected_on=form.expected_on.data,
                                     amount_fen=parse_amount_fen(form.amount.data, "amount"))
        except DomainError as error:
            _field_error(form, error, "title")
            return _customer_page(customer_id, 400, opp_form=form)
        flash(_("已创建商机。"), "success")
        return redirect(url_for("selling.customer", customer_id=customer_id))
    return _customer_page(customer_id, 400, opp_form=form)


@bp.route("/opportunities/<int:opportunity_id>/stage", methods=["POST"])
@allow(*FIELD_ROLES)
def move_opportunity(opportunity_id: int):
    """An opportunity's row: its stage and expected close date. A refused date (unreadable, or
    in the past: rules.check_expected_close) or a stage posted by hand outside the choices
    re-renders the customer page, 400, with the error beside that row and what was posted; an
    opportunity outside the user's scope is 404 first."""
    opp = selling.require_opportunity(current_user, opportunity_id)
    form = f.StageMoveForm()
    form.stage_id.choices = _stage_choices(selling.stages())
    form.validate_on_submit()
    if form.expected_on.errors:
        return _customer_page(opp.customer_id, 400, move_form=form, move_for=opp.id)
    # a stage outside the choices: the service's "没有这个阶段" (not WTForms' English words)
    stage_id = None if form.stage_id.errors else form.stage_id.data
    form.stage_id.errors = []
    expected_on = form.expected_on.data if "expected_on" in request.form else selling.UNCHANGED
    try:
        selling.move_opportunity(current_user, opportunity_id, stage_id, expected_on)
    except DomainError as error:
        _field_error(form, error, "stage_id")
        return _customer_page(opp.customer_id, 400, move_form=form, move_for=opp.id)
    flash(_("已更新商机。"), "success")
    return redirect(url_for("selling.customer", customer_id=opp.customer_id))


@bp.route("/selling/opportunities")
@allow(*FIELD_ROLES)
def opportunities():
    return _opportunities_page()


def _days_arg() -> int:
    """The opportunities' `days` (14 when absent): a whole number of days, 1 to 3650; 400 with
    the reason otherwise (page and export alike)."""
    raw = (request.args.get("days") or "").strip()
    if not raw:
        return 14
    days = int(raw) if raw.isdecimal() and len(raw) <= 5 else 0
    if not 1 <= days <= 3650:
        raise DomainError(N_("天数必须是 1 到 3650 之间的整数。"), field="days")
    return days


def _opportunities_page(stage_form=None, status=200):
    days = _days_arg()
    rows = selling.opportunity_report(current_user, days=days)
    return render_template("selling/opportunities.html", rows=rows, days=days, stages=selling.stages(),
                           stage_form=stage_form or f.StageForm(formdata=None)), status


@bp.route("/selling/opportunities/export.<fmt>")
@allow(*FIELD_ROLES)
def opportunities_export(fmt: str):
    """The opportunities needing attention (filter `days`, as the page), every one of them."""
    from channel.services import exports

    days = _days_arg()
    rows = exports.opportunity_rows(current_user._get_current_object(), days)
    return _selling_export(exports.OPPORTUNITY_COLUMNS, rows, fmt, "opportunities")


@bp.route("/selling/stages", methods=["POST"])
@allow(*MANAGERS)
def add_stage():
    form = f.StageForm()
    if not form.validate_on_submit():
        return _opportunities_page(form, 400)
    try:
        selling.add_stage(current_user, name=form.name.data, position=form.position.data, closed=form.closed.data,
                          won=form.won.data)
    except DomainError as error:
        _field_error(form, error, "name")
        return _opportunities_page(form, 400)
    flash(_("已添加阶段。"), "success")
    return redirect(url_for("selling.opportunities"))


# --- customer value and maintenance ---------------------------------------------------------


def _value_args():
    """The customer-value page's filters (the page and its export): as-of day and seller (the
    user's own by default; 404 for an unknown code)."""
    as_of = _day_arg("as_of")
    seller = None
    if request.args.get("seller"):
        seller = _seller_arg("seller")
    elif current_user.seller_id is not None:
        seller = current_user.seller
    return as_of, seller


@bp.route("/selling/value/export.<fmt>")
@allow(*FIELD_ROLES)
def value_export(fmt: str):
    """Every customer of the report (the page shows the top 40) with its ABC class and RFM scores."""
    from channel.services import exports

    as_of, seller = _value_args()
    rows = exports.customer_value_rows(current_user._get_current_object(), seller_id=seller.id if seller else None,
                                       as_of=as_of)
    return _selling_export(exports.CUSTOMER_VALUE_COLUMNS, rows, fmt, f"customer-value-{as_of.isoformat()}")


@bp.route("/selling/value")
@allow(*FIELD_ROLES)
def value():
    return _value_page()


def _value_page(greeting_form=None, status=200, reminder_form=None):
    as_of, seller = _value_args()
    report = selling_value.value_report(current_user, seller_id=seller.id if seller else None, as_of=as_of)
    names = _customer_names([row.customer_id for row in report["abc"][:40]] + [row.customer_id for row in report["rfm"][:40]])
    pareto = charts.pareto(_("帕累托曲线：前 N% 客户的毛利占比"), value_domain.pareto_curve(report["abc"]),
                           share_label=_("累计占比 %"))
    classes = charts.pie(_("各类客户毛利（元）"), {f"{k} ({format_count(v['customers'])})": charts.yuan(max(v["profit_fen"], 0))
                                           for k, v in report["classes"].items()})
    repeat = report["repeat"]
    repeat_chart = charts.bar(_("回头客与首次客户毛利"), [str(_("回头客")), str(_("首次客户"))],
                              {str(_("毛利（元）")): [repeat.repeat_profit_fen, repeat.first_time_profit_fen]})
    segments = charts.count_bar(_("RFM 客户分群"), [str(SEGMENT_LABELS[s]) for s in SEGMENT_LABELS],
                                {str(_("客户数")): [report["segments"].get(s, 0) for s in SEGMENT_LABELS]})
    return render_template("selling/value.html", report=report, names=names, seller=seller, as_of=as_of,
                           pareto=pareto, classes=classes, repeat_chart=repeat_chart, segments=segments,
                           reminder_form=reminder_form or f.ReminderForm(formdata=None),
                           greeting_form=greeting_form or f.GreetingForm(formdata=None),
                           greetings=selling.greetings()), status


def _customer_names(ids: list[int]) -> dict[int, str]:
    from models.sales import Customer

    if not ids:
        return {}
    return dict(db.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(set(ids)))).all())


@bp.route("/selling/reminders", methods=["POST"])
@allow(*MANAGERS)
def generate_reminders():
    form = f.ReminderForm()
    if not form.validate_on_submit():  # said beside the field, with what was typed
        return _value_page(status=400, reminder_form=form)
    made = selling.generate_reminders(today=selling.today_in_shanghai(), stale_days=form.stale_days.data)
    flash(_("已生成 %(m)s 条回访提醒和 %(g)s 条问候任务。", m=format_count(made["maintenance"]),
              g=format_count(made["greeting"])), "success")
    return redirect(url_for("selling.value"))


@bp.route("/selling/greetings", methods=["POST"])
@allow(*MANAGERS)
def add_greeting():
    """A bad holiday (no name, 31 February, month 13) re-renders the value page with the error
    beside its field and what was typed."""
    form = f.GreetingForm()
    if not form.validate_on_submit():
        return _value_page(form, 400)
    try:
        selling.add_greeting(current_user, name=form.name.data, month=form.month.data, day=form.day.data)
    except DomainError as error:
        _field_error(form, error, "day")
        return _value_page(form, 400)
    flash(_("已添加节日问候。"), "success")
    return redirect(url_for("selling.value"))


# --- agent enablement -----------------------------------------------------------------------


def _enablement(status=200, **forms):
    is_manager = current_user.role in MANAGERS
    return render_template(
        "selling/enablement.html", is_manager=is_manager,
        trainings=[(t, selling_enablement.attendees(t.id)) for t in selling_enablement.trainings()] if is_manager else [],
        certifications=selling_enablement.certifications(current_user),
        applications=selling_enablement.applications() if is_manager else [],
        support=selling_feedback.support_requests(current_user),
        today=selling.today_in_shanghai(),
        training_form=forms.get("training_form") or f.TrainingForm(formdata=None),
        attendance_form=forms.get("attendance_form") or f.AttendanceForm(formdata=None),
        attendance_for=forms.get("attendance_for"),
        cert_form=forms.get("cert_form") or f.CertificationForm(formdata=None),
        application_form=forms.get("application_form") or f.ApplicationForm(formdata=None),
        support_form=forms.get("support_form") or f.SupportForm(formdata=None),
        answer_form=forms.get("answer_form") or f.SupportAnswerForm(formdata=None),
        answer_for=forms.get("answer_for"),
    ), status


@bp.route("/selling/enablement")
@allow(*FIELD_ROLES)
def enablement():
    return _enablement()


@bp.route("/selling/trainings", methods=["POST"])
@allow(*MANAGERS)
def add_training():
    form = f.TrainingForm()
    if form.validate_on_submit():
        product_id = _product_id(form)
        if not form.product_sku.errors:
            try:
                selling_enablement.add_training(current_user, title=form.title.data, held_on=form.held_on.data,
                                                product_id=product_id, certification_code=form.certification_code.data)
            except DomainError as error:
                _field_error(form, error, "title", {"product_id": "product_sku"})
                return _enablement(400, training_form=form)
            flash(_("已添加培训。"), "success")
            return redirect(url_for("selling.enablement"))
    return _enablement(400, training_form=form)


@bp.route("/selling/trainings/<int:training_id>/attendance", methods=["POST"])
@allow(*MANAGERS)
def record_attendance(training_id: int):
    """Bad codes (none, or unknown ones, or ones outside the user's scope, alike) re-render the
    page with the error beside that training's codes, as typed."""
    form = f.AttendanceForm()
    selling_enablement.require_training(training_id)
    if not form.validate_on_submit():
        return _enablement(400, attendance_form=form, attendance_for=training_id)
    try:
        added = selling_enablement.record_attendance_by_codes(current_user, training_id, form.seller_codes.data)
    except DomainError as error:
        _field_error(form, error, "seller_codes")
        return _enablement(400, attendance_form=form, attendance_for=training_id)
    flash(_("已记录 %(n)s 人出席。", n=format_count(added)), "success")
    return redirect(url_for("selling.enablement"))


@bp.route("/selling/certifications", methods=["POST"])
@allow(*MANAGERS)
def certify():
    form = f.CertificationForm()
    if form.validate_on_submit():
        seller_id = _seller_id(form)
        if seller_id is not None:
            try:
                selling_enablement.certify(current_user, seller_id=seller_id, code=form.code.data,
                                           passed=form.passed.data, certified_on=form.certified_on.data,
                                           expires_on=form.expires_on.data)
            except DomainError as error:
                _field_error(form, error, "code")
                return _enablement(400, cert_form=form)
            flash(_("已记录认证结果。"), "success")
            return redirect(url_for("selling.enablement"))
    return _enablement(400, cert_form=form)


@bp.route("/selling/applications", methods=["POST"])
@allow(*MANAGERS)
def submit_application():
    form = f.ApplicationForm()
    if form.validate_on_submit():
        try:
            application = selling_enablement.submit_application(
                current_user, company=form.company.data, credit_code=form.credit_code.data,
                contact_name=form.contact_name.data, phone=form.phone.data,
                territory_id=int(form.territory_code.data), level=form.level.data, capacity=form.capacity.data)
        except DomainError as error:
            _field_error(form, error, "company", {"territory": "territory_code"})
            return _enablement(400, application_form=form)
        flash(_("已登记申请。"), "success")
        return redirect(url_for("selling.application", application_id=application.id))
    return _enablement(400, application_form=form)


def _application_page(application_id: int, status=200, **forms):
    application = selling_enablement.get_application(application_id)
    holders = selling_enablement.exclusive_holders(application.territory_id, selling.today_in_shanghai())
    return render_template(
        "selling/application.html", application=application, holders=holders,
        approve_form=forms.get("approve_form") or f.ApproveForm(formdata=None),
        decline_form=forms.get("decline_form") or f.DeclineForm(formdata=None),
    ), status


@bp.route("/selling/applications/<int:application_id>")
@allow(*MANAGERS)
def application(application_id: int):
    return _application_page(application_id)


@bp.route("/selling/applications/<int:application_id>/approve", methods=["POST"])
@allow(*MANAGERS)
def approve_application(application_id: int):
    form = f.ApproveForm()
    if form.validate_on_submit():
        parent_id = None
        if form.parent_code.data:
            parent = sellers.by_code(form.parent_code.data)
            if parent is None:
                form.parent_code.errors = [_("没有编码为 %(code)s 的销售方。", code=form.parent_code.data)]
                return _application_page(application_id, 400, approve_form=form)
            parent_id = parent.id
        try:
            seller = selling_enablement.approve_application(
                current_user, application_id, code=form.code.data, parent_id=parent_id,
                contract_from=form.contract_from.data, contract_to=form.contract_to.data,
                deposit_fen=parse_amount_fen(form.deposit.data, "deposit"), exclusive=form.exclusive.data)
        except DomainError as error:
            _field_error(form, error, "code", {"parent": "parent_code", "territory": "code", "level": "code",
                                               "joined_on": "contract_from", "effective_on": "contract_from",
                                               "valid_from": "contract_from", "valid_to": "contract_to",
                                               "deposit": "deposit"})
            return _application_page(application_id, 400, approve_form=form)
        flash(_("已批准，新代理已创建并授权区域。"), "success")
        return redirect(url_for("tree.seller", seller_id=seller.id))
    return _application_page(application_id, 400, approve_form=form)


@bp.route("/selling/applications/<int:application_id>/decline", methods=["POST"])
@allow(*MANAGERS)
def decline_application(application_id: int):
    form = f.DeclineForm()
    if form.validate_on_submit():
        try:
            selling_enablement.decline_application(current_user, application_id, reason=form.reason.data)
        except DomainError as error:
            _field_error(form, error, "reason")
            return _application_page(application_id, 400 if error.status == 400 else error.status, decline_form=form)
        flash(_("已拒绝申请。"), "success")
        return redirect(url_for("selling.application", application_id=application_id))
    return _application_page(application_id, 400, decline_form=form)


@bp.route("/selling/support", methods=["POST"])
@allow(*FIELD_ROLES)
def open_support():
    form = f.SupportForm()
    if form.validate_on_submit():
        seller_id = _seller_id(form)
        if seller_id is not None:
            try:
                selling_feedback.open_support_request(current_user, seller_id=seller_id, subject=form.subject.data,
                                                      body=form.body.data)
            except DomainError as error:
                if error.status == 404:
                    raise
                _field_error(form, error, "subject")
                return _enablement(400, support_form=form)
            flash(_("已提交支持请求。"), "success")
            return redirect(url_for("selling.enablement"))
    return _enablement(400, support_form=form)


@bp.route("/selling/support/<int:request_id>/answer", methods=["POST"])
@allow(*MANAGERS)
def answer_support(request_id: int):
    """A bad answer (none, over 4,000 characters, a status outside the choices) re-renders the
    page with the error beside that request and the answer as typed."""
    form = f.SupportAnswerForm()
    require_owned(current_user, SupportRequest, request_id)  # 404 before any answer is read
    if not form.validate_on_submit():
        return _enablement(400, answer_form=form, answer_for=request_id)
    selling_feedback.answer_support_request(current_user, request_id, answer=form.answer.data, status=form.status.data)
    flash(_("已答复。"), "success")
    return redirect(url_for("selling.enablement"))


# --- exports of the lists on the home and enablement pages ----------------------------------


def _selling_export(columns, rows, fmt: str, name: str):
    from channel.exchange.downloads import download

    return download([translate(c) for c in columns], rows, fmt, name)


def _status_arg(allowed) -> str | None:
    status = request.args.get("status") or None
    if status is not None and status not in allowed:
        abort(400)
    return status


@bp.route("/selling/activities/export.<fmt>")
@allow(*FIELD_ROLES)
def activities_export(fmt: str):
    from channel.services import exports

    return _selling_export(exports.ACTIVITY_COLUMNS, exports.activity_rows(current_user._get_current_object()), fmt,
                           "activities")


@bp.route("/selling/tasks/export.<fmt>")
@allow(*FIELD_ROLES)
def tasks_export(fmt: str):
    from channel.services import exports

    return _selling_export(exports.TASK_COLUMNS, exports.task_rows(current_user._get_current_object()), fmt, "tasks")


@bp.route("/selling/trainings/export.<fmt>")
@allow(*MANAGERS)
def trainings_export(fmt: str):
    from channel.services import exports

    return _selling_export(exports.TRAINING_COLUMNS, exports.training_rows(current_user._get_current_object()), fmt,
                           "trainings")


@bp.route("/selling/targets/export.<fmt>")
@allow(*MANAGERS)
def targets_export(fmt: str):
    from channel.services import exports

    return _selling_export(exports.TARGET_COLUMNS, exports.target_rows(current_user._get_current_object()), fmt,
                           "kpi-targets")


@bp.route("/selling/certifications/export.<fmt>")
@allow(*FIELD_ROLES)
def certifications_export(fmt: str):
    from channel.services import exports

    return _selling_export(exports.CERTIFICATION_COLUMNS,
                           exports.certification_rows(current_user._get_current_object()), fmt, "certifications")


@bp.route("/selling/applications/export.<fmt>")
@allow(*MANAGERS)
def applications_export(fmt: str):
    from channel.services import exports
    from models.selling import APPLICATION_STATUSES

    rows = exports.application_rows(current_user._get_current_object(), _status_arg(APPLICATION_STATUSES))
    return _selling_export(exports.APPLICATION_COLUMNS, rows, fmt, "agent-applications")


@bp.route("/selling/support/export.<fmt>")
@allow(*FIELD_ROLES)
def support_export(fmt: str):
    from channel.services import exports
    from models.selling import SUPPORT_STATUSES

    rows = exports.support_rows(current_user._get_current_object(), _status_arg(SUPPORT_STATUSES))
    return _selling_export(exports.SUPPORT_COLUMNS, rows, fmt, "support-requests")


# --- feedback to product --------------------------------------------------------------------


@bp.route("/selling/feedback", methods=["GET", "POST"])
@allow(*FIELD_ROLES)
def feedback():
    form = f.FeedbackForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            seller_id, product_id = _seller_id(form), _product_id(form)
            if seller_id is not None and product_id is not None:
                try:
                    item = selling_feedback.record_feedback(
                        current_user, seller_id=seller_id, product_id=product_id, body=form.body.data,
                        customer_id=selling.customer_by_ref(current_user, form.customer_id.data),
                        is_request=form.is_request.data)
                except DomainError as error:
                    if error.status == 404 and error.field not in REF_FIELDS:
                        raise
                    _field_error(form, error, "body", {"product_id": "product_sku"})
                    status = error.status
                else:
                    flash(_("已提交反馈。"), "success")
                    if item.customer_id:
                        return redirect(url_for("selling.customer", customer_id=item.customer_id))
                    return redirect(url_for("selling.feedback"))
        status = status if status != 200 else 400
    return render_template("selling/feedback.html", form=form, items=selling_feedback.feedback_list(current_user)), status


FEEDBACK_KINDS = {"request": True, "feedback": False}  # the `kind` filter: feature requests or the rest


def _feedback_filters() -> dict:
    """The product managers' filters from the query: product (id), status, kind (request /
    feedback), channel, province (id); a value outside those is a 400 with the reason, never
    an empty list that looks like "no feedback"."""
    from models.selling import FEEDBACK_STATUSES

    filters: dict = {"product_id": request.args.get("product", type=decode_id_cursor)}
    status, kind, channel = (request.args.get(name) or None for name in ("status", "kind", "channel"))
    if status is not None and status not in FEEDBACK_STATUSES:
        raise DomainError(N_("未知的状态。"), field="status")
    if kind is not None and kind not in FEEDBACK_KINDS:
        raise DomainError(N_("未知的反馈类型。"), field="kind")
    if channel is not None and channel not in ("agent", "direct"):
        raise DomainError(N_("未知的渠道。"), field="channel")
    province = (request.args.get("province") or "").strip()
    if province and not (province.isdecimal() and len(province) == 6):
        raise DomainError(N_("请输入 6 位行政区划代码，例如 440300。"), field="province")
    filters.update(status=status, is_request=FEEDBACK_KINDS.get(kind), channel=channel,
                   province_id=int(province) if province else None)
    return filters


def _product_feedback_page(answer_form=None, answer_for: int | None = None, status: int = 200):
    filters = _feedback_filters()
    groups = selling_feedback.feedback_by_product(current_user)
    return render_template(
        "selling/product_feedback.html", groups=groups, items=selling_feedback.feedback_list(current_user, **filters),
        answer_form=answer_form or f.FeedbackAnswerForm(formdata=None), answer_for=answer_for,
        product_id=filters["product_id"], filters={k: v for k, v in request.args.items() if v},
        products={g["product"].id: g["product"] for g in groups},
    ), status


@bp.route("/selling/product-feedback")
@allow(ROLE_PRODUCT, ROLE_ADMIN)
def product_feedback():
    return _product_feedback_page()


@bp.route("/selling/feedback/export.<fmt>")
@allow(*FIELD_ROLES, ROLE_PRODUCT)
def feedback_export(fmt: str):
    """Feedback of the sellers the user may see (filters `product`, `status` as the product
    managers' page), every item: the export of both feedback pages."""
    from channel.services import exports
    from models.selling import FEEDBACK_STATUSES

    status = request.args.get("status") or None
    if status is not None and status not in FEEDBACK_STATUSES:
        abort(400)
    rows = exports.feedback_rows(current_user._get_current_object(), product_id=request.args.get("product", type=decode_id_cursor),
                                 status=status)
    return _selling_export(exports.FEEDBACK_COLUMNS, rows, fmt, "feedback")


@bp.route("/selling/feedback/<int:feedback_id>/answer", methods=["POST"])
@allow(ROLE_PRODUCT, ROLE_ADMIN)
def answer_feedback(feedback_id: int):
    """A status outside the choices or a reply too long re-renders the list (with the filters of
    the page it was sent from) with the error beside that item and the reply as typed."""
    form = f.FeedbackAnswerForm()
    if form.validate_on_submit():
        try:
            selling_feedback.set_feedback_status(current_user, feedback_id, status=form.status.data,
                                                 reply=form.reply.data)
        except DomainError as error:
            if error.status == 404:
                raise
            _field_error(form, error, "status")
        else:
            flash(_("已更新反馈状态。"), "success")
            return redirect(url_for("selling.product_feedback", **request.args))
    return _product_feedback_page(form, feedback_id, 400)
