"""Pages of the exchange feature: imports (upload → an `exchange.import` job; run page, report,
templates), exports of the lists, API tokens. The JSON API is the nested blueprint in
`channel.exchange.api`."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from channel.domain.errors import DomainError
from channel.exchange import api, labels
from channel.exchange.forms import ImportForm, TokenForm
from channel.exchange.jobs import IMPORT_ROLES, store_upload
from channel.i18n import error_text, request_translations, translate
from channel.permissions import ANY_USER, allow
from channel.services import api_tokens, exports, imports, jobs
from models import db
from models.exchange import ImportRun
from models.users import ROLE_ADMIN

bp = Blueprint("exchange", __name__)
bp.register_blueprint(api.bp)
bp.add_app_template_global(labels.run_status_label, "import_run_status")  # templates/exchange/_run_status.html
bp.add_app_template_global(labels.kind_label, "import_kind_label")


# Navigation entries this feature adds to the top bar: (endpoint, label msgid, roles or None for all).
NAV: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("exchange.imports", "导入", IMPORT_ROLES),
    ("exchange.tokens", "API", None),
]

# ------------------------------------------------------------------------------------- imports

def _kind_choices():
    return [(key, _(kind.label)) for key, kind in imports.IMPORT_KINDS.items()]


def _runs_query():
    return imports.runs_query(current_user)


def _require_run(run_id: int) -> ImportRun:
    """The run, if the user started it (admins see every run); 404 otherwise."""
    run = db.session.scalar(_runs_query().where(ImportRun.id == run_id))
    if run is None:
        abort(404)
    return run


@bp.route("/imports", methods=["GET", "POST"], endpoint="imports")
@allow(*IMPORT_ROLES)
def imports_page():
    """Upload a file: it is stored, then imported by a background job (`exchange.import`,
    RQ with Redis, in-process without); the job page shows the progress, then the outcome."""
    form = ImportForm()
    form.kind.choices = _kind_choices()
    if form.validate_on_submit():
        upload = form.file.data
        name = store_upload(upload)
        job = jobs.submit("exchange.import", {"upload": name, "kind": form.kind.data,
                                              "filename": upload.filename or name}, current_user)
        return redirect(url_for("ops.job", job_id=job.id))
    runs = list(db.session.scalars(_runs_query().limit(20)))
    return render_template("exchange/imports.html", form=form, runs=runs, kinds=imports.IMPORT_KINDS)


@bp.route("/imports/export.<fmt>")
@allow(*IMPORT_ROLES)
def imports_export(fmt: str):
    """The import history the user may see (administrators: every run), every run of it."""
    from channel.exchange.downloads import download

    rows = exports.import_run_rows(current_user._get_current_object(), kind_label=labels.kind_label,
                                   status_label=labels.run_status_label)
    return download([_(c) for c in exports.IMPORT_RUN_COLUMNS], rows, fmt, "imports")


@bp.route("/imports/<int:run_id>")
@allow(*IMPORT_ROLES)
def import_run(run_id: int):
    run = _require_run(run_id)
    return render_template("exchange/import_run.html", run=run, kind=imports.IMPORT_KINDS.get(run.kind),
                           errors=imports.report_rows(run.report_csv, translate=request_translations().ugettext))


@bp.route("/imports/<int:run_id>/report.csv")
@allow(*IMPORT_ROLES)
def import_report(run_id: int):
    run = _require_run(run_id)
    # rendered now, in the viewer's language (the run keeps msgids and their parameters)
    body = ("\ufeff" + imports.rendered_report(run.report_csv, translate=request_translations().ugettext)).encode()
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=import-{run.id}-errors.csv"})


@bp.route("/imports/templates/<kind>.<fmt>")
@allow(*IMPORT_ROLES)
def import_template(kind: str, fmt: str):
    if kind not in imports.IMPORT_KINDS or fmt not in ("csv", "xlsx"):
        abort(404)
    if fmt == "csv":
        return Response(imports.template_csv(kind), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={kind}-template.csv"})
    return Response(imports.template_xlsx(kind),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={kind}-template.xlsx"})


# ------------------------------------------------------------------------------------- exports

def _export_filters(name: str):
    """The list's own filter form and parsing (channel.sales.views), so the export shows
    exactly what the page shows."""
    from channel.sales.forms import ListFilterForm, OrderFilterForm
    from channel.sales.views import _filters

    form = (OrderFilterForm if name == "orders" else ListFilterForm)(request.args)
    filters, unknown = _filters(form)
    if unknown or form.errors:
        abort(400)
    return filters


def _export(name: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    columns, rows_of = exports.EXPORTS[name]
    filters = _export_filters(name)
    header = [translate(c) for c in columns]  # a column word may have a context (NC_)
    rows = rows_of(current_user._get_current_object(), filters)
    if fmt == "csv":
        body, mimetype = exports.csv_chunks(header, rows), "text/csv; charset=utf-8"
    else:
        body = exports.xlsx_chunks(header, rows, name)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(stream_with_context(body), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}.{fmt}"})


@bp.route("/customers/export.<fmt>")
@allow(ANY_USER)
def export_customers(fmt: str):
    return _export("customers", fmt)


@bp.route("/orders/export.<fmt>")
@allow(ANY_USER)
def export_orders(fmt: str):
    return _export("orders", fmt)


@bp.route("/sellers/export.<fmt>")
@allow(ANY_USER)
def export_sellers(fmt: str):
    return _export("sellers", fmt)


# -------------------------------------------------------------------------------------- tokens

@bp.route("/tokens", methods=["GET", "POST"])
@allow(ANY_USER)
def tokens():
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        try:
            _, secret = api_tokens.create_token(current_user, form.name.data)
            form = TokenForm(formdata=None)
        except DomainError as error:
            form.name.errors.append(error_text(error))
    return render_template("exchange/tokens.html", form=form, secret=secret, tokens=api_tokens.tokens_of(current_user))


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@allow(ANY_USER)
def revoke_token(token_id: int):
    api_tokens.revoke_token(current_user, token_id)
    flash(_("令牌已吊销。"), "success")
    return redirect(url_for("exchange.tokens"))
