"""Dashboard figures: set-based, scoped by `access`, in fen.

Sales are NET: sell-out lines of the month minus returns booked in the month (a return counts
against the seller and ship-to district of the line it returns). Figures for a (scope, month)
are cached per process and recomputed whenever order lines, returns or the tree change (the
cache key carries the highest ids of those tables), so a dashboard over a million lines costs
one cheap version query per view once computed.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import func, literal, select, union_all

from channel.domain.periods import Month
from channel.services.access import seller_scope
from models import db
from models.ops import AuditEvent
from models.sales import KIND_SELL_OUT, OrderLine, ReturnLine
from models.territory import Territory
from models.tree import Seller, SellerClosure, SellerMove
from models.users import SELLER_ROLES, User

_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 256


def _net_rows(user: User, month: Month):
    """Subquery (seller_id, district_id, amount): the month's sell-out lines and, negated, its returns."""
    scope = seller_scope(user)
    sales = select(
        OrderLine.seller_id.label("seller_id"),
        OrderLine.ship_to_district_id.label("district_id"),
        OrderLine.amount_fen.label("amount"),
    ).where(OrderLine.kind == KIND_SELL_OUT, OrderLine.order_date >= month.start, OrderLine.order_date < month.end)
    returns = (
        select(ReturnLine.seller_id, OrderLine.ship_to_district_id, literal(0) - ReturnLine.amount_fen)
        .join(OrderLine, OrderLine.id == ReturnLine.order_line_id)
        .where(OrderLine.kind == KIND_SELL_OUT, ReturnLine.return_date >= month.start, ReturnLine.return_date < month.end)
    )
    if scope is not None:
        sales = sales.where(OrderLine.seller_id.in_(scope))
        returns = returns.where(ReturnLine.seller_id.in_(scope))
    return union_all(sales, returns).subquery()


def _version() -> tuple:
    row = db.session.execute(
        select(
            select(func.max(OrderLine.id)).scalar_subquery(),
            select(func.max(ReturnLine.id)).scalar_subquery(),
            select(func.max(SellerClosure.id)).scalar_subquery(),
            select(func.max(SellerMove.id)).scalar_subquery(),
            # every tree change (moves, deactivations, grants) is audited: its id moves too
            select(func.max(AuditEvent.id)).scalar_subquery(),
        )
    ).one()
    return tuple(row)


def clear_cache() -> None:
    """Forget every cached figure (tests that empty and refill one database between cases)."""
    _CACHE.clear()


def cached(user: User | None, name: str, month: Month, compute, version=None):
    """`compute()` for (the user's scope, name, month), recomputed when the data version moves:
    by default the highest ids of order lines, returns and the tree (`_version`); `version`, a
    callable, gives another (the ledger's highest id for statements: the ledger is append-only)."""
    if user is None:
        scope = "-"
    else:
        scope = user.seller_id if user.role in SELLER_ROLES else ("all" if seller_scope(user) is None else "none")
    key = (str(db.engine.url), name, scope, str(month))
    version = version() if version is not None else _version()
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == version:
        _CACHE.move_to_end(key)
        return hit[1]
    value = compute()
    _CACHE[key] = (version, value)
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return value


def sales_by_channel(user: User, month: Month) -> dict[str, int]:
    def compute():
        rows = _net_rows(user, month)
        result = db.session.execute(
            select(Seller.channel, func.sum(rows.c.amount)).join(rows, rows.c.seller_id == Seller.id).group_by(Seller.channel)
        )
        return {channel: int(total or 0) for channel, total in result}

    return cached(user, "channel", month, compute)


def sales_by_level(user: User, month: Month, channel: str = "agent") -> dict[int, int]:
    def compute():
        rows = _net_rows(user, month)
        result = db.session.execute(
            select(Seller.level, func.sum(rows.c.amount))
            .join(rows, rows.c.seller_id == Seller.id)
            .where(Seller.channel == channel)
            .group_by(Seller.level)
        )
        return {level: int(total or 0) for level, total in result}

    return cached(user, f"level-{channel}", month, compute)


def sales_by_province(user: User, month: Month, limit: int = 15) -> list[tuple[str, int]]:
    def compute():
        rows = _net_rows(user, month)
        district = Territory.__table__.alias("district")
        province = Territory.__table__.alias("province")
        total = func.sum(rows.c.amount)
        result = db.session.execute(
            select(province.c.name, total)
            .select_from(rows)
            .join(district, district.c.id == rows.c.district_id)
            .join(province, province.c.id == district.c.province_id)
            .group_by(province.c.name)
            .order_by(total.desc())
            .limit(limit)
        )
        return [(name, int(value)) for name, value in result]

    return cached(user, "province", month, compute)


@dataclass(frozen=True)
class SellerRef:
    id: int
    name: str
    code: str
    channel: str
    level: int


@dataclass(frozen=True)
class TopSeller:
    seller: SellerRef
    total_fen: int


def top_sellers(user: User, month: Month, limit: int = 10) -> list[TopSeller]:
    def compute():
        rows = _net_rows(user, month)
        total = func.sum(rows.c.amount)
        totals = select(rows.c.seller_id, total.label("total")).group_by(rows.c.seller_id).order_by(total.desc()).limit(limit).subquery()
        result = db.session.execute(
            select(Seller.id, Seller.name, Seller.code, Seller.channel, Seller.level, totals.c.total)
            .join(totals, totals.c.seller_id == Seller.id)
            .order_by(totals.c.total.desc())
        )
        return [TopSeller(SellerRef(i, n, c, ch, lv), int(t)) for i, n, c, ch, lv, t in result]

    return cached(user, "top", month, compute)


def _net_total(seller_ids, month: Month) -> int:
    sales = select(func.coalesce(func.sum(OrderLine.amount_fen), 0)).where(
        OrderLine.kind == KIND_SELL_OUT, OrderLine.order_date >= month.start, OrderLine.order_date < month.end,
        OrderLine.seller_id.in_(seller_ids),
    )
    returns = (
        select(func.coalesce(func.sum(ReturnLine.amount_fen), 0))
        .join(OrderLine, OrderLine.id == ReturnLine.order_line_id)
        .where(OrderLine.kind == KIND_SELL_OUT, ReturnLine.return_date >= month.start, ReturnLine.return_date < month.end,
               ReturnLine.seller_id.in_(seller_ids))
    )
    return int(db.session.scalar(sales) or 0) - int(db.session.scalar(returns) or 0)


def seller_sales(seller_id: int, month: Month) -> tuple[int, int]:
    """(personal_sales, team_sales) of the seller page, cached together: one query on a hit."""
    members = select(SellerClosure.descendant_id).where(
        SellerClosure.ancestor_id == seller_id, SellerClosure.valid_to.is_(None)
    )
    return cached(None, f"seller-{seller_id}", month,
                  lambda: (_net_total([seller_id], month), _net_total(members, month)))
