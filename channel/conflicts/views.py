"""Pages of the conflicts feature: dashboard, case list (+ CSV), case page with its rulings,
customer registrations (with the clash shown before saving) and conflict policies."""
from __future__ import annotations


import pygal
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from channel import charts
from channel.charts import STYLE
from channel.conflicts.forms import (ACTION_LABELS, RULE_LABELS, SCANNER_LABELS, SEVERITY_LABELS, STATUS_LABELS,
                                     AssignForm, CaseFilterForm, CasePolicyForm, NoteForm, PolicyForm,
                                     RegistrationForm, ScanForm, StatusForm)
from channel.domain.conflicts import TRANSITIONS
from channel.domain.errors import DomainError, N_
from channel.domain.money import parse_amount_fen
from channel.domain.periods import Month
from channel.i18n import error_text
from channel.permissions import ANY_USER, allow
from channel.services import conflicts_cases, conflicts_reports, jobs, sellers
from channel.services.access import CASE_RULERS, require_seller
from models import db
from models.users import SELLER_ROLES

bp = Blueprint("conflicts", __name__)

NAV: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("conflicts.dashboard", N_("渠道冲突"), None),
    ("conflicts.registrations", N_("客户报备"), None),
]


@bp.context_processor
def _labels():
    return {"rule_labels": RULE_LABELS, "severity_labels": SEVERITY_LABELS, "status_labels": STATUS_LABELS,
            "action_labels": ACTION_LABELS, "scanner_labels": SCANNER_LABELS,
            "can_rule": current_user.is_authenticated and current_user.role in CASE_RULERS}


