"""Job kinds of the exchange feature: importing an uploaded file (docs/jobs.md, docs/imports.md)."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from flask import current_app

from channel.domain.errors import DomainError, N_
from channel.services.jobs import JobContext, job_kind
from models.users import ROLE_ADMIN, ROLE_FINANCE, ROLE_MANAGER

IMPORT_ROLES = (ROLE_ADMIN, ROLE_MANAGER, ROLE_FINANCE)
UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def store_upload(storage) -> str:
    """Save an uploaded file (a werkzeug FileStorage) under a new random name in UPLOAD_DIR;
    returns that name, the `upload` param of an `exchange.import` job."""
    ext = ".xlsx" if (storage.filename or "").lower().endswith(".xlsx") else ".csv"
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex + ext
    storage.save(str(folder / name))
    return name


def describe(params: dict) -> str:
    """The import kind and the user's name for the file: "客户 · customers.csv"."""
    from flask_babel import gettext as _

    from channel.services.imports import IMPORT_KINDS

    kind = IMPORT_KINDS.get(str(params.get("kind") or ""))
    parts = [_(kind.label) if kind else str(params.get("kind") or "")]
    if params.get("filename"):
        parts.append(str(params["filename"]))
    return " · ".join(p for p in parts if p)


def upload_gone(params: dict) -> str | None:
    """An import runs again only from its upload, which a finished run removes: then it asks
    for the file again (a killed or failed run keeps it, and runs again)."""
    name = str(params.get("upload") or "")
    if UPLOAD_NAME.match(name) and (upload_folder() / name).exists():
        return None
    return N_("上传的文件已经导入完毕并从服务器上删除；要再次导入请重新上传文件。")


@job_kind("exchange.import", roles=IMPORT_ROLES, label=N_("导入文件"), timeout=3 * 3600, describe=describe,
          rerun_refusal=upload_gone)
def import_upload(job: JobContext) -> dict:
    """Params: upload (the stored name from `store_upload`), kind (an import kind), filename
    (the user's name for the file). `imports.import_file` checks every row, then writes all of
    them or none, and records the run, in one transaction: killed midway, nothing is stored and
    the upload is still there for a re-run; natural keys make a re-run after success a no-op.
    A rejected file is a finished job too: its result links to the run's per-row report."""
    from channel.services import imports

    params = job.params
    name = str(params.get("upload") or "")
    path = upload_folder() / name
    if not UPLOAD_NAME.match(name):
        raise DomainError(N_("任务参数无效。"), field="upload")
    if not path.exists():
        raise DomainError(N_("上传的文件已不在服务器上，请重新上传。"), field="upload")
    imports.get_kind(str(params.get("kind") or ""))

    def progress(phase: str, done: int, total: int) -> None:
        # the check reads every row, then the write: shown as one bar of twice the rows
        job.progress(done + (total if phase == "write" else 0), 2 * total, phase)

    run = imports.import_file(params["kind"], str(path), user_id=job.actor_id,
                              filename=str(params.get("filename") or name), progress=progress)
    try:
        os.remove(path)  # the run is recorded (done or rejected): the upload has served
    except OSError:
        pass
    return {"run_id": run.id, "kind": run.kind, "status": run.status, "total_rows": run.total_rows,
            "inserted": run.inserted, "skipped": run.skipped, "error_count": run.error_count}
