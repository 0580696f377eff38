"""Job kinds of the ops feature: the demo loader and the orders export (the model for others)."""
from __future__ import annotations

import csv
import os
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from channel.domain.errors import DomainError, N_
from channel.domain.exports import safe_cell
from channel.services.jobs import JobContext, job_kind
from models import db
from models.users import ROLE_ADMIN, ROLES


def describe_demo(params: dict) -> str:
    """"400 个代理 · 20000 个订单" (the loader's defaults when not given)."""
    from flask_babel import gettext as _

    text = _("%(agents)s 个代理 · %(orders)s 个订单", agents=params.get("agents", 400), orders=params.get("orders", 20000))
    return text + (" · " + _("截至 %(day)s", day=params["until"]) if params.get("until") else "")


def describe_export(params: dict) -> str:
    """The filters: "2026-10-01 → 2026-10-31 · 代理", or "全部订单"."""
    from flask_babel import gettext as _

    parts = []
    if params.get("date_from") or params.get("date_to"):
        parts.append(f"{params.get('date_from') or '…'} → {params.get('date_to') or '…'}")
    channel = params.get("channel")
    if channel:
        parts.append({"agent": _("代理"), "direct": _("直销")}.get(channel, str(channel)))
    kind = params.get("kind")
    if kind:
        from channel.commissions.forms import ORDER_KIND_LABELS

        parts.append(str(ORDER_KIND_LABELS.get(kind, kind)))
    return " · ".join(parts) or _("全部订单")


@job_kind("demo.load", roles=(ROLE_ADMIN,), label=N_("装入演示公司"), timeout=3 * 3600, describe=describe_demo)
def load_demo_company(job: JobContext) -> dict:
    """Params: agents, orders, seed, until (YYYY-MM-DD). One transaction: killed midway, the
    database stays empty and the job can run again."""
    from channel.services.demo import load_demo

    params = job.params
    until = date.fromisoformat(params["until"]) if params.get("until") else None
    expected = {"agents": int(params.get("agents", 400)), "orders": int(params.get("orders", 20000))}

    def progress(table: str, count: int) -> None:
        job.progress(count if table == "order_line" else 0, expected["orders"] if table == "order_line" else None, table)

    counts = load_demo(agents=expected["agents"], orders=expected["orders"], seed=int(params.get("seed", 7)),
                       until=until, progress=progress)
    return {"counts": counts}


def export_path(job_id: int) -> Path:
    return Path(current_app.config["EXPORT_DIR"]) / f"job-{job_id}-orders.csv"


@job_kind("orders.export", roles=tuple(ROLES), label=N_("导出订单（CSV）"), describe=describe_export)
def export_orders(job: JobContext) -> dict:
    """The orders the user may see (params: date_from, date_to, channel, kind) as CSV, UTF-8
    with BOM for Excel. Written to a temporary file renamed into place at the end, so a killed
    export leaves no half file; read-only on the database."""
    from channel.services.listing import Filters, order_query
    from models.sales import SalesOrder

    user = job.actor
    if user is None:
        raise DomainError(N_("导出需要一个用户（决定能看到哪些订单）。"))
    p = job.params
    filters = Filters(channel=p.get("channel") or None, kind=p.get("kind") or None,
                      date_from=date.fromisoformat(p["date_from"]) if p.get("date_from") else None,
                      date_to=date.fromisoformat(p["date_to"]) if p.get("date_to") else None)
    query = order_query(user, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    target = export_path(job.job_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    rows = 0
    columns = ("order_no", "kind", "channel", "seller_id", "customer_id", "ship_to_district_id", "order_date", "total_fen")
    with open(partial, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        ordered = query.with_only_columns(*(getattr(SalesOrder, c) for c in columns)).order_by(
            SalesOrder.order_date, SalesOrder.id)
        for row in db.session.execute(ordered.execution_options(yield_per=2000)):
            writer.writerow(["" if v is None else safe_cell(v) for v in row])
            rows += 1
            if rows % 2000 == 0:
                job.progress(rows, total, "orders")
    os.replace(partial, target)
    return {"rows": rows, "file": target.name}