def _chart(kind, title: str, labels: list[str], values: list[int], name: str) -> Markup:
    chart = kind(style=STYLE, js=[], disable_xml_declaration=True, explicit_size=False, height=260, width=640,
                 show_legend=False, title=title, x_label_rotation=20)
    chart.x_labels = labels
    top = max(values or [0])
    chart.y_labels = list(range(0, top + 1, max(1, (top + 1) // 8)))  # counts: whole numbers on the axis
    chart.add(name, values)
    return charts.render(chart)


@bp.route("/conflicts")
@allow(ANY_USER)
def dashboard():
    data = conflicts_reports.dashboard(current_user)
    province_chart = _chart(pygal.Bar, _("各省未结案件"), [p for p, _n in data["by_province"]],
                            [n for _p, n in data["by_province"]], _("案件")) if data["by_province"] else None
    trend_chart = _chart(pygal.Line, _("每月新案件"), [p for p, _n in data["trend"]], [n for _p, n in data["trend"]],
                         _("案件")) if data["trend"] else None
    return render_template("conflicts/dashboard.html", data=data, province_chart=province_chart,
                           trend_chart=trend_chart, scan_form=ScanForm())


@bp.route("/conflicts/scan", methods=["POST"])
@allow(*CASE_RULERS)
def scan():
    form = ScanForm()
    if not form.validate_on_submit():
        flash(_("期间必须写成 YYYY-MM，例如 2026-10。"), "danger")
        return redirect(url_for("conflicts.dashboard"))
    try:
        job = jobs.submit("conflicts.scan", {"period": str(Month.parse(form.period.data))}, current_user)
    except DomainError as error:
        flash(error_text(error), "danger")
        return redirect(url_for("conflicts.dashboard"))
    return redirect(url_for("ops.job", job_id=job.id))


def _case_filters(form: CaseFilterForm) -> tuple[conflicts_reports.CaseFilters, bool]:
    filters = conflicts_reports.CaseFilters()
    if not form.validate():
        return filters, False
    filters.rule = form.rule.data or None
    filters.severity = form.severity.data or None
    filters.status = form.status.data or None
    filters.overdue = bool(form.overdue.data)
    if form.period.data:
        try:
            filters.period = str(Month.parse(form.period.data))  # '2026-13', '0000-00', '9999-12' refused
        except DomainError as error:
            form.period.errors.append(error_text(error))
            return filters, True
    if form.seller.data:
        seller = sellers.by_code(form.seller.data)
        if seller is None:
            form.seller.errors.append(_("没有这个编码的销售方。"))
            return filters, True
        filters.seller_id = seller.id
    return filters, False


@bp.route("/conflicts/cases")
@allow(ANY_USER)
def cases():
    form = CaseFilterForm(request.args)
    filters, unknown = _case_filters(form)
    page = conflicts_reports.CasePage() if unknown or form.errors else conflicts_reports.cases_page(
        current_user, filters, request.args.get("after"))
    return render_template("conflicts/cases.html", form=form, page=page, sees_amount=conflicts_reports.sees_amount)


@bp.route("/conflicts/cases.csv", defaults={"fmt": "csv"}, endpoint="cases_csv")
@bp.route("/conflicts/cases.xlsx", defaults={"fmt": "xlsx"}, endpoint="cases_xlsx")
@allow(ANY_USER)
def cases_export(fmt: str):
    """The case list with the page's filters and access rules, every page of it, streamed."""
    from channel.exchange.downloads import download

    form = CaseFilterForm(request.args)
    filters, unknown = _case_filters(form)
    if unknown or form.errors:
        problems = [str(e) for errors in form.errors.values() for e in errors]
        return Response("\n".join([_("筛选条件有误。")] + problems), status=400, mimetype="text/plain")
    rows = conflicts_reports.cases_csv_rows(current_user._get_current_object(), filters)
    return download(list(next(rows)), rows, fmt, "conflict-cases")


def _case_forms(case, status_form=None, assign_form=None, note_form=None, policy_form=None) -> dict:
    assign_form = assign_form or AssignForm(prefix="assign", formdata=None)
    assign_form.assignee.choices = [(0, _("（未指派）"))] + [(u.id, u.display_name) for u in conflicts_reports.staff_users()]
    if assign_form.assignee.data is None:
        assign_form.assignee.data = case.assignee_id or 0
    policy_form = policy_form or CasePolicyForm(prefix="policy", formdata=None)
    policy_form.policy.choices = [(0, _("（按规则自动选择）"))] + [
        (p.id, p.name) for p in conflicts_cases.policies_offered(case)]
    if policy_form.policy.data is None:
        policy_form.policy.data = case.policy_id or 0
    if status_form is None:  # offer only the moves the case can make
        status_form = StatusForm(prefix="status", formdata=None)
        status_form.status.choices = [(s, STATUS_LABELS[s]) for s in TRANSITIONS.get(case.status, ())]
    return {"status_form": status_form, "assign_form": assign_form,
            "note_form": note_form or NoteForm(prefix="note", formdata=None), "policy_form": policy_form}


@bp.route("/conflicts/cases/<int:case_id>")
@allow(ANY_USER)
def case(case_id: int):
    view = conflicts_reports.case_view(current_user, case_id)
    return render_template("conflicts/case.html", v=view, **_case_forms(view["case"]))


def _rerender(case_id: int, **forms):
    view = conflicts_reports.case_view(current_user, case_id)
    return render_template("conflicts/case.html", v=view, **_case_forms(view["case"], **forms)), 400


@bp.route("/conflicts/cases/<int:case_id>/status", methods=["POST"])
@allow(*CASE_RULERS)
def change_status(case_id: int):
    form = StatusForm(prefix="status")
    if form.validate_on_submit():
        try:
            conflicts_cases.change_status(current_user, case_id, form.status.data, form.note.data or None)
        except DomainError as error:
            if error.status == 404:
                raise
            field = form.note if error.field == "note" else form.status
            field.errors = list(field.errors) + [error_text(error)]
            return _rerender(case_id, status_form=form)
        flash(_("案件状态已更新。"), "success")
        return redirect(url_for("conflicts.case", case_id=case_id))
    return _rerender(case_id, status_form=form)


@bp.route("/conflicts/cases/<int:case_id>/assign", methods=["POST"])
@allow(*CASE_RULERS)
def assign(case_id: int):
    form = AssignForm(prefix="assign")
    form.assignee.choices = [(0, "")] + [(u.id, u.display_name) for u in conflicts_reports.staff_users()]
    if form.validate_on_submit():
        conflicts_cases.assign(current_user, case_id, form.assignee.data or None)
        flash(_("已指派。"), "success")
        return redirect(url_for("conflicts.case", case_id=case_id))
    return _rerender(case_id, assign_form=form)


@bp.route("/conflicts/cases/<int:case_id>/note", methods=["POST"])
@allow(*CASE_RULERS)
def note(case_id: int):
    form = NoteForm(prefix="note")
    if form.validate_on_submit():
        conflicts_cases.add_note(current_user, case_id, form.note.data)
        flash(_("已添加备注。"), "success")
        return redirect(url_for("conflicts.case", case_id=case_id))
    return _rerender(case_id, note_form=form)


@bp.route("/conflicts/cases/<int:case_id>/policy", methods=["POST"])
@allow(*CASE_RULERS)
def case_policy(case_id: int):
    form = CasePolicyForm(prefix="policy")
    if form.validate_on_submit():
        try:
            conflicts_cases.set_policy(current_user, case_id, form.policy.data or None)
        except DomainError as error:
            if error.status == 404:
                raise
            form.policy.errors = [error_text(error)]
            return _rerender(case_id, policy_form=form)
        flash(_("已设置处理政策。"), "success")
        return redirect(url_for("conflicts.case", case_id=case_id))
    return _rerender(case_id, policy_form=form)


# ---- registrations -----------------------------------------------------------------------------

def _registration_seller(form: RegistrationForm):
    """Agents and reps register for their own seller; staff name one by code."""
    if current_user.role in SELLER_ROLES:
        return current_user.seller
    if not form.seller_code.data:
        form.seller_code.errors.append(_("请填写报备方编码。"))
        return None
    seller = sellers.by_code(form.seller_code.data)
    if seller is None:
        form.seller_code.errors.append(_("没有这个编码的销售方。"))
        return None
    return require_seller(current_user, seller.id)


REGISTRANTS = SELLER_ROLES + CASE_RULERS


def _registrations_page(form, clashes, status: int):
    page = conflicts_reports.registrations_page(current_user, request.args.get("after"))
    return render_template("conflicts/registrations.html", form=form, clashes=clashes, page=page,
                           can_register=current_user.role in REGISTRANTS), status


@bp.route("/conflicts/registrations", methods=["GET"])
@allow(ANY_USER)
def registrations():
    return _registrations_page(RegistrationForm(), [], 200)


@bp.route("/conflicts/registrations/export.<fmt>")
@allow(ANY_USER)
def registrations_export(fmt: str):
    """The registrations of the sellers the user may see, every page of them."""
    from channel.exchange.downloads import download
    from channel.services import exports

    rows = exports.registration_rows(current_user._get_current_object())
    return download([_(c) for c in exports.REGISTRATION_COLUMNS], rows, fmt, "registrations")


@bp.route("/conflicts/registrations", methods=["POST"])
@allow(*REGISTRANTS)
def register():
    form = RegistrationForm()
    clashes = []
    if form.validate_on_submit():
        seller = _registration_seller(form)
        if seller is not None:
            try:
                clashes = conflicts_cases.check_registration(seller.id, form.name.data, form.phone.data,
                                                             form.credit_code.data, form.registered_on.data)
                if not clashes or form.accept_clash.data:
                    conflicts_cases.register_customer(
                        seller_id=seller.id, name=form.name.data, phone=form.phone.data or None,
                        credit_code=form.credit_code.data or None,
                        district_id=int(form.district.data) if form.district.data else None,
                        on=form.registered_on.data, created_by_id=current_user.id, accept_clash=bool(clashes))
                    flash(_("已报备。") if not clashes else _("已报备；与其他销售方的报备冲突，已生成撞单案件。"),
                          "success" if not clashes else "warning")
                    return redirect(url_for("conflicts.registrations"))
            except DomainError as error:
                # the seller code field is staff's (agents and reps register for themselves)
                name = "seller_code" if error.field == "seller_id" and current_user.role not in SELLER_ROLES \
                    else error.field
                field = getattr(form, name or "", None) or form.name
                field.errors = list(field.errors) + [error_text(error)]
    return _registrations_page(form, clashes, 400 if form.errors or clashes else 200)


# ---- policies ----------------------------------------------------------------------------------

@bp.route("/conflicts/policies", methods=["GET", "POST"])
@allow(*CASE_RULERS)
def policies():
    form = PolicyForm()
    status = 200
    if form.validate_on_submit():
        try:
            conflicts_cases.add_policy(name=form.name.data, action=form.action.data, rule=form.rule.data or None,
                                       protection_fee_bp=form.protection_fee_bp.data or 0,
                                       penalty_fen=parse_amount_fen(form.penalty.data, "penalty"),
                                       actor_id=current_user.id)
            flash(_("已添加政策。"), "success")
            return redirect(url_for("conflicts.policies"))
        except DomainError as error:
            name = {"penalty_fen": "penalty"}.get(error.field, error.field)
            field = getattr(form, name or "", None) or form.name
            field.errors = list(field.errors) + [error_text(error)]
    if request.method == "POST":
        status = 400
    rows = db.session.scalars(conflicts_reports.policies_query()).all()
    return render_template("conflicts/policies.html", form=form, policies=rows), status


@bp.route("/conflicts/policies/<int:policy_id>/deactivate", methods=["POST"], defaults={"active": False},
          endpoint="deactivate_policy")
@bp.route("/conflicts/policies/<int:policy_id>/reactivate", methods=["POST"], defaults={"active": True},
          endpoint="reactivate_policy")
@allow(*CASE_RULERS)
def policy_active(policy_id: int, active: bool):
    try:
        policy = conflicts_cases.set_policy_active(current_user, policy_id, active)
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error_text(error), "danger")
    else:
        flash(_("已重新启用政策“%(name)s”。", name=policy.name) if active
              else _("已停用政策“%(name)s”：新的案件不再使用它，已处理的案件不受影响。", name=policy.name), "success")
    return redirect(url_for("conflicts.policies"))


@bp.route("/conflicts/policies/export.<fmt>")
@allow(*CASE_RULERS)
def policies_export(fmt: str):
    from channel.exchange.downloads import download
    from channel.services import exports

    rows = exports.policy_rows(current_user._get_current_object())
    return download([_(c) for c in exports.POLICY_COLUMNS], rows, fmt, "conflict-policies")
