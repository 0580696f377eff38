"""Background jobs: RQ on Redis when REDIS_URL is set, in-process otherwise (docs/jobs.md).

    jobs.submit("orders.export", {"date_from": "2026-10-01"}, current_user)  -> Job (queued)

A job kind is a use case registered with `@job_kind(name, roles=..., label=...)` in a module
`channel/<feature>/jobs.py` (imported by `load_kinds`). Its function takes a `JobContext`
(params, actor, `progress(done, total, note)`) and returns a JSON-able dict, the job's result.

Transaction contract: a kind's work is ONE transaction — it commits once (like every service)
or not at all (then its writes commit together with the job's 'done' row). A worker killed
midway therefore leaves nothing partial: the database rolls the open transaction back, the job
row stays 'running' until `recover_interrupted` marks it 'interrupted', and `rerun` submits it
again. Kinds must refuse or redo cleanly when run twice (e.g. "the period already has a run").

Live progress is not written to the database (the job's own write transaction is open, and on
SQLite a second writer would wait for it): it lives in this process's memory (inline) or in the
RQ job's meta in Redis, and the job page polls it.
"""
from __future__ import annotations

from pathlib import Path

import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Callable

from flask import current_app, has_app_context
from sqlalchemy import select

from channel.domain.errors import DomainError, Forbidden, N_, NotFound
from models import db, utcnow
from models.ops import (JOB_DONE, JOB_FAILED, JOB_FINISHED, JOB_INTERRUPTED, JOB_QUEUED, JOB_RUNNING, Job)
from models.users import ROLES, User

log = logging.getLogger("qudao.jobs")


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable[["JobContext"], dict | None]
    roles: frozenset[str]
    label: str  # a msgid shown in the job list
    timeout: int = 3600  # seconds before RQ kills it
    describe: Callable[[dict], str] | None = None  # params -> a short translated summary (job list, page)
    # params -> None when a finished job can run again with them, else why not (a msgid)
    rerun_refusal: Callable[[dict], str | None] | None = None


KINDS: dict[str, JobKind] = {}


class QueueUnavailable(DomainError):
    status = 503


def job_kind(name: str, *, roles: tuple[str, ...] | frozenset[str] = tuple(ROLES), label: str, timeout: int = 3600,
             describe: Callable[[dict], str] | None = None, rerun_refusal: Callable[[dict], str | None] | None = None):
    """Register the decorated function as the job kind `name`, which users of `roles` may submit.
    `describe(params)` returns the job's parameters as a short text for people, translated at
    call time ("期间 2026-10 · 预览"); see `summary`."""
    def decorate(fn):
        KINDS[name] = JobKind(name, fn, frozenset(roles), label, timeout, describe, rerun_refusal)
        return fn

    return decorate


def load_kinds() -> dict[str, JobKind]:
    """Import every feature's `jobs` module so that its kinds are registered."""
    from importlib import import_module
    from importlib.util import find_spec

    from app import FEATURES

    for feature in FEATURES:
        if find_spec(f"channel.{feature}.jobs") is not None:
            import_module(f"channel.{feature}.jobs")
    return KINDS


@dataclass
class JobContext:
    job_id: int
    params: dict
    actor_id: int | None
    backend: str
    _live: dict = field(default_factory=dict, repr=False)

    @property
    def actor(self) -> User | None:
        return db.session.get(User, self.actor_id) if self.actor_id else None

    def progress(self, done: int, total: int | None = None, note: str = "") -> None:
        """Report progress (done of total units, and a short note). Cheap; call it often."""
        data = {"done": int(done), "total": None if total is None else int(total), "note": note[:200]}
        if self.backend == "rq":
            from rq import get_current_job

            rq_job = get_current_job()
            if rq_job is not None:
                rq_job.meta["progress"] = data
                rq_job.save_meta()
                return
        _LIVE[self.job_id] = data


_LIVE: dict[int, dict] = {}  # job id -> progress, for jobs running in this process


def backend_name() -> str:
    return "rq" if current_app.config.get("REDIS_URL") else "inline"


def redis_connection():
    from redis import Redis

    return Redis.from_url(current_app.config["REDIS_URL"])


def queue():
    from rq import Queue

    return Queue(current_app.config["JOBS_QUEUE"], connection=redis_connection())


def submit(kind: str, params: dict | None, user: User | None, *, rerun_of_id: int | None = None) -> Job:
    """Record a job and start it (enqueue on RQ, or run in-process). Raises DomainError for an
    unknown kind or params that are not JSON, Forbidden when `user`'s role may not run it.
    `user` None is the system (CLI)."""
    spec = load_kinds().get(kind)
    if spec is None:
        raise DomainError(N_("没有这种任务：%(kind)s。"), field="kind", kind=kind)
    if user is not None and user.role not in spec.roles:
        raise Forbidden(N_("您的角色无权执行此操作。"))
    params = dict(params or {})
    try:
        json.dumps(params)
    except (TypeError, ValueError):
        raise DomainError(N_("任务参数无效。"), field="params") from None
    job = Job(kind=kind, params=params, status=JOB_QUEUED, backend=backend_name(),
              created_by_id=user.id if user is not None else None, rerun_of_id=rerun_of_id, attempts=0)
    db.session.add(job)
    db.session.commit()
    _dispatch(job, spec)
    return job


