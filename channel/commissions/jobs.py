"""Job kinds of the commissions feature: a month's commission run (docs/jobs.md)."""
from __future__ import annotations

from channel.commissions.views import RUNNERS
from channel.domain.errors import N_
from channel.services.jobs import JobContext, job_kind


def is_preview(params: dict) -> bool:
    flag = params.get("preview")  # a bool from the page; text from `flask jobs submit -p preview=1`
    return flag.strip().lower() in ("1", "true", "yes", "on") if isinstance(flag, str) else bool(flag)


def describe(params: dict) -> str:
    """"期间 2026-10 · 预览" (or "· 记账")."""
    from flask_babel import gettext as _

    return _("期间 %(period)s", period=params.get("period") or "?") + " · " + (_("预览") if is_preview(params) else _("记账"))


def locked_month(params: dict) -> str | None:
    """A run of a month locked since (payouts approved) can only fail: no "run again" then."""
    from channel.domain.errors import Conflict, DomainError
    from channel.services.commissions_run import runnable_month

    try:
        runnable_month(str(params.get("period") or ""))
    except Conflict:
        return N_("这个期间已经锁定，不能再计算；更正会记入下一个未锁定的期间。")
    except DomainError:
        return None  # a malformed period: the run says so itself
    return None


@job_kind("commissions.run", roles=RUNNERS, label=N_("计算佣金"), timeout=3 * 3600, describe=describe,
          rerun_refusal=locked_month)
def run_commissions(job: JobContext) -> dict:
    """Params: period ('YYYY-MM'), preview (bool). The same use case as the CLI
    (`commissions_run.run_period`): one transaction, so a run killed midway posts nothing, and a
    re-run posts only the difference from what is already posted (nothing, when nothing changed)."""
    from channel.services.commissions_run import run_period

    outcome = run_period(str(job.params.get("period") or ""), actor_id=job.actor_id, preview=is_preview(job.params),
                         progress=lambda step, done, total: job.progress(done, total, step))
    return {"run_id": outcome.run_id, "period": outcome.period, "preview": outcome.preview,
            "lines_posted": outcome.lines_posted, "total_fen": outcome.total_fen, "sources": outcome.sources,
            "changes": [list(change) for change in outcome.changes]}
