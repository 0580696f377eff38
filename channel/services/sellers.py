"""Read-side use cases for seller pages, trees and search (scoped by `access`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from channel.domain.periods import Month
from channel.services import reports
from channel.services.clock import business_today
from channel.services.access import can_see_seller, require_seller, scope_sellers
from channel.services.listing import Ref, text_like
from channel.services.tree import seller_by_code, upline_chain
from models import db
from models.sales import SalesOrder
from models.territory import Territory
from models.tree import Seller, SellerClosure, SellerMove, TerritoryGrant
from models.users import User

CHILDREN_PAGE = 200


@dataclass(frozen=True, slots=True)
class RecentOrder:
    """A line of the seller page's recent orders (plain values, no ORM object)."""

    id: int
    order_no: str
    order_date: date
    kind: str
    total_fen: int
    ship_to: Ref


@dataclass
class SellerPage:
    seller: Seller
    uplines: list  # [(Seller, distance)], nearest first; only those the user may see
    children: list[Seller]
    children_total: int
    downline_size: int
    personal_sales_fen: int
    team_sales_fen: int
    grants: list[TerritoryGrant]
    recent_orders: list[RecentOrder]
    moves: list[SellerMove]
    month: Month
    depths: dict[int, int]  # {distance: number of downline sellers at it}
    move_uplines: dict[int, Seller] = None  # the old and new uplines named by `moves`, by id


def seller_page(user: User, seller_id: int, month: Month | None = None) -> SellerPage:
    seller = require_seller(user, seller_id)
    month = month or Month.of(business_today())
    uplines = [(up, d) for up, d in upline_chain(seller_id) if can_see_seller(user, up.id)]
    kids = list(db.session.scalars(
        select(Seller).where(Seller.parent_id == seller_id).order_by(Seller.code).limit(CHILDREN_PAGE)
    ))
    children_total = len(kids) if len(kids) < CHILDREN_PAGE else db.session.scalar(
        select(func.count()).select_from(Seller).where(Seller.parent_id == seller_id))
    recent = [
        RecentOrder(r[0], r[1], r[2], r[3], r[4], Ref(r[5], r[6]))
        for r in db.session.execute(
            select(SalesOrder.id, SalesOrder.order_no, SalesOrder.order_date, SalesOrder.kind, SalesOrder.total_fen,
                   Territory.id, Territory.name)
            .join(Territory, Territory.id == SalesOrder.ship_to_district_id)
            .where(SalesOrder.seller_id == seller_id)
            .order_by(SalesOrder.order_date.desc(), SalesOrder.id.desc())
            .limit(20)
        )
    ]
    moves = list(
        db.session.scalars(
            select(SellerMove).where(SellerMove.seller_id == seller_id).order_by(SellerMove.created_at.desc())
        )
    )
    upline_ids = {i for m in moves for i in (m.old_parent_id, m.new_parent_id) if i}
    move_uplines = {s.id: s for s in db.session.scalars(select(Seller).where(Seller.id.in_(upline_ids)))} \
        if upline_ids else {}
    grants = list(db.session.scalars(
        select(TerritoryGrant).where(TerritoryGrant.seller_id == seller_id).order_by(TerritoryGrant.valid_from)
        .options(joinedload(TerritoryGrant.territory))
    ))
    depths = closure_depths(seller_id)
    personal_sales, team_sales = reports.seller_sales(seller_id, month)
    return SellerPage(
        seller=seller,
        depths=depths,
        uplines=uplines,
        children=kids,
        children_total=children_total,
        downline_size=sum(depths.values()),
        personal_sales_fen=personal_sales,
        team_sales_fen=team_sales,
        grants=grants,
        recent_orders=recent,
        moves=moves,
        month=month,
        move_uplines=move_uplines,
    )


@dataclass
class TreeNode:
    seller: Seller
    child_count: int


def _with_child_counts(sellers: list[Seller]) -> list[TreeNode]:
    if not sellers:
        return []
    ids = [s.id for s in sellers]
    counts = dict(
        db.session.execute(
            select(Seller.parent_id, func.count()).where(Seller.parent_id.in_(ids)).group_by(Seller.parent_id)
        ).all()
    )
    return [TreeNode(s, counts.get(s.id, 0)) for s in sellers]


def tree_roots(user: User, channel: str) -> list[TreeNode]:
    """Top of the tree the user may see: the user's own seller, or every top-level seller."""
    if user.seller_id is not None:
        own = require_seller(user, user.seller_id)
        if own.channel == channel:
            return _with_child_counts([own])
        return []
    roots = db.session.scalars(
        select(Seller).where(Seller.channel == channel, Seller.parent_id.is_(None)).order_by(Seller.code)
    )
    return _with_child_counts(list(roots))


def tree_children(user: User, seller_id: int, after_code: str | None = None) -> tuple[list[TreeNode], str | None]:
    """One page of a node's children (keyset on code) and the cursor of the next page."""
    require_seller(user, seller_id)
    query = select(Seller).where(Seller.parent_id == seller_id)
    if after_code:
        query = query.where(Seller.code > after_code)
    rows = list(db.session.scalars(query.order_by(Seller.code).limit(CHILDREN_PAGE + 1)))
    more = rows[CHILDREN_PAGE].code if len(rows) > CHILDREN_PAGE else None
    page = rows[:CHILDREN_PAGE]
    return _with_child_counts(page), (page[-1].code if more else None)


def path_to(user: User, seller_id: int) -> list[int]:
    """Ids from the user's visible root down to `seller_id` (for opening the tree at it)."""
    require_seller(user, seller_id)
    chain = [s.id for s, _d in reversed(upline_chain(seller_id))]
    if user.seller_id is not None and user.seller_id in chain:
        chain = chain[chain.index(user.seller_id):]
    elif user.seller_id is not None:
        chain = []
    return chain + [seller_id]


def search(user: User, text: str, channel: str | None = None, limit: int = 20) -> list[Seller]:
    text = (text or "").strip()
    if not text:
        return []
    query = select(Seller).where(or_(Seller.code == text, text_like(Seller.name, text, anywhere=True),
                                     text_like(Seller.code, text)))
    if channel:
        query = query.where(Seller.channel == channel)
    query = scope_sellers(query, user).order_by(Seller.level, Seller.code).limit(limit)
    return list(db.session.scalars(query))


def by_code(code: str) -> Seller | None:
    return seller_by_code(code)


def visible_by_code(user: User, code: str) -> Seller | None:
    """The seller with this code if `user` may see it; None when there is none or it is outside
    the user's scope, alike, so that a filter does not reveal which codes exist elsewhere."""
    seller = seller_by_code(code)
    return seller if seller is not None and can_see_seller(user, seller.id) else None


def level_counts(user: User, channel: str) -> dict[int, int]:
    """{level: active sellers} in the user's scope (cached until the tree changes)."""
    def count() -> dict[int, int]:
        query = select(Seller.level, func.count()).where(Seller.channel == channel, Seller.active.is_(True))
        return dict(db.session.execute(scope_sellers(query, user).group_by(Seller.level)).all())

    return reports.cached(user, f"levels-{channel}", Month(1, 1), count)


def closure_depths(seller_id: int) -> dict[int, int]:
    """{depth: count} of the current downline, for the seller page's level breakdown."""
    rows = db.session.execute(
        select(SellerClosure.depth, func.count())
        .where(SellerClosure.ancestor_id == seller_id, SellerClosure.valid_to.is_(None), SellerClosure.depth > 0)
        .group_by(SellerClosure.depth)
    )
    return dict(rows.all())