def _dispatch(job: Job, spec: JobKind) -> None:
    if job.backend == "rq":
        try:
            rq_job = queue().enqueue_call("channel.services.jobs.work", args=(job.id,), timeout=spec.timeout,
                                          result_ttl=24 * 3600, failure_ttl=7 * 24 * 3600,
                                          description=f"{job.kind} #{job.id}")
        except Exception as error:  # noqa: BLE001 - Redis down: the job fails visibly, not stuck 'queued'
            log.exception("cannot enqueue job %s", job.id)
            job.status, job.finished_at, job.error = JOB_FAILED, utcnow(), f"{type(error).__name__}: {error}"[:2000]
            db.session.commit()
            raise QueueUnavailable(N_("任务队列暂时不可用，请稍后再试。")) from None
        job.queue_id = rq_job.id
        db.session.commit()
    elif current_app.config.get("JOBS_INLINE") == "sync":
        run(job.id)
    else:
        app = current_app._get_current_object()
        job_id = job.id

        def target():
            with app.app_context():
                try:
                    run(job_id)
                finally:
                    db.session.remove()

        threading.Thread(target=target, name=f"job-{job_id}", daemon=True).start()


def run(job_id: int) -> Job:
    """Run one job here and now: mark it running, call its kind, record 'done' with the result
    or 'failed' with the error. A finished job is left alone."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound(N_("没有这个任务。"))
    if job.status in JOB_FINISHED:
        return job
    spec = load_kinds().get(job.kind)
    job.status, job.started_at, job.attempts = JOB_RUNNING, utcnow(), (job.attempts or 0) + 1
    db.session.commit()
    context = JobContext(job.id, dict(job.params or {}), job.created_by_id, job.backend)
    try:
        if spec is None:
            raise DomainError(N_("没有这种任务：%(kind)s。"), kind=job.kind)
        result = spec.run(context)
    except Exception as error:  # noqa: BLE001 - a job's failure is recorded, never raised to the queue
        db.session.rollback()
        if not isinstance(error, DomainError):
            log.exception("job %s (%s) failed", job_id, spec.name if spec else "?")
        job = db.session.get(Job, job_id)
        job.status, job.finished_at = JOB_FAILED, utcnow()
        job.error = _error_text(error)
        db.session.commit()
    else:
        job = db.session.get(Job, job_id)
        job.status, job.finished_at, job.result = JOB_DONE, utcnow(), result or {}
        db.session.commit()
    finally:
        _LIVE.pop(job_id, None)
    return job


def _error_text(error: Exception) -> str:
    if isinstance(error, DomainError):
        # kept as the message id and its parameters so that the page can translate it
        return json.dumps({"msgid": error.message, "params": error.params}, ensure_ascii=False)
    return f"{type(error).__name__}: {error}"[:2000]


def error_message(job: Job) -> str | None:
    """The job's error for its user: a domain error translated; anything else (its text is in
    `job.error` and the log, for operators) only as "something went wrong"."""
    from flask import has_request_context
    from flask_babel import gettext as translate

    def gettext(msgid, **params):  # outside a request (CLI, worker) the Chinese text
        return translate(msgid, **params) if has_request_context() else (msgid % params if params else msgid)

    if not job.error:
        return None
    try:
        data = json.loads(job.error)
    except ValueError:
        if job.status == JOB_INTERRUPTED:
            return gettext("任务被中断（运行它的进程停止了）。")
        return gettext("出了点问题，我们已记录下来。")
    return gettext(data["msgid"], **data.get("params", {}))


def summary(job: Job) -> str:
    """The job's parameters as its kind describes them for people (translated), or ""."""
    spec = load_kinds().get(job.kind)
    if spec is None or spec.describe is None:
        return ""
    try:
        return spec.describe(dict(job.params or {}))
    except Exception:  # noqa: BLE001 - odd params (an old or hand-made job) must not break the list
        log.warning("cannot describe job %s (%s)", job.id, job.kind, exc_info=True)
        return ""


TRACEBACK_HEAD = "Traceback (most recent call last)"


def technical_error(job: Job) -> str | None:
    """The stored error for administrators: an exception's type and message (or a domain
    error's message id and parameters), never a stack trace — should one have been stored
    (an RQ failure's text), only its last line, the exception, is kept."""
    text = (job.error or "").strip()
    if not text:
        return None
    if TRACEBACK_HEAD in text:
        lines = [line for line in text[text.index(TRACEBACK_HEAD):].splitlines() if line.strip()]
        text = lines[-1].strip() if lines else ""
    return text[:2000] or None


_worker_app = None


