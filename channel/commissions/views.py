"""Pages of the commissions feature: plans (with guardrails explained), runs (post or preview),
statements (printable, CSV). Thin: parse, call a service, map DomainError to the form."""
from __future__ import annotations

from collections import Counter

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from channel.commissions.forms import ORDER_KIND_LABELS, ImportForm, InquiryAnswerForm, InquiryFollowUpForm, \
    InquiryForm, PlanForm, RunForm, UnreadableValues
from channel.domain.commissions import PlanRefused, bp_to_percent
from channel.domain.errors import DomainError
from channel.domain.paging import decode_id_cursor
from channel.domain.periods import Month
from channel.i18n import error_text, translate
from channel.permissions import ANY_USER, allow
from channel.services import commissions as plans
from channel.services import commissions_inquiries as inquiries
from channel.services import commissions_run, commissions_statements, jobs
from channel.services.access import require_inquiry
from channel.services.clock import business_today
from models.users import ROLE_ADMIN, ROLE_FINANCE, ROLE_MANAGER, ROLE_PRODUCT

bp = Blueprint("commissions", __name__, url_prefix="/commissions")

EDITORS = (ROLE_ADMIN, ROLE_MANAGER)
RUNNERS = (ROLE_ADMIN, ROLE_MANAGER, ROLE_FINANCE)
READERS = (ROLE_ADMIN, ROLE_MANAGER, ROLE_FINANCE, ROLE_PRODUCT)

# Navigation entries this feature adds to the top bar: (endpoint, label msgid, roles or None for all).
NAV: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("commissions.statements", "提成对账单", None),
    ("commissions.plan_list", "提成方案", READERS),
    ("commissions.runs", "提成计算", RUNNERS),
    ("commissions.inquiry_list", "对账疑问", None),
]


def _default_period() -> str:
    return str(Month.of(business_today()).previous())


def _problem_text(problem) -> str:
    from flask_babel import gettext

    return gettext(problem.message, **problem.params)


def _show_errors(form: PlanForm, error: DomainError) -> None:
    problems = error.problems if isinstance(error, (PlanRefused, UnreadableValues)) else [error]
    aliases = {"base_rate": "base_rate", "bonus_target": "bonus_target", "level": "level", "file": "name"}
    for problem in problems:
        text = _problem_text(problem) if isinstance(error, PlanRefused) else error_text(problem)
        field = getattr(form, aliases.get(problem.field or "", problem.field or "name"), None) or form.name
        field.errors = list(field.errors) + [text]


@bp.route("/plans")
@allow(*READERS)
def plan_list():
    return render_template("commissions/plans.html", plans=plans.list_plans(include_superseded=True),
                           import_form=ImportForm(), can_edit=current_user.role in EDITORS, percent=bp_to_percent)


@bp.route("/plans/export.<any(csv, xlsx):fmt>")
@allow(*READERS)
def plan_list_export(fmt: str):
    """The plan list (every version) as CSV or XLSX; the JSON export is /plans/export.json."""
    from channel.exchange.downloads import download
    from channel.services import exports

    rows = exports.plan_rows(current_user._get_current_object())
    return download([_(c) for c in exports.PLAN_COLUMNS], rows, fmt, "commission-plans")


@bp.route("/plans/<int:plan_id>")
@allow(*READERS)
def plan(plan_id: int):
    record = plans.get_plan(plan_id)
    checks = [(_problem_text(c), c.field) for c in plans.checks_of(record)]
    return render_template("commissions/plan.html", plan=record, spec=plans.spec_of(record), checks=checks,
                           versions=plans.versions_of(record), used=plans.is_used(record.id),
                           can_edit=current_user.role in EDITORS and record.status == "active", percent=bp_to_percent,
                           order_kinds=ORDER_KIND_LABELS)


