"""Job kinds of the conflicts feature: a month's conflict scan (docs/jobs.md)."""
from __future__ import annotations

from channel.domain.errors import N_
from channel.services.access import CASE_RULERS
from channel.services.jobs import JobContext, job_kind


def describe(params: dict) -> str:
    from flask_babel import gettext as _

    return _("期间 %(period)s", period=params.get("period") or "?")


@job_kind("conflicts.scan", roles=CASE_RULERS, label=N_("扫描渠道冲突"), timeout=3 * 3600, describe=describe)
def scan_conflicts(job: JobContext) -> dict:
    """Params: period ('YYYY-MM'). The same use case as the CLI and the old button
    (`conflicts.scan_period`): one transaction; evidence is unique per (rule, referenced rows),
    so a re-run after an interruption, or a second scan, opens no duplicate case."""
    from channel.domain.periods import Month
    from channel.services.conflicts import scan_period

    month = Month.parse(str(job.params.get("period") or ""))
    result = scan_period(month, actor_id=job.actor_id, progress=lambda step, done, total: job.progress(done, total, step))
    return {"period": str(month), "hits": result.hits, "cases_opened": result.cases_opened,
            "evidence_added": result.evidence_added}
