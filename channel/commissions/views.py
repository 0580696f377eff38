"""Pages of the commissions feature: plans (with guardrails explained), runs (post or preview),
statements (printable, CSV). Thin: parse, call a service, map DomainError to the form."""
from __future__ import annotations

from collections import Counter

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from channel.commissions.forms import ORDER_KIND_LABELS, ImportForm, PlanForm, RunForm, UnreadableValues
from channel.domain.commissions import PlanRefused, bp_to_percent
from channel.domain.errors import DomainError
from channel.domain.periods import Month
from channel.i18n import error_text, translate
from channel.permissions import ANY_USER, allow
from channel.services import commissions as plans
from channel.services import commissions_run, commissions_statements, jobs
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
    st = commissions_statements.statement(current_user, seller_id, period, page_size=STATEMENT_PAGE,
                                          after=request.args.get("after"), kind=request.args.get("kind"))
    # the plan is named to everyone who sees the statement (printed too), linked only for the
    # roles its page admits (agents and reps would get 403)
    return render_template("commissions/statement.html", st=st, percent=bp_to_percent,
                           can_open_plan=current_user.role in plan.allowed_roles, order_kinds=ORDER_KIND_LABELS)


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
