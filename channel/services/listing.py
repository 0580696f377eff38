"""Customer and order lists: filtered, scoped by `access`, keyset-paginated.

The same functions feed the HTML lists, their CSV/XLSX exports and the JSON API.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, or_, select, tuple_
from sqlalchemy.orm import aliased, joinedload

from channel.domain.paging import decode_date_cursor, decode_id_cursor, encode_date_cursor
from channel.services.access import scope_customers, scope_orders
from channel.services.tree import subtree_ids
from models import db
from models.sales import Customer, SalesOrder
from models.territory import COUNTRY_ID, Territory
from models.tree import Seller
from models.users import User


def text_like(column, text: str, *, anywhere: bool = False):
    """SQL: `column` starts with (or, `anywhere`, contains) `text` as typed: a `%` or `_` in a
    search is that character, not a wildcard (a search for "_" used to match everything). The
    ESCAPE clause is added only when the text needs it, so an ordinary search is the plain
    LIKE it always was."""
    special = any(c in text for c in "%_\\")
    if special:
        text = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{text}%" if anywhere else f"{text}%"
    return column.like(pattern, escape="\\") if special else column.like(pattern)


@dataclass
class Filters:
    territory_id: int | None = None
    channel: str | None = None
    seller_id: int | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    text: str | None = None


@dataclass
class Page:
    rows: list = field(default_factory=list)
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Ref:
    """What a list shows of a row's seller, customer or district."""

    id: int
    name: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One line of the orders list: plain values from one query (no ORM objects to build)."""

    id: int
    order_no: str
    order_date: date
    kind: str
    total_fen: int
    seller: Ref
    customer: Ref | None
    ship_to: Ref


def territory_exists(territory_id: int) -> bool:
    """Is there a division with this GB/T 2260 code (any level, the country included)?"""
    return db.session.get(Territory, territory_id) is not None


def territory_members(territory_id: int):
    """SELECT of the division ids inside `territory_id` (itself included)."""
    return select(Territory.id).where(
        or_(Territory.id == territory_id, Territory.city_id == territory_id, Territory.province_id == territory_id)
    )


def order_query(user: User, filters: Filters) -> Select:
    query = scope_orders(select(SalesOrder), user)
    if filters.territory_id and filters.territory_id != COUNTRY_ID:
        query = query.where(SalesOrder.ship_to_district_id.in_(territory_members(filters.territory_id)))
    if filters.channel:
        query = query.where(SalesOrder.channel == filters.channel)
    if filters.seller_id:
        query = query.where(SalesOrder.seller_id.in_(subtree_ids(filters.seller_id)))
    if filters.kind:
        query = query.where(SalesOrder.kind == filters.kind)
    if filters.date_from:
        query = query.where(SalesOrder.order_date >= filters.date_from)
    if filters.date_to:
        query = query.where(SalesOrder.order_date <= filters.date_to)
    if filters.text:
        query = query.where(text_like(SalesOrder.order_no, filters.text.strip()))
    return query


_CUSTOMER_ROW = (joinedload(Customer.owner), joinedload(Customer.district))


# aliases, so that the filters' subqueries on these tables do not correlate with the list's joins;
# made once (building an alias adapts every column: costly per request)
_SELLER, _CUSTOMER, _DISTRICT = aliased(Seller), aliased(Customer), aliased(Territory)


def orders_page(user: User, filters: Filters, cursor: str | None = None, size: int = 50) -> Page:
    """One page of the orders list, newest first (keyset on order date and id), as OrderRow."""
    seller, customer, district = _SELLER, _CUSTOMER, _DISTRICT
    query = order_query(user, filters).with_only_columns(
        SalesOrder.id, SalesOrder.order_no, SalesOrder.order_date, SalesOrder.kind, SalesOrder.total_fen,
        seller.id, seller.name, seller.code, customer.id, customer.name, district.id, district.name,
    ).select_from(SalesOrder).join(seller, seller.id == SalesOrder.seller_id).outerjoin(
        customer, customer.id == SalesOrder.customer_id).join(district, district.id == SalesOrder.ship_to_district_id)
    position = decode_date_cursor(cursor)
    if position:
        query = query.where(tuple_(SalesOrder.order_date, SalesOrder.id) < tuple_(*position))
    rows = [
        OrderRow(r[0], r[1], r[2], r[3], r[4], Ref(r[5], r[6], r[7]), Ref(r[8], r[9]) if r[8] is not None else None,
                 Ref(r[10], r[11]))
        for r in db.session.execute(query.order_by(SalesOrder.order_date.desc(), SalesOrder.id.desc()).limit(size + 1))
    ]
    page = Page(rows=rows[:size])
    if len(rows) > size:
        last = rows[size - 1]
        page.next_cursor = encode_date_cursor(last.order_date, last.id)
    return page


def customer_query(user: User, filters: Filters) -> Select:
    query = scope_customers(select(Customer), user)
    if filters.territory_id and filters.territory_id != COUNTRY_ID:
        query = query.where(Customer.district_id.in_(territory_members(filters.territory_id)))
    if filters.channel:
        query = query.where(Customer.owner_seller_id.in_(select(Seller.id).where(Seller.channel == filters.channel)))
    if filters.seller_id:
        query = query.where(Customer.owner_seller_id.in_(subtree_ids(filters.seller_id)))
    if filters.text:
        text = filters.text.strip()
        query = query.where(or_(text_like(Customer.name, text, anywhere=True), Customer.credit_code == text.upper(),
                                Customer.phone == text))
    return query


def customers_page(user: User, filters: Filters, cursor: str | None = None, size: int = 50) -> Page:
    query = customer_query(user, filters)
    after = decode_id_cursor(cursor)
    if after:
        query = query.where(Customer.id < after)
    rows = list(db.session.scalars(query.order_by(Customer.id.desc()).limit(size + 1).options(*_CUSTOMER_ROW)))
    page = Page(rows=rows[:size])
    if len(rows) > size:
        page.next_cursor = str(rows[size - 1].id)
    return page
