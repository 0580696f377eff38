"""Dashboard figures, set-based and scoped by `access`. Sales are sell-out amounts in fen,
net of returns booked in the same month."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from channel.domain.periods import Month
from channel.services.access import seller_scope
from models import db
from models.sales import KIND_SELL_OUT, OrderLine, ReturnLine
from models.territory import Territory
from models.tree import Seller, SellerClosure
from models.users import User


def _lines(user: User, month: Month):
    query = select(OrderLine).where(
        OrderLine.kind == KIND_SELL_OUT, OrderLine.order_date >= month.start, OrderLine.order_date < month.end
    )
    scope = seller_scope(user)
    if scope is not None:
        query = query.where(OrderLine.seller_id.in_(scope))
    return query


def _returns(user: User, month: Month):
    query = select(ReturnLine).where(ReturnLine.return_date >= month.start, ReturnLine.return_date < month.end)
    scope = seller_scope(user)
    if scope is not None:
        query = query.where(ReturnLine.seller_id.in_(scope))
    return query


def _grouped(user: User, month: Month, key_of_seller) -> dict:
    """{key: net fen} for sell-out lines minus returns of `month`, grouped by a Seller column."""
    sales = _lines(user, month).subquery()
    returns = _returns(user, month).subquery()
    result: dict = {}
    for key, total in db.session.execute(
        select(key_of_seller, func.sum(sales.c.amount_fen))
        .join(sales, sales.c.seller_id == Seller.id)
        .group_by(key_of_seller)
    ):
        result[key] = result.get(key, 0) + int(total or 0)
    for key, total in db.session.execute(
        select(key_of_seller, func.sum(returns.c.amount_fen))
        .join(returns, returns.c.seller_id == Seller.id)
        .group_by(key_of_seller)
    ):
        result[key] = result.get(key, 0) - int(total or 0)
    return result


def sales_by_channel(user: User, month: Month) -> dict[str, int]:
    return _grouped(user, month, Seller.channel)


def sales_by_level(user: User, month: Month, channel: str = "agent") -> dict[int, int]:
    sales = _lines(user, month).subquery()
    rows = db.session.execute(
        select(Seller.level, func.sum(sales.c.amount_fen))
        .join(sales, sales.c.seller_id == Seller.id)
        .where(Seller.channel == channel)
        .group_by(Seller.level)
    )
    return {level: int(total or 0) for level, total in rows}


def sales_by_province(user: User, month: Month, limit: int = 15) -> list[tuple[str, int]]:
    sales = _lines(user, month).subquery()
    district = Territory.__table__.alias("district")
    province = Territory.__table__.alias("province")
    rows = db.session.execute(
        select(province.c.name, func.sum(sales.c.amount_fen).label("total"))
        .select_from(sales)
        .join(district, district.c.id == sales.c.ship_to_district_id)
        .join(province, province.c.id == district.c.province_id)
        .group_by(province.c.name)
        .order_by(func.sum(sales.c.amount_fen).desc())
        .limit(limit)
    )
    return [(name, int(total)) for name, total in rows]


@dataclass
class TopSeller:
    seller: Seller
    total_fen: int


def top_sellers(user: User, month: Month, limit: int = 10) -> list[TopSeller]:
    sales = _lines(user, month).subquery()
    totals = (
        select(sales.c.seller_id, func.sum(sales.c.amount_fen).label("total"))
        .group_by(sales.c.seller_id)
        .order_by(func.sum(sales.c.amount_fen).desc())
        .limit(limit)
        .subquery()
    )
    rows = db.session.execute(
        select(Seller, totals.c.total).join(totals, totals.c.seller_id == Seller.id).order_by(totals.c.total.desc())
    )
    return [TopSeller(seller, int(total)) for seller, total in rows]


def team_sales(seller_id: int, month: Month) -> int:
    """Sell-out fen of `seller_id`'s whole current downline (itself included) in `month`."""
    members = select(SellerClosure.descendant_id).where(
        SellerClosure.ancestor_id == seller_id, SellerClosure.valid_to.is_(None)
    )
    total = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.amount_fen), 0)).where(
            OrderLine.kind == KIND_SELL_OUT,
            OrderLine.order_date >= month.start,
            OrderLine.order_date < month.end,
            OrderLine.seller_id.in_(members),
        )
    )
    return int(total or 0)


def personal_sales(seller_id: int, month: Month) -> int:
    total = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.amount_fen), 0)).where(
            OrderLine.kind == KIND_SELL_OUT,
            OrderLine.order_date >= month.start,
            OrderLine.order_date < month.end,
            OrderLine.seller_id == seller_id,
        )
    )
    return int(total or 0)
