"""Use cases of the seller trees: create, move, deactivate, grant territory; tree queries.

All subtree / upline queries go through the effective-dated closure table, set-based.
"""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import and_, delete, func, insert, literal, or_, select, true, update

from channel.domain.errors import Conflict, DomainError, N_, NotFound
from channel.domain.periods import check_day
from channel.services import audit
from channel.services.clock import business_today
from channel.domain.tree import (
    Node, Place, check_effective_date, check_move, check_not_ahead, code_spellings, periods_overlap, stored_spelling,
    territories_nest,
)
from models import db
from models.territory import Territory
from models.tree import CHANNEL_AGENT, Seller, SellerClosure, SellerMove, TerritoryGrant


def in_force(on: date | None = None):
    """SQL condition: closure rows in force on `on` (today's tree when None)."""
    if on is None:
        return SellerClosure.valid_to.is_(None)
    return and_(
        SellerClosure.valid_from <= on,
        or_(SellerClosure.valid_to.is_(None), SellerClosure.valid_to > on),
    )


def subtree_ids(seller_id: int, on: date | None = None, include_self: bool = True):
    """A SELECT of the ids in `seller_id`'s downline (itself included by default)."""
    query = select(SellerClosure.descendant_id).where(
        SellerClosure.ancestor_id == seller_id, in_force(on)
    )
    if not include_self:
        query = query.where(SellerClosure.depth > 0)
    return query


def upline_chain(seller_id: int, on: date | None = None) -> list[tuple[Seller, int]]:
    """The seller's uplines in force on `on`, nearest first, as (seller, distance)."""
    rows = db.session.execute(
        select(Seller, SellerClosure.depth)
        .join(SellerClosure, SellerClosure.ancestor_id == Seller.id)
        .where(SellerClosure.descendant_id == seller_id, SellerClosure.depth > 0, in_force(on))
        .order_by(SellerClosure.depth)
    ).all()
    return [(seller, depth) for seller, depth in rows]


def children(seller_id: int) -> list[Seller]:
    return list(
        db.session.scalars(select(Seller).where(Seller.parent_id == seller_id).order_by(Seller.code))
    )


def downline_size(seller_id: int) -> int:
    """Number of sellers below `seller_id` today (itself excluded)."""
    return db.session.scalar(
        select(func.count()).select_from(SellerClosure).where(
            SellerClosure.ancestor_id == seller_id, SellerClosure.depth > 0, in_force()
        )
    )


def get_seller(seller_id: int) -> Seller:
    seller = db.session.get(Seller, seller_id)
    if seller is None:
        raise NotFound(N_("没有这个销售方。"))
    return seller


def levels_of(channel: str) -> tuple[str, ...]:
    """The configured level names of `channel` (AGENT_LEVELS or DIRECT_LEVELS), level 1 first."""
    key = "AGENT_LEVELS" if channel == CHANNEL_AGENT else "DIRECT_LEVELS"
    return current_app.config[key]


def _node(seller: Seller) -> Node:
    return Node(seller.id, seller.channel, seller.level, seller.active)


def seller_by_code(code: str | None) -> Seller | None:
    """The seller whose code is `code`, ignoring surrounding spaces and letter case ('a4034672'
    finds A4034672): an exact match wins, then the upper- and lower-case spellings (the unique
    index on code answers each). None when empty or unknown."""
    code = (code or "").strip()
    if not code:
        return None
    found = {s.code: s for s in db.session.scalars(select(Seller).where(Seller.code.in_(code_spellings(code))))}
    spelling = stored_spelling(code, found)
    return found[spelling] if spelling is not None else None


def add_seller(
    *,
    code: str,
    name: str,
    channel: str,
    level: int,
    parent_id: int | None,
    joined_on: date,
    added_by_id: int | None = None,
    commit: bool = True,
    **fields,
) -> Seller:
    """Create a seller under `parent_id` (effective `joined_on`) with its closure rows, audited
    as 'tree.add'. The upline must be active, of the same channel and of a higher level (the rule
    of a move, check_move: a reseller may join a provincial agent directly where a province has
    no city agent, as the sellers import allows), and `joined_on` not before the last change of the
    upline's chain; a code taken in any letter case is refused. Raises DomainError naming the
    field (code, level, parent, effective_on); the caller rolls back."""
    check_day(joined_on, "joined_on")
    taken = seller_by_code(code)
    if taken is not None:
        raise DomainError(N_("编码 %(code)s 已被使用。"), field="code", code=taken.code)
    if not 1 <= level <= len(levels_of(channel)):
        raise DomainError(N_("层级 %(level)s 超出了配置的层级数。"), field="level", level=level)
    seller = Seller(code=code, name=name, channel=channel, level=level, joined_on=joined_on, **fields)
    db.session.add(seller)
    db.session.flush()
    parent = get_seller(parent_id) if parent_id else None
    check_move(_node(seller), _node(parent) if parent else None, {seller.id}, len(levels_of(channel)))
    if parent is not None:
        # it joins the upline's chain as it stands: not from a day before that chain's last change
        check_effective_date(joined_on, db.session.scalar(select(func.max(SellerClosure.valid_from)).where(
            SellerClosure.descendant_id == parent.id, SellerClosure.valid_to.is_(None))))
    seller.parent_id = parent_id
    db.session.add(SellerClosure(ancestor_id=seller.id, descendant_id=seller.id, depth=0, valid_from=joined_on))
    if parent_id:
        _link_subtree(seller.id, parent_id, joined_on)
    audit.record(added_by_id, "tree.add", "seller", seller.id, {
        "code": code, "channel": channel, "level": level, "parent_id": parent_id, "joined_on": joined_on.isoformat(),
    })
    if commit:
        db.session.commit()
    return seller


