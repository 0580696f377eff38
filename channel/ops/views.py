"""Pages of the ops feature: the health check, the audit log, background jobs."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from channel.domain.errors import DomainError
from channel.domain.paging import decode_id_cursor
from channel.i18n import error_text, role_name
from channel.ops import job_labels
from channel.ops.forms import ActiveForm, AuditFilterForm, ExportOrdersForm, RerunForm, RoleForm
from channel.permissions import ANY_USER, PUBLIC, allow
from channel.services import audit, jobs, security
from channel.services.access import require_job
from channel.services.users import require_user
from models import db
from models.ops import JOB_DONE, JOB_FINISHED
from models.users import ROLE_ADMIN

bp = Blueprint("ops", __name__)

# Navigation entries this feature adds to the top bar: (endpoint, label msgid, roles or None for all).
NAV: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("ops.job_list", "后台任务", None),
    ("ops.audit_log", "审计日志", (ROLE_ADMIN,)),
    ("ops.users", "用户", (ROLE_ADMIN,)),
]
bp.add_app_template_global(jobs.summary, "job_summary")  # a job's params for people (list, page)
bp.add_app_template_filter(job_labels.readable_json, "readable_json")
bp.add_app_template_global(job_labels.status_label, "job_status_label")  # templates/ops/_status.html
bp.add_app_template_global(job_labels.kind_label, "job_kind_label")  # the job list and page


@bp.route("/healthz")
@allow(PUBLIC)
def healthz():
    """200 when the database answers, 503 otherwise. For load balancers and `make serve-prod`."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        db.session.rollback()
        current_app.logger.error("health check: database unreachable: %s", type(error).__name__)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/audit")
@allow(ROLE_ADMIN)
def audit_log():
    form = AuditFilterForm(request.args)
    rows, next_cursor = [], None
    valid = form.validate()
    if valid:
        rows, next_cursor = audit.events_page(
            action=form.action.data, actor=form.actor.data, object_type=form.object_type.data,
            object_id=form.object_id.data, date_from=form.date_from.data, date_to=form.date_to.data,
            before_id=request.args.get("before", type=decode_id_cursor))
    # a bad filter (a malformed date, a year outside 1900–2999) is shown beside its field, as a 400
    return render_template("ops/audit.html", form=form, rows=rows, next_cursor=next_cursor), 200 if valid else 400


@bp.route("/audit/export.<fmt>")
@allow(ROLE_ADMIN)
def audit_export(fmt: str):
    """The audit events matching the page's filters, every page of them."""
    from channel.exchange.downloads import download
    from channel.services import exports

    form = AuditFilterForm(request.args)
    if not form.validate():
        reasons = "; ".join(f"{form[name].label.text}: {errors[0]}" for name, errors in form.errors.items())
        return Response(_("筛选条件有误。") + (" " + reasons if reasons else ""), status=400, mimetype="text/plain")
    rows = exports.audit_rows(
        current_user._get_current_object(), action=form.action.data, actor=form.actor.data,
        object_type=form.object_type.data, object_id=form.object_id.data, date_from=form.date_from.data,
        date_to=form.date_to.data)
    return download([_(c) for c in exports.AUDIT_COLUMNS], rows, fmt, "audit-log")


@bp.route("/jobs/export.<fmt>")
@allow(ANY_USER)
def job_list_export(fmt: str):
    """The jobs the user may see (administrators: all), every one (the page shows 100)."""
    from channel.exchange.downloads import download
    from channel.services import exports

    return download([_(c) for c in exports.JOB_COLUMNS], exports.job_rows(current_user._get_current_object()), fmt,
                    "jobs")


@bp.route("/jobs")
@allow(ANY_USER)
def job_list():
    rows = db.session.scalars(jobs.visible_jobs(current_user).limit(100)).all()
    return render_template("ops/jobs.html", rows=rows, kinds=jobs.load_kinds(), export_form=ExportOrdersForm())


@bp.route("/jobs/export-orders", methods=["POST"])
@allow(ANY_USER)
def export_orders():
    form = ExportOrdersForm()
    if not form.validate_on_submit():
        rows = db.session.scalars(jobs.visible_jobs(current_user).limit(100)).all()
        return render_template("ops/jobs.html", rows=rows, kinds=jobs.load_kinds(), export_form=form), 400
    params = {"channel": form.channel.data or None,
              "date_from": form.date_from.data.isoformat() if form.date_from.data else None,
              "date_to": form.date_to.data.isoformat() if form.date_to.data else None}
    job = jobs.submit("orders.export", params, current_user)
    return redirect(url_for("ops.job", job_id=job.id))


