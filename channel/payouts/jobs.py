"""Job kinds of the payouts feature: a batch's bank or payroll file (docs/jobs.md)."""
from __future__ import annotations

import os
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from channel.domain.errors import DomainError, N_
from channel.domain.paging import decode_id_cursor
from channel.services.jobs import JobContext, job_kind
from models.users import ROLE_ADMIN, ROLE_FINANCE

FORMATS = ("csv", "xlsx")


def export_path(job_id: int, fmt: str) -> Path:
    return Path(current_app.config["EXPORT_DIR"]) / f"job-{job_id}-payout.{fmt}"


def describe(params: dict) -> str:
    """"付款批次 #3 · 银行付款文件（代理） · XLSX"."""
    from flask_babel import gettext as _

    from channel.payouts.forms import FILE_LABELS

    file = params.get("file")
    return " · ".join([_("付款批次 #%(id)s", id=params.get("batch_id") or "?"),
                       str(FILE_LABELS[file]) if file in FILE_LABELS else str(file or "?"),
                       str(params.get("fmt") or "?").upper()])


@job_kind("payouts.export", roles=(ROLE_FINANCE, ROLE_ADMIN), label=N_("导出付款文件"), timeout=3600, describe=describe)
def export_payout_file(job: JobContext) -> dict:
    """Params: batch_id, file ('bank' | 'payroll'), fmt ('csv' | 'xlsx'). The file is written
    under a temporary name; then the batch moves approved → exported (one commit, as from the
    page; an exported or paid batch is only audited as downloaded again); then the file is
    renamed into place. Killed before that commit: the batch is unchanged and no file shows;
    after it: the batch is exported and a re-run writes the file again."""
    from channel.services import payouts, payouts_export
    from models import db
    from models.payouts import BATCH_APPROVED, BATCH_EXPORTED, BATCH_PAID, PayoutRow
    from models.tree import PAYEE_COMPANY, PAYEE_EMPLOYEE, PAYEE_INDIVIDUAL

    p = job.params
    file, fmt = p.get("file"), p.get("fmt")
    batch_id = decode_id_cursor(str(p.get("batch_id", "")))  # an id a row can have ("²", 2**63: none)
    if file not in payouts_export.FILES or fmt not in FORMATS or not batch_id:
        raise DomainError(N_("任务参数无效。"), field="params")
    batch = payouts.get_batch(batch_id)
    if batch.status not in (BATCH_APPROVED, BATCH_EXPORTED, BATCH_PAID):
        payouts.start_export(batch.id, job.actor_id)  # refuses with the reason (draft, cancelled, ...)
    types = (PAYEE_EMPLOYEE,) if file == payouts_export.PAYROLL else (PAYEE_COMPANY, PAYEE_INDIVIDUAL)
    rows = db.session.scalar(select(func.count()).select_from(PayoutRow).where(
        PayoutRow.batch_id == batch.id, PayoutRow.status.in_(payouts_export.EXPORTED_ROWS),
        PayoutRow.payee_type.in_(types)))
    job.progress(0, rows, "rows")
    target = export_path(job.job_id, fmt)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    try:
        with open(partial, "wb") as out:
            if fmt == "csv":
                written = 0
                for chunk in payouts_export.csv_chunks(batch.id, file):
                    out.write(chunk)
                    written = min(rows, written + payouts_export.CHUNK_ROWS)
                    job.progress(written, rows, "rows")
            else:
                payouts_export.write_xlsx(batch.id, file, out)
        batch = payouts.start_export(batch.id, job.actor_id)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    job.progress(rows, rows, "rows")
    return {"batch_id": batch.id, "file": target.name, "fmt": fmt, "rows": rows,
            "download_name": payouts_export.filename(batch, file, fmt)}
