"""Customer value, set-based: gross profit per customer (sell-out amount − qty × unit cost,
net of returns), order counts and last order date in one GROUP BY; the domain ranks them
(Pareto / ABC, repeat customers, RFM)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, cast, func, select

from channel.domain import selling_value as value
from channel.services.access import require_seller, scope_by_seller
from channel.services.tree import subtree_ids
from models import db, sql_day
from models.sales import KIND_SELL_OUT, OrderLine, ReturnLine, SalesOrder
from models.users import User


def customer_figures(user: User | None = None, *, seller_id: int | None = None, date_from: date | None = None,
                     date_to: date | None = None) -> dict[int, tuple[int, int, date]]:
    """customer_id -> (number of orders, gross profit fen, last order date) over sell-out
    orders dated date_from..date_to (inclusive), of `seller_id`'s team (itself and its
    downline) when given, within what `user` may see (everything when user is None).
    Returns of those lines are netted whatever their date: refund and cost both go back."""
    line_filter = [OrderLine.kind == KIND_SELL_OUT]
    if date_from:
        line_filter.append(OrderLine.order_date >= date_from)
    if date_to:
        line_filter.append(OrderLine.order_date <= date_to)
    if seller_id is not None:
        if user is not None:
            require_seller(user, seller_id)
        line_filter.append(OrderLine.seller_id.in_(subtree_ids(seller_id)))
    returns = (
        select(ReturnLine.order_line_id, func.sum(ReturnLine.qty).label("qty"),
               func.sum(ReturnLine.amount_fen).label("amount"))
        .group_by(ReturnLine.order_line_id).subquery()
    )
    profit = func.sum(
        OrderLine.amount_fen - cast(OrderLine.qty, BigInteger) * OrderLine.unit_cost_fen
        - func.coalesce(returns.c.amount, 0) + func.coalesce(returns.c.qty, 0) * OrderLine.unit_cost_fen
    )
    query = (
        select(SalesOrder.customer_id, func.count(func.distinct(OrderLine.order_id)), profit,
               func.max(OrderLine.order_date))
        .select_from(OrderLine)
        .join(SalesOrder, SalesOrder.id == OrderLine.order_id)
        .outerjoin(returns, returns.c.order_line_id == OrderLine.id)
        .where(*line_filter)
        .group_by(SalesOrder.customer_id)
    )
    if user is not None:
        query = scope_by_seller(query, user, OrderLine.seller_id)
    out = {}
    for customer_id, orders, gross, last in db.session.execute(query):
        out[customer_id] = (int(orders), int(gross or 0), sql_day(last))
    return out


def class_a_customers() -> list[int]:
    """The customers who make the first 80% of gross profit, over all sales."""
    figures = customer_figures()
    return [row.customer_id for row in value.pareto_abc({c: v[1] for c, v in figures.items()}) if row.klass == "A"]


def value_report(user: User, *, seller_id: int | None = None, as_of: date, date_from: date | None = None) -> dict:
    figures = customer_figures(user, seller_id=seller_id, date_from=date_from, date_to=as_of)
    abc = value.pareto_abc({c: v[1] for c, v in figures.items()})
    repeat = value.repeat_stats({c: (v[0], v[1]) for c, v in figures.items()})
    rfm = value.rfm_scores({c: (v[2], v[0], v[1]) for c, v in figures.items()}, as_of)
    classes = {k: {"customers": 0, "profit_fen": 0} for k in "ABC"}
    for row in abc:
        classes[row.klass]["customers"] += 1
        classes[row.klass]["profit_fen"] += row.profit_fen
    segments: dict[str, int] = {}
    for row in rfm:
        segments[row.segment] = segments.get(row.segment, 0) + 1
    return {"abc": abc, "classes": classes, "repeat": repeat, "rfm": rfm, "segments": segments,
            "total_profit_fen": sum(v[1] for v in figures.values())}
