"""How a job reads for people: its progress note and its backend, translated at display.

The notes a job kind reports (`JobContext.progress(done, total, note)`) stay machine words in
Redis and in memory ("2026-07: computing", "rows", "check"); the job page and the status JSON
it polls show them through `note_text`. Every note the kinds emit is listed here.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from channel.domain.errors import N_

NOTE_WORDS = {
    # commissions.run (commissions_run.run_period): "<month>: computing|posting", "finishing", "posted N lines"
    "computing": N_("计算中"),
    "posting": N_("记账中"),
    "finishing": N_("收尾"),
    # conflicts.scan: each step's rule codes joined by "/", then "cases"
    "cases": N_("归入案件"),
    # exchange.import: "check", then "write"
    "check": N_("检查"),
    "write": N_("写入"),
    # payouts.export, orders.export
    "rows": N_("行"),
    "orders": N_("订单"),
    # demo.load: the table being filled
    "seller": N_("销售方"),
    "seller_closure": N_("上下级关系"),
    "territory_grant": N_("区域授权"),
    "product": N_("产品"),
    "product_price": N_("价格表"),
    "customer": N_("客户"),
    "sales_order": N_("订单"),
    "order_line": N_("订单行"),
    "return_line": N_("退货行"),
}
BACKENDS = {"inline": N_("本进程"), "rq": N_("Redis 队列")}
# a job's status (models.ops.JOB_STATUSES): the job list and page (templates/ops/_status.html), `jobs list`
STATUSES = {"queued": N_("排队中"), "running": N_("运行中"), "done": N_("已完成"), "failed": N_("失败"),
            "interrupted": N_("已中断")}

_MONTH_STEP = re.compile(r"^(\d{4}-\d{2}): (\w+)$")
_POSTED = re.compile(r"^posted (\d+) lines$")
_DEMO_RUN = re.compile(r"^commission run (\d{4}-\d{2})$")


def _word(word: str) -> str:
    from channel.conflicts.forms import RULE_LABELS

    if word in NOTE_WORDS:
        return _(NOTE_WORDS[word])
    if word in RULE_LABELS:
        return str(RULE_LABELS[word])
    return word


def note_text(note: str | None) -> str:
    """A progress note in the request's language; an unknown note is shown as it is."""
    note = (note or "").strip()
    if not note:
        return ""
    if match := _MONTH_STEP.match(note):
        return _("%(period)s：%(step)s", period=match.group(1), step=_word(match.group(2)))
    if match := _POSTED.match(note):
        return _("已记账 %(n)s 行", n=match.group(1))
    if match := _DEMO_RUN.match(note):
        return _("计算佣金 %(period)s", period=match.group(1))
    if "/" in note:
        return " / ".join(_word(part) for part in note.split("/"))
    return _word(note)


def display_progress(progress: dict | None) -> dict | None:
    """The live progress with its note translated (the machine note kept as `step`)."""
    if not progress:
        return progress
    return {**progress, "note": note_text(progress.get("note")), "step": progress.get("note") or ""}


def backend_label(backend: str | None) -> str:
    return _(BACKENDS[backend]) if backend in BACKENDS else ""


def status_label(status: str | None) -> str:
    """A job's status in the request's language; an unknown one as it is."""
    return _(STATUSES[status]) if status in STATUSES else status or ""


def kind_label(kind: str | None) -> str:
    """A job kind's label (`@job_kind(label=...)`) in the request's language; an unknown kind as it is."""
    from channel.services.jobs import load_kinds

    registered = load_kinds().get(kind)
    return _(registered.label) if registered is not None else kind or ""


def readable_json(value) -> str:
    """JSON for people: indented, Chinese as it is (not \\u escapes). A plain string: the
    template escapes it."""
    import json

    return json.dumps(value, ensure_ascii=False, indent=1)
