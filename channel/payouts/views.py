"""Pages of the payouts feature: batches for finance, payout history and remittance advice for
payees. Views parse forms and call `channel.services.payouts`. A refused action of the batch
page (bad input, or a DomainError of a row's invoice or hold, a cancellation, a bank result)
re-renders the batch page with its status (400/409) and the message in place, nothing saved;
other refusals are answered by the app's error handler with their status and message."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from channel.domain.errors import DomainError, N_
from channel.domain.money import parse_amount_fen
from channel.domain.paging import decode_id_cursor
from channel.domain.payouts import paid_fen, reference
from channel.i18n import error_text, translate, withholding_note
from channel.payouts import labels
from channel.payouts.forms import (
    ActionForm, BankResultForm, CancelForm, CreateBatchForm, ExportForm, HoldForm, InvoiceForm,
)
from channel.permissions import allow
from channel.services import commissions_inquiries, jobs, payouts
from channel.services.access import require_job, require_payout_row
from models import db
from models.users import ROLE_ADMIN, ROLE_AGENT, ROLE_FINANCE, ROLE_SALES_REP

bp = Blueprint("payouts", __name__)
bp.add_app_template_global(labels.batch_status_label, "payout_batch_status")  # templates/payouts/_labels.html
bp.add_app_template_global(labels.row_status_label, "payout_row_status")
bp.add_app_template_global(labels.event_label, "payout_event_label")
bp.add_app_template_global(labels.event_note, "payout_event_note")  # a bank result's counts, translated
bp.add_app_template_global(paid_fen, "payout_paid_fen")  # 实付 of a row: 0 unless the batch pays it

STAFF = (ROLE_FINANCE, ROLE_ADMIN)
PAYEES = (ROLE_AGENT, ROLE_SALES_REP)
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Navigation entries this feature adds to the top bar: (endpoint, label msgid, roles or None for all).
NAV: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("payouts.index", N_("付款批次"), STAFF),
    ("payouts.mine", N_("我的付款"), PAYEES),
]


def _form_refused(form) -> DomainError:
    return DomainError(N_("请检查输入：%(errors)s"), errors=_form_errors(form))


@bp.route("/payouts")
@allow(*STAFF)
def index():
    return _index(CreateBatchForm())


def _index(form, status: int = 200):
    return render_template("payouts/index.html", form=form, batches=payouts.batches(),
                           holds=payouts.active_payee_holds(), default_minimum=payouts.minimum_fen()), status


@bp.route("/payouts/batches/export.<fmt>")
@allow(*STAFF)
def export_batches(fmt: str):
    """The batch list as CSV or XLSX, every batch (filters `status`, `period` YYYY-MM)."""
    from channel.domain.periods import Month
    from channel.exchange.downloads import download
    from channel.services import exports
    from models.payouts import BATCH_STATUSES

    status, period = request.args.get("status") or None, request.args.get("period") or None
    try:
        period = str(Month.parse(period)) if period else None
    except (DomainError, ValueError):
        return Response(_("筛选条件有误。"), status=400, mimetype="text/plain")
    if status is not None and status not in BATCH_STATUSES:
        return Response(_("筛选条件有误。"), status=400, mimetype="text/plain")
    rows = exports.payout_batch_rows(current_user._get_current_object(), status, period)
    return download([_(c) for c in exports.PAYOUT_BATCH_COLUMNS], rows, fmt, "payout-batches")


@bp.route("/payouts/holds/export.<fmt>")
@allow(*STAFF)
def holds_export(fmt: str):
    """The payees on hold (not released), as the payouts page lists them."""
    from channel.exchange.downloads import download
    from channel.services import exports

    rows = exports.hold_rows(current_user._get_current_object())
    return download([_(c) for c in exports.HOLD_COLUMNS], rows, fmt, "payee-holds")


@bp.route("/payouts/batches", methods=["POST"])
@allow(*STAFF)
def create():
    form = CreateBatchForm()
    if not form.validate_on_submit():
        return _index(form, 400)
    try:
        minimum = parse_amount_fen(form.minimum.data, "minimum") if (form.minimum.data or "").strip() else None
        batch = payouts.create_batch(form.period.data, current_user.id, minimum=minimum)
    except DomainError as error:
        field = getattr(form, error.field or "period", form.period)
        field.errors.append(error_text(error))
        return _index(form, error.status)
    flash(_("已生成付款批次草稿。"), "success")
    return redirect(url_for("payouts.batch", batch_id=batch.id))


@bp.route("/payouts/batches/<int:batch_id>")
@allow(*STAFF)
def batch(batch_id: int):
    return _batch_page(batch_id)


def _batch_page(batch_id: int, code: int = 200, refused: dict | None = None, **forms):
    """The batch page; after a refused action, with `code` and `refused` (message, and the row
    and form it concerns: row_id, payee, form 'invoice' | 'hold', the value typed) shown in place."""
    if refused is not None:
        db.session.rollback()  # nothing of the refused action is kept
    batch = payouts.get_batch(batch_id)
    status = request.args.get("status") or None
    rows = payouts.batch_rows(batch_id, after=decode_id_cursor(request.args.get("after")), size=100, status=status)
    blank = {name: form(formdata=None) for name, form in (
        ("action_form", ActionForm), ("cancel_form", CancelForm), ("export_form", ExportForm),
        ("invoice_form", InvoiceForm), ("hold_form", HoldForm), ("result_form", BankResultForm))}
    asked = commissions_inquiries.unsettled_by_payee(current_user, [row.payee_id for row in rows], up_to=batch.period)
    return render_template(
        "payouts/batch.html", batch=batch, rows=rows, status=status, asked=asked,
        next_after=rows[-1].id if len(rows) == 100 else None,
        counts=payouts.row_counts(batch_id), check=payouts.reconcile(batch_id), events=payouts.events(batch_id),
        reference=reference, refused=refused, **(blank | forms),
    ), code


def _form_errors(form) -> str:
    return "; ".join(str(e) for errors in form.errors.values() for e in errors)


ROW_FIELDS = {"invoice": "invoice_no", "hold": "reason"}  # a row's form on the batch page → its field


def _row_refused(row, form_name: str, form, error: DomainError | None = None):
    """Back on the row's batch page: the message beside the row's field (and atop the page)."""
    message = error_text(error) if error is not None else _form_errors(form)
    field = getattr(form, ROW_FIELDS[form_name])
    refused = dict(message=message, row_id=row.id, payee=f"{row.payee_name} ({row.payee_code})", form=form_name,
                   value=(field.data or "")[:300])
    return _batch_page(row.batch_id, error.status if error is not None else 400, refused)


@bp.route("/payouts/batches/<int:batch_id>/rows.<fmt>")
@allow(*STAFF)
def batch_rows_export(batch_id: int, fmt: str):
    """The batch's rows as the page lists them (filter `status`), every page; read-only (the
    payout file for the bank is the POST export, which moves the batch)."""
    from channel.exchange.downloads import download
    from channel.services import exports
    from models.payouts import ROW_STATUSES

    status = request.args.get("status") or None
    if status is not None and status not in ROW_STATUSES:
        return Response(_("筛选条件有误。"), status=400, mimetype="text/plain")
    rows = exports.payout_row_rows(current_user._get_current_object(), batch_id, status)
    return download([translate(c) for c in exports.PAYOUT_ROW_COLUMNS], rows, fmt, f"payout-batch-{batch_id}-rows")


def _done(batch_id: int, message: str):
    flash(message, "success")
    return redirect(url_for("payouts.batch", batch_id=batch_id))


@bp.route("/payouts/batches/<int:batch_id>/submit", methods=["POST"])
@allow(*STAFF)
def submit(batch_id: int):
    _valid(ActionForm())
    payouts.submit(batch_id, current_user.id)
    return _done(batch_id, _("已提交审批。"))


@bp.route("/payouts/batches/<int:batch_id>/approve", methods=["POST"])
@allow(*STAFF)
def approve(batch_id: int):
    _valid(ActionForm())
    payouts.approve(batch_id, current_user.id)
    return _done(batch_id, _("已审批；该期间已锁定。"))


@bp.route("/payouts/batches/<int:batch_id>/cancel", methods=["POST"])
@allow(*STAFF)
def cancel(batch_id: int):
    form = CancelForm()
    if not form.validate_on_submit():
        return _batch_page(batch_id, 400, dict(message=_form_errors(form)), cancel_form=form)
    try:
        payouts.cancel(batch_id, current_user.id, form.reason.data)
    except DomainError as error:
        if error.field == "reason":
            form.reason.errors.append(error_text(error))
        return _batch_page(batch_id, error.status, dict(message=error_text(error)), cancel_form=form)
    return _done(batch_id, _("批次已取消，其佣金明细可进入下一批。"))


@bp.route("/payouts/batches/<int:batch_id>/pay", methods=["POST"])
@allow(*STAFF)
def pay(batch_id: int):
    _valid(ActionForm())
    payouts.mark_paid(batch_id, current_user.id)
    return _done(batch_id, _("已标记为已付款。"))


@bp.route("/payouts/batches/<int:batch_id>/bank-result", methods=["POST"])
@allow(*STAFF)
def bank_result(batch_id: int):
    form = BankResultForm()
    if not form.validate_on_submit():
        return _batch_page(batch_id, 400, dict(message=_form_errors(form)), result_form=form)
    raw = form.file.data.read(20 * 1024 * 1024)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")  # banks in China often write GBK
    try:
        outcome = payouts.apply_bank_result(batch_id, current_user.id, text)
    except DomainError as error:
        form.file.errors.append(error_text(error))
        return _batch_page(batch_id, error.status, dict(message=error_text(error)), result_form=form)
    return _done(batch_id, _("银行结果已导入：成功 %(paid)s 笔，失败 %(failed)s 笔，待定 %(remaining)s 笔。",
                             paid=outcome.paid, failed=outcome.failed, remaining=outcome.remaining))


@bp.route("/payouts/batches/<int:batch_id>/export", methods=["POST"])
@allow(*STAFF)
def export(batch_id: int):
    """The bank or payroll file is a background job (`payouts.export`): the job page shows its
    progress, then the download link."""
    form = _valid(ExportForm())
    payouts.get_batch(batch_id)  # 404 now rather than a failed job
    job = jobs.submit("payouts.export", {"batch_id": batch_id, "file": form.file.data, "fmt": form.fmt.data},
                      current_user)
    return redirect(url_for("ops.job", job_id=job.id))


@bp.route("/payouts/jobs/<int:job_id>/download")
@allow(*STAFF)
def export_download(job_id: int):
    """The file a `payouts.export` job wrote, to the user who ran it (or an administrator)."""
    from channel.payouts.jobs import export_path

    job = require_job(current_user, job_id)
    result = job.result or {}
    if job.kind != "payouts.export" or job.status != "done" or not export_path(job.id, result.get("fmt", "")).exists():
        abort(404)
    mimetype = "text/csv" if result["fmt"] == "csv" else XLSX_MIMETYPE
    return send_file(export_path(job.id, result["fmt"]), mimetype=mimetype, as_attachment=True,
                     download_name=result["download_name"])


@bp.route("/payouts/rows/<int:row_id>/invoice", methods=["POST"])
@allow(*STAFF)
def invoice(row_id: int):
    return _row_action(row_id, "invoice", InvoiceForm(), payouts.record_invoice, _("已登记发票。"))


@bp.route("/payouts/rows/<int:row_id>/hold", methods=["POST"])
@allow(*STAFF)
def hold(row_id: int):
    return _row_action(row_id, "hold", HoldForm(), payouts.hold_row, _("已暂扣该收款方的付款。"))


def _row_action(row_id: int, form_name: str, form, action, done: str):
    """A row's invoice or hold (`action(row_id, actor_id, text)`): done → the batch page with
    `done`; refused (bad input or a DomainError) → the batch page with the message in place."""
    row = payouts.get_row(row_id)
    if not form.validate_on_submit():
        return _row_refused(row, form_name, form)
    try:
        action(row.id, current_user.id, getattr(form, ROW_FIELDS[form_name]).data)
    except DomainError as error:
        return _row_refused(row, form_name, form, error)
    return _done(row.batch_id, done)


@bp.route("/payouts/holds/<int:hold_id>/release", methods=["POST"])
@allow(*STAFF)
def release(hold_id: int):
    _valid(ActionForm())
    payouts.release_payee_hold(hold_id, current_user.id)
    flash(_("暂扣已解除，下一批次将包含其余额。"), "success")
    return redirect(url_for("payouts.index"))


@bp.route("/payouts/rows/<int:row_id>")
@allow(ROLE_FINANCE, ROLE_ADMIN, ROLE_AGENT, ROLE_SALES_REP)
def row(row_id: int):
    """A payout's remittance advice (printable): composition, withholding, bank reference."""
    row = require_payout_row(current_user, row_id)
    lines = payouts.composition(row)
    return render_template("payouts/row.html", row=row, lines=lines, periods=payouts.by_period(lines),
                           reference=reference(row.batch_id, row.id), tax_note=withholding_note(row.tax_note))


@bp.route("/payouts/mine")
@allow(*PAYEES)
def mine():
    return render_template("payouts/mine.html", rows=payouts.payee_history(current_user.seller_id))


@bp.route("/payouts/mine/export.<fmt>")
@allow(*PAYEES)
def mine_export(fmt: str):
    from channel.exchange.downloads import download
    from channel.services import exports

    rows = exports.my_payout_rows(current_user._get_current_object(), status_label=labels.row_status_label)
    return download([_(c) for c in exports.MY_PAYOUT_COLUMNS], rows, fmt, "my-payouts")


def _valid(form):
    if not form.validate_on_submit():
        raise _form_refused(form)
    return form
