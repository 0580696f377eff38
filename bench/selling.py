"""Selling: the customer-value aggregate (gross profit net of returns per customer, one GROUP
BY over every sell-out line) and the KPI board over a week of activities."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import delete, insert, select, text

from tools.bench import Result, timed


def customer_value(ctx) -> list[Result]:
    from channel.services import selling_value
    from models import db
    from models.users import User

    app = ctx.app()
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        ref_s, _ = timed(lambda: db.session.execute(text(
            "SELECT count(*), sum(amount_fen - qty * unit_cost_fen) FROM order_line WHERE kind = 'sell_out'")).all(),
            repeat=3)
        agg_s, figures = timed(lambda: selling_value.customer_figures(manager), repeat=3)
        report_s, _ = timed(lambda: selling_value.value_report(manager, as_of=date(2026, 12, 31)), repeat=1)
    return [
        Result(f"gross profit per customer net of returns ({len(figures):,} customers)", agg_s,
               "sum of sell-out margin, one scan", ref_s),
        Result("customer value report (aggregate + ABC + repeat + RFM)", report_s, "sum of sell-out margin, one scan", ref_s),
    ]


def kpi_board(ctx) -> list[Result]:
    from channel.services import selling
    from models import db
    from models.selling import Activity
    from models.tree import Seller
    from models.users import User

    app = ctx.app()
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        sellers = db.session.scalars(select(Seller.id).where(Seller.channel == "direct")).all()
        customer = db.session.scalar(text("SELECT min(id) FROM customer"))
        rng = random.Random(5)
        start = datetime(2026, 11, 1)
        kinds = ("call_first", "call_follow", "call_follow", "visit")
        rows = [dict(seller_id=rng.choice(sellers), kind=rng.choice(kinds), customer_id=customer,
                     occurred_at=start + timedelta(minutes=rng.randrange(60 * 24 * 56)), created_at=start)
                for _ in range(max(1000, ctx.orders // 5))]
        db.session.execute(insert(Activity), rows)
        db.session.commit()
        try:
            ref_s, _ = timed(lambda: db.session.execute(text("SELECT count(*) FROM activity")).scalar(), repeat=3)
            board_s, board = timed(lambda: selling.kpi_board(manager, day=date(2026, 12, 20), channel="direct"), repeat=3)
        finally:
            db.session.execute(delete(Activity))
            db.session.commit()
    return [Result(f"KPI board, {len(board['rows']):,} direct sellers, 8 weeks of {len(rows):,} activities", board_s,
                   "SELECT count(*) FROM activity", ref_s)]


BENCHMARKS = [customer_value, kpi_board]