def _link_subtree(root_id: int, new_parent_id: int, effective_on: date) -> None:
    """Insert closure rows joining every ancestor of `new_parent_id` (itself included) to every
    member of `root_id`'s current subtree, in one INSERT ... SELECT."""
    up = SellerClosure.__table__.alias("up")
    down = SellerClosure.__table__.alias("down")
    rows = select(
        up.c.ancestor_id,
        down.c.descendant_id,
        up.c.depth + down.c.depth + 1,
        literal(effective_on),
    ).select_from(up.join(down, true())).where(
        up.c.descendant_id == new_parent_id,
        up.c.valid_to.is_(None),
        down.c.ancestor_id == root_id,
        down.c.valid_to.is_(None),
    )
    db.session.execute(
        insert(SellerClosure).from_select(["ancestor_id", "descendant_id", "depth", "valid_from"], rows)
    )


def _unlink_subtree(root_id: int, effective_on: date) -> None:
    """End, on `effective_on`, every closure row joining `root_id`'s subtree to an ancestor
    outside it. A row that started that same day never held: it is removed instead."""
    members = select(SellerClosure.descendant_id).where(
        SellerClosure.ancestor_id == root_id, SellerClosure.valid_to.is_(None)
    )
    outside = and_(
        SellerClosure.descendant_id.in_(members),
        SellerClosure.ancestor_id.not_in(members),
        SellerClosure.valid_to.is_(None),
    )
    latest = db.session.scalar(select(func.max(SellerClosure.valid_from)).where(outside))
    check_effective_date(effective_on, latest)
    db.session.execute(
        delete(SellerClosure).where(outside, SellerClosure.valid_from == effective_on).execution_options(
            synchronize_session=False
        )
    )
    db.session.execute(
        update(SellerClosure).where(outside).values(valid_to=effective_on).execution_options(
            synchronize_session=False
        )
    )


def move_seller(
    seller_id: int,
    new_parent_id: int | None,
    effective_on: date,
    *,
    moved_by_id: int | None = None,
    reason: str | None = None,
    commit: bool = True,
) -> Seller:
    """Move a seller with its whole downline under a new upline from `effective_on`.

    Orders dated before `effective_on` keep crediting the old uplines (the closure keeps the
    old rows, ended on that date). Raises DomainError for a cycle, a cross-channel move, a
    parent not above the seller's level, or a date before the last recorded change or after
    today (Asia/Shanghai: check_not_ahead).
    """
    check_day(effective_on, "effective_on")  # a slip to 9999 would freeze the subtree: no later change
    check_not_ahead(effective_on, business_today())
    seller = get_seller(seller_id)
    if not seller.active:
        raise DomainError(N_("它已停用，不能调整上级。"), field="parent")
    if new_parent_id == seller.parent_id:
        raise DomainError(N_("它已经在这个上级之下。"), field="parent")
    new_parent = get_seller(new_parent_id) if new_parent_id else None
    members = set(db.session.scalars(subtree_ids(seller_id)))
    check_move(_node(seller), _node(new_parent) if new_parent else None, members, len(levels_of(seller.channel)))
    old_parent_id = seller.parent_id
    _unlink_subtree(seller_id, effective_on)
    if new_parent_id:
        _link_subtree(seller_id, new_parent_id, effective_on)
    seller.parent_id = new_parent_id
    db.session.add(
        SellerMove(
            seller_id=seller_id,
            old_parent_id=old_parent_id,
            new_parent_id=new_parent_id,
            effective_on=effective_on,
            moved_by_id=moved_by_id,
            reason=reason,
        )
    )
    audit.record(moved_by_id, "tree.move", "seller", seller_id, {
        "old_parent_id": old_parent_id, "new_parent_id": new_parent_id,
        "effective_on": effective_on.isoformat(), "reason": reason,
    })
    if commit:
        db.session.commit()
    return seller