def work(job_id: int) -> str:
    """The RQ entry point: run job `job_id` in the current app, or in an app built from the
    environment (a worker started with `rq worker` rather than `flask jobs worker`)."""
    global _worker_app
    if has_app_context():
        return run(job_id).status
    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        try:
            return run(job_id).status
        finally:
            db.session.remove()


def live_progress(job: Job) -> dict | None:
    """The running job's latest progress report, or None."""
    if job.status != JOB_RUNNING:
        return None
    if job.backend == "rq" and job.queue_id and current_app.config.get("REDIS_URL"):
        rq_job = _fetch_rq(job.queue_id)
        return rq_job.meta.get("progress") if rq_job is not None else None
    return _LIVE.get(job.id)


def _fetch_rq(queue_id: str):
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob

    try:
        return RQJob.fetch(queue_id, connection=redis_connection())
    except NoSuchJobError:
        return None


def reconcile(job: Job) -> Job:
    """For a queued or running RQ job whose RQ job died (work horse killed, timeout) or
    vanished: mark it 'interrupted' with the reason. Other jobs are returned unchanged."""
    if job.status in JOB_FINISHED or job.backend != "rq" or not job.queue_id or not current_app.config.get("REDIS_URL"):
        return job
    rq_job = _fetch_rq(job.queue_id)
    status = rq_job.get_status(refresh=True) if rq_job is not None else None
    status = str(getattr(status, "value", status))
    if rq_job is None or status in ("failed", "stopped", "canceled") or (status == "started" and _worker_gone(rq_job)):
        reason = "the RQ job vanished" if rq_job is None else f"RQ job {status}"
        if status == "started":
            reason = f"its worker {rq_job.worker_name} stopped sending heartbeats"
        if rq_job is not None and rq_job.latest_result() is not None and rq_job.latest_result().exc_string:
            reason = rq_job.latest_result().exc_string.strip().splitlines()[-1][:500]
        db.session.refresh(job)
        if job.status not in JOB_FINISHED:
            job.status, job.finished_at, job.error = JOB_INTERRUPTED, utcnow(), reason
            db.session.commit()
    return job


def _worker_gone(rq_job) -> bool:
    """A started RQ job whose worker no longer heartbeats (its key in Redis expired): the
    whole worker died (machine crash, kill -9 of the worker itself)."""
    from rq import Worker

    name = getattr(rq_job, "worker_name", None)
    if not name:
        return False
    return Worker.find_by_key(Worker.redis_worker_namespace_prefix + name, connection=redis_connection()) is None


def recover_interrupted() -> list[int]:
    """After a restart: jobs left 'running' (or 'queued' in-process) by a dead process are
    marked 'interrupted' (their transaction was rolled back by the database). RQ jobs are
    checked against Redis; in-process ones are all dead, since their process is gone.
    Run it when no in-process job is running (`flask jobs recover`, at worker start)."""
    ids = []
    for job in db.session.scalars(select(Job).where(Job.status.in_((JOB_QUEUED, JOB_RUNNING)))).all():
        if job.backend == "rq":
            if current_app.config.get("REDIS_URL") and reconcile(job).status == JOB_INTERRUPTED:
                ids.append(job.id)
        else:
            job.status, job.finished_at = JOB_INTERRUPTED, utcnow()
            job.error = "interrupted: the process running it stopped"
            ids.append(job.id)
    db.session.commit()
    for job_id in ids:
        remove_partial_files(job_id)
    return ids


def remove_partial_files(job_id: int) -> list[str]:
    """Delete what a dead job left half-written: a job writing a file under EXPORT_DIR writes it
    as `job-<id>-<name>.part` and renames it into place when complete (payout files, order
    exports), so a `.part` of an interrupted job is never read and only takes space."""
    folder = Path(current_app.config["EXPORT_DIR"])
    removed = []
    for path in folder.glob(f"job-{int(job_id)}-*.part") if folder.is_dir() else ():
        path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed


def rerun(job: Job, user: User | None) -> Job:
    """Submit a finished job again with the same kind and params (the same rights apply).
    Raises Conflict while it is still queued or running."""
    from channel.domain.errors import Conflict

    if job.status not in JOB_FINISHED:
        raise Conflict(N_("任务还在运行，不能重新运行。"))
    refusal = rerun_refusal(job)
    if refusal:
        raise Conflict(refusal)
    return submit(job.kind, dict(job.params or {}), user, rerun_of_id=job.id)


def rerun_refusal(job: Job) -> str | None:
    """Why a finished job cannot run again with its parameters (a msgid), or None: e.g. an
    import whose uploaded file was used up by its finished run."""
    spec = load_kinds().get(job.kind)
    return spec.rerun_refusal(dict(job.params or {})) if spec is not None and spec.rerun_refusal else None


def visible_jobs(user: User):
    """A SELECT of the jobs `user` may see: administrators all, others their own."""
    from channel.services.access import scope_jobs

    return scope_jobs(select(Job), user).order_by(Job.id.desc())
