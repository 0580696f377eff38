"""Load the demo company: bulk inserts (Core executemany), never one ORM object per row."""
from __future__ import annotations

from datetime import date
from typing import Callable

from sqlalchemy import func, select, text

from channel.domain.demo_data import DemoCompany
from channel.domain.errors import DomainError, N_
from channel.domain.periods import Month
from channel.domain.territory_data import load_divisions
from channel.services.clock import business_today
from channel.services.users import create_user
from models import db
from models.tree import Seller
from models.users import User

DEMO_PASSWORD = "qudao-demo"
DEMO_USERS = [
    # username, role, display name, named seller
    ("admin", "admin", "系统管理员", None),
    ("manager", "channel_manager", "渠道经理 陈静", None),
    ("finance", "finance", "财务 王芳", None),
    ("finance2", "finance", "财务复核 李强", None),
    ("pm", "product_manager", "产品经理 周敏", None),
    ("agent", "agent", None, "agent"),
    ("agent2", "agent", None, "agent2"),
    ("rep", "sales_rep", None, "rep"),
    ("director", "sales_rep", None, "director"),
]
SEQUENCED_TABLES = ("seller", "seller_closure", "territory_grant", "product", "product_price", "customer",
                    "sales_order", "order_line", "return_line")


def is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(Seller)) == 0


def load_demo(*, agents: int = 400, orders: int = 20000, seed: int = 7, until: date | None = None,
              progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Generate and insert the demo company into an empty database, in one transaction.
    Returns row counts per table. Raises DomainError when sellers already exist."""
    if not is_empty():
        raise DomainError(N_("数据库里已经有数据；演示数据只装入空数据库。"))
    company = DemoCompany(load_divisions(), agents=agents, orders=orders, seed=seed, until=until or business_today())
    counts: dict[str, int] = {}
    connection = db.session.connection()
    tables = db.metadata.tables
    try:
        for table_name, rows in company.tables():
            connection.execute(tables[table_name].insert(), rows)
            counts[table_name] = counts.get(table_name, 0) + len(rows)
            if progress:
                progress(table_name, counts[table_name])
        if connection.dialect.name == "postgresql":
            for name in SEQUENCED_TABLES:
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                ))
        named = company.named_sellers()
        for username, role, display, seller_key in DEMO_USERS:
            seller_id = named[seller_key] if seller_key else None
            if display is None:
                display = db.session.get(Seller, seller_id).name
            create_user(username, DEMO_PASSWORD, role, display_name=display, seller_id=seller_id, commit=False)
        counts["user"] = len(DEMO_USERS)
        from channel.services.commissions import install_demo_plans

        install_demo_plans(commit=False)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts


def load_extras(*, until: date | None = None, months: int = 3, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """What makes the demo lived-in, after the company is loaded (each step commits on its own):
    the selling team's activities, contacts and targets, and, for the last `months` closed
    months, a conflict scan (open cases from the planted 串货 and 乱价) and a commission run, so
    that statements and cases are there from the first login; then payout batches of those
    runs (`load_payouts`)."""
    from channel.services.commissions_run import run_period
    from channel.services.selling_demo import load_selling_demo

    today = until or business_today()
    counts: dict[str, int] = {}
    counts.update({f"selling {k}": v for k, v in load_selling_demo(today=today).items()})
    month = Month.of(today)
    periods = []
    for _ in range(months):
        month = month.previous()
        periods.append(month)
    from channel.services.conflicts import scan_period

    for period in reversed(periods):
        found = scan_period(period)
        counts[f"conflict findings {period}"] = sum(found.hits.values())
        outcome = run_period(str(period))
        counts[f"commission run {period}"] = outcome.lines_posted
        if progress:
            progress(f"commission run {period}", counts[f"commission run {period}"])
    if periods:
        counts.update(load_payouts(older=periods[-1], recent=periods[0]))
    return counts


DEMO_INVOICES = 300  # company rows given an invoice in the paid batch, at most: `--agents 100000` stays quick


def load_payouts(*, older: Month, recent: Month) -> dict[str, int]:
    """Payout batches made through the payout services as finance makes them, so that the
    batches page and the payees' "my payouts" pages have something to show: `older`'s batch
    paid (`finance` drafts it, records the company agents' invoices — the first DEMO_INVOICES
    by payee code; the rest are set aside as invoice missing and carry forward —, submits it;
    `finance2` approves; `finance` exports it and marks it paid), and `recent`'s left a draft
    gathering every line since, carried-forward ones included. A month with nothing payable is
    skipped. Returns the rows (payees) of each batch made."""
    from channel.services import payouts
    from models.payouts import ROW_AWAITING_INVOICE, PayoutRow

    staff = dict(db.session.execute(select(User.username, User.id).where(User.username.in_(("finance", "finance2")))).all())
    maker, checker = staff["finance"], staff["finance2"]

    def draft(period: Month):
        try:
            return payouts.create_batch(str(period), maker)
        except DomainError:  # nothing payable (a tiny demo)
            return None

    counts: dict[str, int] = {}
    batch = draft(older)
    if batch is not None:
        awaiting = db.session.scalars(
            select(PayoutRow.id).where(PayoutRow.batch_id == batch.id, PayoutRow.status == ROW_AWAITING_INVOICE)
            .order_by(PayoutRow.payee_code).limit(DEMO_INVOICES)).all()
        for row_id in awaiting:  # a 20-digit 全电发票 number
            payouts.record_invoice(row_id, maker, f"{older.year}{older.month:02d}{row_id:014d}")
        payouts.submit(batch.id, maker)
        payouts.approve(batch.id, checker)
        payouts.start_export(batch.id, maker)
        payouts.mark_paid(batch.id, maker)
        counts[f"payout batch {older} paid"] = batch.payees
    batch = draft(recent) if recent != older else None
    if batch is not None:
        counts[f"payout batch {recent} draft"] = batch.payees
    return counts