def deactivate_seller(seller_id: int, effective_on: date, *, moved_by_id: int | None = None) -> Seller:
    """Deactivate a seller. Its direct children move up to its own upline (with their
    downlines), so nobody is orphaned. Refused for a top-level seller that still has children,
    since there is no upline to move them to."""
    check_day(effective_on, "effective_on")
    check_not_ahead(effective_on, business_today())
    seller = get_seller(seller_id)
    if not seller.active:
        raise DomainError(N_("它已经停用。"))
    kids = children(seller_id)
    if kids and seller.parent_id is None:
        raise DomainError(N_("最高层级的销售方仍有下级，不能停用：请先把下级移到别的上级。"))
    for child in kids:
        # A child of level L under a parent of level L-2 is allowed: levels need only be higher.
        move_seller(
            child.id,
            seller.parent_id,
            effective_on,
            moved_by_id=moved_by_id,
            reason=f"deactivation of {seller.code}",
            commit=False,
        )
    ended = _end_grants(seller_id, effective_on, ended_by_id=moved_by_id)
    seller.active = False
    seller.deactivated_on = effective_on
    audit.record(moved_by_id, "tree.deactivate", "seller", seller_id, {
        "effective_on": effective_on.isoformat(), "children_moved": [c.id for c in kids], "grants_ended": ended,
    })
    db.session.commit()
    return seller


def _end_grants(seller_id: int, effective_on: date, *, ended_by_id: int | None) -> list[int]:
    """End on `effective_on` the seller's grants still in force then or later (a deactivated
    seller holds no territory); a grant starting on or after that day never held and is removed.
    Each change is audited. Returns the ids of the grants ended or removed."""
    grants = db.session.scalars(select(TerritoryGrant).where(
        TerritoryGrant.seller_id == seller_id,
        or_(TerritoryGrant.valid_to.is_(None), TerritoryGrant.valid_to > effective_on),
    ).order_by(TerritoryGrant.id)).all()
    for grant in grants:
        removed = grant.valid_from >= effective_on
        audit.record(ended_by_id, "territory.end", "seller", seller_id, {
            "grant_id": grant.id, "territory_id": grant.territory_id, "removed": removed,
            "valid_to": None if removed else effective_on.isoformat(),
            "was_valid_to": grant.valid_to.isoformat() if grant.valid_to else None,
        })
        if removed:
            db.session.delete(grant)
        else:
            grant.valid_to = effective_on
    return [grant.id for grant in grants]


def _place(territory: Territory) -> Place:
    return Place(territory.id, territory.level, territory.province_id, territory.city_id)


def grant_territory(
    seller_id: int,
    territory_id: int,
    *,
    exclusive: bool,
    valid_from: date,
    valid_to: date | None = None,
    granted_by_id: int | None = None,
    commit: bool = True,
) -> TerritoryGrant:
    """Grant a territory subtree to a seller. An exclusive grant overlapping (in place and in
    time) another seller's exclusive grant — one inside the other included — is refused."""
    check_day(valid_from, "valid_from")
    if not get_seller(seller_id).active:
        raise DomainError(N_("它已停用，不能授权区域。"), field="territory")
    territory = db.session.get(Territory, territory_id)
    if territory is None:
        raise DomainError(N_("没有这个行政区划。"), field="territory")
    if valid_to is not None and valid_to <= valid_from:
        raise DomainError(N_("结束日期必须晚于开始日期。"), field="valid_to")
    if exclusive:
        place = _place(territory)
        candidates = db.session.execute(
            select(TerritoryGrant, Territory)
            .join(Territory, Territory.id == TerritoryGrant.territory_id)
            .where(
                TerritoryGrant.exclusive.is_(True),
                or_(Territory.id.in_(place.ancestry()), _inside(territory.id)),
            )
        ).all()
        for other, other_territory in candidates:
            if territories_nest(place, _place(other_territory)) and periods_overlap(
                valid_from, valid_to, other.valid_from, other.valid_to
            ):
                raise _overlap_error(other, other_territory)
    grant = TerritoryGrant(
        seller_id=seller_id,
        territory_id=territory_id,
        exclusive=exclusive,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    db.session.add(grant)
    db.session.flush()
    audit.record(granted_by_id, "territory.grant", "seller", seller_id, {
        "grant_id": grant.id, "territory_id": territory_id, "exclusive": exclusive,
        "valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat() if valid_to else None,
    })
    if commit:
        db.session.commit()
    return grant


def _inside(territory_id: int):
    """SQL: territories lying inside `territory_id` (itself included), at any level. A division
    D lies inside T when T is one of (D.id, D.city_id, D.province_id, the country); the last
    term is a constant, folded here so that the others keep their indexes."""
    from channel.domain.territory_data import COUNTRY_ID

    if territory_id == COUNTRY_ID:
        return true()
    return or_(Territory.id == territory_id, Territory.city_id == territory_id,
               Territory.province_id == territory_id)


def _overlap_error(other: TerritoryGrant, other_territory: Territory) -> Conflict:
    return Conflict(
        N_("与 %(seller)s 在 %(territory)s 的独家授权重叠。"),
        field="territory",
        seller=other.seller.name,
        territory=other_territory.name,
    )


def grants_of(seller_id: int) -> list[TerritoryGrant]:
    return list(
        db.session.scalars(
            select(TerritoryGrant).where(TerritoryGrant.seller_id == seller_id).order_by(TerritoryGrant.valid_from)
        )
    )