@bp.route("/jobs/<int:job_id>")
@allow(ANY_USER)
def job(job_id: int):
    job = jobs.reconcile(require_job(current_user, job_id))
    return render_template("ops/job.html", job=job, kind=jobs.load_kinds().get(job.kind),
                           error=jobs.error_message(job), progress=job_labels.display_progress(jobs.live_progress(job)),
                           details=jobs.technical_error(job) if current_user.role == ROLE_ADMIN else None,
                           backend=job_labels.backend_label(job.backend), rerun_form=RerunForm(),
                           rerun_refusal=jobs.rerun_refusal(job) if job.status in JOB_FINISHED else None)


@bp.route("/jobs/<int:job_id>/status")
@allow(ANY_USER)
def job_status(job_id: int):
    """JSON polled by static/js/jobs.js while the job runs."""
    job = jobs.reconcile(require_job(current_user, job_id))
    return jsonify(id=job.id, status=job.status, finished=job.status in JOB_FINISHED,
                   progress=job_labels.display_progress(jobs.live_progress(job)), result=job.result,
                   error=jobs.error_message(job))


@bp.route("/jobs/<int:job_id>/rerun", methods=["POST"])
@allow(ANY_USER)
def job_rerun(job_id: int):
    job = require_job(current_user, job_id)
    if not RerunForm().validate_on_submit():
        abort(400)
    try:
        again = jobs.rerun(job, current_user)
    except DomainError as error:
        flash(error_text(error), "error")
        return redirect(url_for("ops.job", job_id=job.id))
    flash(_("任务已重新提交。"), "info")
    return redirect(url_for("ops.job", job_id=again.id))


@bp.route("/jobs/<int:job_id>/download")
@allow(ANY_USER)
def job_download(job_id: int):
    from channel.ops.jobs import export_path

    job = require_job(current_user, job_id)
    if job.kind != "orders.export" or job.status != JOB_DONE or not export_path(job.id).exists():
        abort(404)
    return send_file(export_path(job.id), mimetype="text/csv", as_attachment=True,
                     download_name=f"orders-{job.id}.csv")


@bp.route("/users")
@allow(ROLE_ADMIN)
def users():
    return users_page()


def users_page(refused: dict | None = None, new_user_form=None, reset_refused: dict | None = None):
    """The users page; `refused` is a role change refused (user_id, the role and seller code as
    typed, the field at fault, the reason): that row shows what was typed and why, with 400;
    `new_user_form` a refused new user (its field errors, 400), `reset_refused` a refused
    password reset (user_id, reason: on that row, 400). Accounts: channel/ops/accounts.py."""
    from channel.ops.forms import NewUserForm, ResetPasswordForm
    from channel.services.users import users_query

    rows = db.session.scalars(users_query()).all()
    page = render_template("ops/users.html", rows=rows, role_form=RoleForm(formdata=None), active_form=ActiveForm(),
                           confirm=RerunForm(), refused=refused,
                           new_user_form=new_user_form or NewUserForm(formdata=None),
                           reset_form=ResetPasswordForm(formdata=None), reset_refused=reset_refused)
    return (page, 400) if refused or new_user_form or reset_refused else page


@bp.route("/users/export.<fmt>")
@allow(ROLE_ADMIN)
def users_export(fmt: str):
    from channel.exchange.downloads import download
    from channel.services import exports

    return download([_(c) for c in exports.USER_COLUMNS], exports.user_rows(current_user._get_current_object()), fmt,
                    "users")


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@allow(ROLE_ADMIN)
def user_role(user_id: int):
    user = require_user(user_id)
    form = RoleForm()
    typed = {"user_id": user.id, "role": form.role.data, "seller": form.seller.data or ""}
    if not form.validate_on_submit():
        if form.seller.errors:
            return users_page(dict(typed, field="seller", reason=form.seller.errors[0]))
        return users_page(dict(typed, field="role", reason=_("请选择一个角色。")))
    try:
        security.set_role(current_user.id, user.username, form.role.data, form.seller.data or None)
    except DomainError as error:
        return users_page(dict(typed, field=error.field or "role", reason=error_text(error)))
    flash(_("%(username)s 的角色已改为 %(role)s；其登录已失效。", username=user.username,
            role=role_name(form.role.data)), "success")
    return redirect(url_for("ops.users"))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@allow(ROLE_ADMIN)
def user_active(user_id: int):
    user = require_user(user_id)
    form = ActiveForm()
    if form.validate_on_submit():
        try:
            security.set_active(current_user.id, user.username, form.active.data == "1")
        except DomainError as error:
            flash(f"{user.username}: {error_text(error)}", "error")
    return redirect(url_for("ops.users"))


@bp.route("/users/<int:user_id>/logout-everywhere", methods=["POST"])
@allow(ROLE_ADMIN)
def user_logout_everywhere(user_id: int):
    user = require_user(user_id)
    if RerunForm().validate_on_submit():
        security.log_out_everywhere(user.id, actor_id=current_user.id)
        flash(_("%(username)s 的所有登录已失效。", username=user.username), "info")
    return redirect(url_for("ops.users"))