def _unmatched_names(plan) -> list[str]:
    """Warnings of what the saved plan names that nothing matches yet: certification codes, categories."""
    warnings = []
    codes = plans.unknown_certifications(plan)
    if codes:
        warnings.append(_("方案“%(name)s”的阶梯要求的认证 %(codes)s 目前没有人持有，也没有培训授予：这些档暂时无人能拿到，请检查代码是否写错。",
                          name=plan.name, codes="、".join(codes)))
    categories = plans.unknown_categories(plan)
    if categories:
        warnings.append(_("方案“%(name)s”的品类费率 %(categories)s 目前没有任何产品属于该品类：这些费率暂时用不上，请检查品类名称是否写错。",
                          name=plan.name, categories="、".join(categories)))
    return warnings


def _warn_unmatched_names(*saved) -> None:
    """Flash the warnings of the saved plans, each once (the versions of a plan often share them)."""
    for warning in dict.fromkeys(w for plan in saved for w in _unmatched_names(plan)):
        flash(warning, "warning")


def _save(form: PlanForm, plan_id: int | None, template_args: dict):
    if form.validate_on_submit():
        try:
            before = plans.plan_to_json(plans.get_plan(plan_id)) if plan_id is not None else None
            saved = plans.save_plan(form.spec(), plan_id=plan_id, actor_id=current_user.id,
                                    retroactive=form.retroactive.data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            if saved.id == plan_id and plans.plan_to_json(saved) == before:
                flash(_("方案“%(name)s”第 %(version)s 版没有改动，未保存新版本。", name=saved.name,
                        version=saved.version), "info")
            else:
                flash(_("已保存方案“%(name)s”第 %(version)s 版。", name=saved.name, version=saved.version), "success")
            _warn_unmatched_names(saved)
            return redirect(url_for("commissions.plan", plan_id=saved.id))
        return render_template("commissions/plan_form.html", form=form, **template_args), 400
    status = 400 if request.method == "POST" else 200
    return render_template("commissions/plan_form.html", form=form, **template_args), status


@bp.route("/plans/new", methods=["GET", "POST"])
@allow(*EDITORS)
def plan_new():
    return _save(PlanForm(), None, {"plan": None})


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@allow(*EDITORS)
def plan_edit(plan_id: int):
    record = plans.get_plan(plan_id)
    try:
        plans.check_editable(record)
    except DomainError as error:  # a superseded version: say so now, not after everything is typed
        flash(error_text(error), "warning")
        return redirect(url_for("commissions.plan", plan_id=record.id))
    form = PlanForm()
    if request.method == "GET":
        form.load(plans.spec_of(record))
    return _save(form, plan_id, {"plan": record, "used": plans.is_used(record.id),
                                 "posted_through": plans.posted_through([record.id])})


@bp.route("/plans/export.json")
@allow(*READERS)
def plan_export():
    body = json.dumps(plans.export_plans(), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=plans.json"})


@bp.route("/plans/import", methods=["POST"])
@allow(*EDITORS)
def plan_import():
    form = ImportForm()
    if form.validate_on_submit():
        try:
            saved = plans.import_plans(form.file.data.read(), actor_id=current_user.id,
                                       retroactive=form.retroactive.data)
        except DomainError as error:
            messages = ([_problem_text(p) for p in error.problems] if isinstance(error, PlanRefused)
                        else [error_text(error)])
            position = plans.plan_position(error)
            prefix = _("第 %(n)s 个方案：", n=position) if position is not None else ""
            for message in messages:
                flash(prefix + message, "danger")
            return redirect(url_for("commissions.plan_list"))
        actions = Counter(i.action for i in saved)
        flash(_("已导入 %(n)s 个方案：新建 %(created)s 个，新版本 %(versions)s 个，修改 %(changed)s 个，没有改动 %(same)s 个。",
                n=len(saved), created=actions["created"], versions=actions["new_version"],
                changed=actions["changed"], same=actions["unchanged"]), "success")
        _warn_unmatched_names(*(item.plan for item in saved))
    else:
        flash(_("请选择一个 JSON 文件。"), "danger")
    return redirect(url_for("commissions.plan_list"))


@bp.route("/runs", methods=["GET", "POST"])
@allow(*RUNNERS)
def runs():
    """The run form; a run (or a preview) is a background job: submitted here, followed on the
    job page, which shows what was (or would be) posted."""
    form = RunForm()
    if request.method == "GET":
        form.period.data = form.period.data or _default_period()
    elif form.validate_on_submit():
        try:
            # a locked month is refused here, not by a failing job; the job is given the month as
            # read (" 2026-10 " or "2026-9" pasted in are 2026-10 and 2026-09)
            month = commissions_run.runnable_month(form.period.data)
            job = jobs.submit("commissions.run", {"period": str(month), "preview": "preview" in request.form},
                              current_user)
        except DomainError as error:
            form.period.errors = list(form.period.errors) + [error_text(error)]
        else:
            return redirect(url_for("ops.job", job_id=job.id))
    status = 400 if request.method == "POST" else 200
    return render_template("commissions/runs.html", form=form, runs=commissions_run.recent_runs()), status


@bp.route("/runs/export.<fmt>")
@allow(*RUNNERS)
def runs_export(fmt: str):
    """Every commission run (the page shows the latest 20)."""
    from channel.exchange.downloads import download
    from channel.services import exports

    rows = exports.run_rows(current_user._get_current_object())
    return download([_(c) for c in exports.RUN_COLUMNS], rows, fmt, "commission-runs")


STATEMENT_LIST_PAGE = 100  # payees per page of the statement list


@bp.route("/statements")
@allow(ANY_USER)
def statements():
    period = request.args.get("period") or _default_period()
    try:
        period = str(Month.parse(period))  # '2026-9' reads as 2026-09
    except DomainError as error:
        flash(error_text(error), "danger")
        period = _default_period()  # and its statements, as without a period
    after = request.args.get("after")
    rows = commissions_statements.payees(current_user, period, after, size=STATEMENT_LIST_PAGE + 1)
    if not rows and after:  # past the last payee (a hand-edited cursor): the first page, not "nothing posted"
        rows = commissions_statements.payees(current_user, period, None, size=STATEMENT_LIST_PAGE + 1)
    more = len(rows) > STATEMENT_LIST_PAGE  # one row beyond the page: a "next" link only when it leads somewhere
    rows = rows[:STATEMENT_LIST_PAGE]
    cursor = rows[-1][0].code if more else None
    return render_template("commissions/statements.html", period=period, rows=rows, cursor=cursor,
                           own=current_user.seller_id)


@bp.route("/statements/export.<fmt>")
@allow(ANY_USER)
def statements_export(fmt: str):
    """The statement list of `period` (default last month) in the user's scope, every page."""
    from channel.exchange.downloads import download
    from channel.services import exports

    period = request.args.get("period") or _default_period()
    try:
        rows = exports.statement_list_rows(current_user._get_current_object(), period)
    except (DomainError, ValueError):
        return Response(_("筛选条件有误。"), status=400, mimetype="text/plain")
    return download([_(c) for c in exports.STATEMENT_LIST_COLUMNS], rows, fmt, f"statements-{period}")


STATEMENT_PAGE = 50  # lines per page of a statement (totals are over every line)


@bp.route("/statements/<int:seller_id>/<period>")
@allow(ANY_USER)
def statement(seller_id: int, period: str):
    form = InquiryForm(formdata=None)
    form.ledger_line_id.data = decode_id_cursor(request.args.get("line"))  # "ask about this line" pre-selects it
    return _statement_page(seller_id, period, inquiry_form=form)


def _statement_page(seller_id: int, period: str, status: int = 200, *, inquiry_form: InquiryForm | None = None,
                    answer_form: InquiryAnswerForm | None = None, follow_up_form: InquiryFollowUpForm | None = None,
                    form_for: int | None = None):
    """The statement page; the forms given (with their errors, as typed) replace the empty ones,
    `answer_form` / `follow_up_form` on the inquiry `form_for`."""
    st = commissions_statements.statement(current_user, seller_id, period, page_size=STATEMENT_PAGE,
                                          after=request.args.get("after"), kind=request.args.get("kind"))
    asked = inquiries.statement_inquiries(current_user, seller_id, st.period)
    # the plan is named to everyone who sees the statement (printed too), linked only for the
    # roles its page admits (agents and reps would get 403)
    return render_template("commissions/statement.html", st=st, percent=bp_to_percent,
                           can_open_plan=current_user.role in plan.allowed_roles, order_kinds=ORDER_KIND_LABELS,
                           inquiries=asked, inquiry_lines=inquiries.lines_of(asked),
                           asked_lines={i.ledger_line_id for i in asked if i.ledger_line_id},
                           may_raise=inquiries.may_raise(current_user),
                           may_answer=lambda item: inquiries.may_answer(current_user, item),
                           inquiry_form=inquiry_form or InquiryForm(formdata=None),
                           answer_form=answer_form or InquiryAnswerForm(formdata=None),
                           follow_up_form=follow_up_form or InquiryFollowUpForm(formdata=None), form_for=form_for,
                           line_url=_line_url), status


def _line_url(line) -> str:
    """The statement page showing `line` first in its lines (the keyset cursor just before it, its
    kind only)."""
    kind = commissions_statements.kind_of(line)
    return url_for("commissions.statement", seller_id=line.payee_id, period=line.period, kind=kind,
                   after=f"{kind}~{line.id - 1}", _anchor="statement-lines")


@bp.route("/statements/<int:seller_id>/<period>/inquiries", methods=["POST"])
@allow(*inquiries.RAISERS)
def raise_inquiry(seller_id: int, period: str):
    """A question on this statement; a missing or too long text, an unreadable line number or a
    line not on this statement re-render the page (400) with the error beside its field and
    everything as typed. Outside the user's scope: 404, as the statement."""
    form = InquiryForm()
    if form.validate_on_submit():
        try:
            asked = inquiries.raise_inquiry(current_user, seller_id, period, form.question.data,
                                            form.ledger_line_id.data)
        except DomainError as error:
            if error.status != 400 or error.field not in ("question", "ledger_line_id"):
                raise
            _field_error(form, error)
        else:
            flash(_("已提交疑问，财务或渠道经理答复后会显示在这里。"), "success")
            return redirect(url_for("commissions.statement", seller_id=seller_id, period=asked.period,
                                    _anchor=f"inquiry-{asked.id}"))
    return _statement_page(seller_id, period, 400, inquiry_form=form)


def _field_error(form, error: DomainError) -> None:
    field = getattr(form, error.field or "", None) or next(iter(form))
    field.errors = list(field.errors) + [error_text(error)]


def _inquiry_step(inquiry_id: int, form, step, form_name: str | None = None):
    """Answer, follow up or close `inquiry_id` with `form` (`step()` calls the service): a text the
    rules refuse re-renders the statement (400) with the error beside the text, as typed; an
    action its status no longer allows (answered meanwhile) says so on the statement."""
    item = require_inquiry(current_user, inquiry_id)  # 404 before anything is read
    back = url_for("commissions.statement", seller_id=item.payee_id, period=item.period, _anchor=f"inquiry-{item.id}")
    if form.validate_on_submit():
        try:
            step()
        except DomainError as error:
            if error.status == 409:
                flash(error_text(error), "warning")
                return redirect(back)
            if error.status != 400:
                raise
            _field_error(form, error)
        else:
            return redirect(back)
    return _statement_page(item.payee_id, item.period, 400, form_for=item.id, **({form_name: form} if form_name else {}))


@bp.route("/inquiries/<int:inquiry_id>/answer", methods=["POST"])
@allow(*inquiries.ANSWERERS)
def answer_inquiry(inquiry_id: int):
    form = InquiryAnswerForm()
    return _inquiry_step(inquiry_id, form, lambda: inquiries.answer_inquiry(current_user, inquiry_id, form.answer.data),
                         "answer_form")


@bp.route("/inquiries/<int:inquiry_id>/reopen", methods=["POST"])
@allow(*inquiries.RAISERS)
def reopen_inquiry(inquiry_id: int):
    form = InquiryFollowUpForm()
    return _inquiry_step(inquiry_id, form,
                         lambda: inquiries.reopen_inquiry(current_user, inquiry_id, form.follow_up.data), "follow_up_form")


@bp.route("/inquiries/<int:inquiry_id>/close", methods=["POST"])
@allow(*inquiries.RAISERS)
def close_inquiry(inquiry_id: int):
    return _inquiry_step(inquiry_id, FlaskForm(), lambda: inquiries.close_inquiry(current_user, inquiry_id))


@bp.route("/inquiries/<int:inquiry_id>")
@allow(ANY_USER)
def inquiry(inquiry_id: int):
    """An inquiry is shown on its statement: there, at its place (404 outside the user's scope)."""
    item = require_inquiry(current_user, inquiry_id)
    return redirect(url_for("commissions.statement", seller_id=item.payee_id, period=item.period,
                            _anchor=f"inquiry-{item.id}"))


INQUIRY_PAGE = 50  # inquiries per page of the inbox


@bp.route("/inquiries")
@allow(ANY_USER)
def inquiry_list():
    """Every inquiry in the user's scope, newest first, filtered by status and month, with the
    counts by status (of the month filtered to, whatever the status filter): finance and managers
    answer from it, an agent or a rep finds its questions (and its downline's) and their answers."""
    status = request.args.get("status") or None
    period = (request.args.get("period") or "").strip() or None
    try:
        counts = inquiries.status_counts(current_user, period=period)
        rows, cursor = inquiries.inquiries_page(current_user, before_id=decode_id_cursor(request.args.get("after")),
                                                size=INQUIRY_PAGE, status=status, period=period)
    except DomainError as error:
        flash(error_text(error), "danger")
        status = period = None
        counts = inquiries.status_counts(current_user)
        rows, cursor = inquiries.inquiries_page(current_user, size=INQUIRY_PAGE)
        code = 400
    else:
        code = 200
    return render_template("commissions/inquiries.html", rows=rows, cursor=cursor, counts=counts, status=status,
                           period=period, inquiry_lines=inquiries.lines_of(rows), line_url=_line_url,
                           answers=current_user.role in inquiries.ANSWERERS), code


@bp.route("/inquiries/export.<fmt>")
@allow(ANY_USER)
def inquiry_list_export(fmt: str):
    """The inbox's inquiries with its filters, every page; a bad status or month is 400."""
    from flask import get_template_attribute

    from channel.exchange.downloads import download
    from channel.services import exports

    status_label = get_template_attribute("commissions/_labels.html", "inquiry_status")
    try:
        rows = exports.inquiry_rows(current_user._get_current_object(), status=request.args.get("status") or None,
                                    period=(request.args.get("period") or "").strip() or None,
                                    label=lambda status: str(status_label(status)))
    except DomainError:
        return Response(_("筛选条件有误。"), status=400, mimetype="text/plain")
    return download([translate(c) for c in exports.INQUIRY_COLUMNS], rows, fmt, "statement-inquiries")


@bp.route("/statements/<int:seller_id>/<period>/csv")
@allow(ANY_USER)
def statement_csv(seller_id: int, period: str):
    st = commissions_statements.statement(current_user, seller_id, period)
    return Response(commissions_statements.statement_csv(st), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=statement-{st.seller.code}-{st.period}.csv"})


@bp.route("/statements/<int:seller_id>/<period>/xlsx")
@allow(ANY_USER)
def statement_xlsx(seller_id: int, period: str):
    """The statement's lines as XLSX, as people read them: translated headers and kinds, yuan,
    percentages; the same lines and total as the CSV (which stays a reconciliation format)."""
    from flask import get_template_attribute

    from channel.exchange.downloads import download

    st = commissions_statements.statement(current_user, seller_id, period)
    kind_label = get_template_attribute("commissions/_labels.html", "kind_label")
    line_notes = get_template_attribute("commissions/_labels.html", "line_notes")
    rows = commissions_statements.statement_sheet_rows(st, lambda kind: str(kind_label(kind)), _("合计"),
                                                       lambda item: line_notes(item).unescape())
    return download([translate(c) for c in commissions_statements.STATEMENT_SHEET_COLUMNS], rows, "xlsx",
                    f"statement-{st.seller.code}-{st.period}")
