"""Orders and returns typed by a person (the 录入订单 and 退货 pages).

Who: a seller's own user, or a user whose scope covers the seller (an agent for its downline, a
direct manager for its team), and channel managers and admins. Sell-in (company → agent) is
for channel managers and admins only. Finance and product managers read, they do not enter.
The rules of an order or a return are `orders.store_order` / `orders.record_return` (the ones
imports and the API go through); this module adds what only a person's typing needs: codes
resolved inside the user's scope (an unknown code and one outside the scope read alike), the
price list as the default unit price, the customer's district as the default ship-to, and no
date after the business today.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from channel.domain.errors import Conflict, DomainError, Forbidden, N_, NotFound
from channel.domain.orders import below_floor, check_not_future, line_amount_fen
from channel.services import orders
from channel.services.access import require_customer, require_order, scope_customers
from channel.services.clock import business_today
from channel.services.sellers import visible_by_code
from models import db
from models.catalog import PRICE_FLOOR, PRICE_SELL_IN, Product
from models.sales import KIND_SELL_IN, KIND_SELL_OUT, Customer, OrderLine, ReturnLine, SalesOrder
from models.tree import Seller
from models.users import FIELD_ROLES, MANAGING_ROLES, User

ENTRY_ROLES = FIELD_ROLES  # who may enter orders and returns
SELL_IN_ROLES = MANAGING_ROLES
CUSTOMER_MATCHES = 10  # candidates listed when a typed name fits several customers


def may_enter_orders(user: User) -> bool:
    return user.is_authenticated and user.role in ENTRY_ROLES


def order_kinds(user: User) -> tuple[str, ...]:
    """The kinds of order `user` may enter: sell-out for every entry role, sell-in for staff."""
    return (KIND_SELL_OUT, KIND_SELL_IN) if user.role in SELL_IN_ROLES else (KIND_SELL_OUT,)


def require_entry(user: User, kind: str) -> None:
    """Forbidden unless `user` may enter an order of `kind` (a kind that is neither is left to
    `store_order` to refuse)."""
    if user.role not in ENTRY_ROLES or (kind == KIND_SELL_IN and user.role not in SELL_IN_ROLES):
        raise Forbidden(N_("您的角色无权录入这种订单。"))


@dataclass(frozen=True)
class TypedLine:
    """A line as typed: `unit_price_fen` None takes the price list's (see `list_price_fen`)."""

    sku: str
    qty: int
    unit_price_fen: int | None = None


@dataclass(frozen=True)
class FloorWarning:
    """A sell-out line below the floor resale price (乱价): stored, and flagged by the scan."""

    line_no: int
    unit_price_fen: int
    floor_fen: int


def find_customers(user: User, text: str, limit: int = CUSTOMER_MATCHES) -> list[Customer]:
    """Customers in `user`'s scope whose code is `text` (any letter case), else whose name contains
    it; at most `limit`, by name. Outside the scope nothing is found, as if it did not exist."""
    text = (text or "").strip()
    if not text:
        return []
    customer_id = orders.customer_id_by_code(text)
    if customer_id is not None:
        by_code = db.session.scalar(scope_customers(select(Customer).where(Customer.id == customer_id), user))
        if by_code is not None:
            return [by_code]
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(db.session.scalars(scope_customers(
        select(Customer).where(Customer.name.like(pattern, escape="\\")), user).order_by(Customer.name, Customer.id).limit(limit)))


def resolve_seller(user: User, code: str | None) -> Seller:
    """The seller of `code` (the user's own when blank) inside `user`'s scope; DomainError on
    `seller_code` otherwise, the same words for an unknown code and one outside the scope."""
    code = (code or "").strip()
    if not code:
        if user.seller_id is None:
            raise DomainError(N_("请填写销售方编码。"), field="seller_code")
        return db.session.get(Seller, user.seller_id)
    seller = visible_by_code(user, code)
    if seller is None:
        raise DomainError(N_("没有编码为 %(code)s 的销售方。"), field="seller_code", code=code)
    return seller


def list_price_fen(product: Product, kind: str, seller: Seller, on: date) -> int | None:
    """The default unit price: a sell-in at the price list's sell-in price for the buying agent's
    level on `on` (`orders.price_on`; None when the list has none), a sell-out at the product's
    retail price."""
    if kind == KIND_SELL_IN:
        return orders.price_on(product.id, PRICE_SELL_IN, on, level=seller.level)
    return product.retail_price_fen


def enter_order(user: User, *, order_no: str, kind: str, seller_code: str | None, customer_id: int | None,
                order_date: date | None, ship_to_district_id: int | None,
                lines: list[TypedLine]) -> tuple[SalesOrder, list[FloorWarning]]:
    """Store an order typed by `user` and run the after-order hooks (the conflict scan) on its
    lines; returns the order and its lines below the floor price. Refused: Forbidden for a role
    that may not enter this kind; DomainError / Conflict with the field at fault (`seller_code`,
    `customer`, `order_date`, `ship_to`, `lines[i]` for the line i+1, and `store_order`'s own)."""
    require_entry(user, kind)
    seller = resolve_seller(user, seller_code)
    customer = None
    if kind == KIND_SELL_OUT:
        if customer_id is None:
            raise DomainError(N_("销售出库单必须有客户。"), field="customer")
        try:
            customer = require_customer(user, customer_id)
        except NotFound:
            raise DomainError(N_("没有这个客户。"), field="customer") from None
    today = business_today()
    order_date = order_date or today
    check_not_future(order_date, today, "order_date")
    if ship_to_district_id is None:
        ship_to_district_id = _default_ship_to(customer, seller)
    if not lines:
        raise DomainError(N_("订单至少要有一行。"), field="lines")
    inputs, warnings = [], []
    for number, typed in enumerate(lines, start=1):
        product = orders.product_by_sku(typed.sku)
        if product is None:
            raise DomainError(N_("第 %(n)s 行：没有这个产品。"), field=f"lines[{number - 1}]", n=number)
        price = typed.unit_price_fen
        if price is None:
            price = list_price_fen(product, kind, seller, order_date)
            if price is None:
                raise DomainError(N_("第 %(n)s 行：价格表里没有这一级代理的进货价，请填写单价。"),
                                  field=f"lines[{number - 1}]", n=number)
        line_amount_fen(typed.qty, price, number, field=f"lines[{number - 1}]")  # before the floor warning
        if kind == KIND_SELL_OUT:
            floor = orders.price_on(product.id, PRICE_FLOOR, order_date)
            if below_floor(price, floor):
                warnings.append(FloorWarning(number, price, floor))
        inputs.append(orders.LineInput(product_id=product.id, qty=typed.qty, unit_price_fen=price))
    try:
        order = orders.record_order(order_no=order_no, kind=kind, seller_id=seller.id, order_date=order_date,
                                    ship_to_district_id=ship_to_district_id, lines=inputs,
                                    customer_id=customer.id if customer else None, commit=False)
        db.session.commit()
    except IntegrityError:  # the same order number, stored by another request since the check
        db.session.rollback()
        raise Conflict(N_("订单号 %(no)s 已存在。"), field="order_no", no=order_no) from None
    except DomainError:
        db.session.rollback()
        raise
    from channel.services.imports import after_order_lines

    after_order_lines(select(OrderLine.id).where(OrderLine.order_id == order.id))
    return order, warnings


def _default_ship_to(customer: Customer | None, seller: Seller) -> int:
    """The customer's district; for a sell-in the buying agent's home area if it is a city or a
    district. DomainError on `ship_to` when there is none to take."""
    if customer is not None:
        return customer.district_id
    home = seller.home_territory
    if home is not None and home.level >= 2:
        return home.id
    raise DomainError(N_("请填写发货区划代码。"), field="ship_to")


def require_line(user: User, order_id: int, line_id: int) -> OrderLine:
    """The order line `line_id` of order `order_id`, if `user` may enter a return on it: an entry
    role (Forbidden otherwise) that sees the order's seller; NotFound otherwise (also when the
    line is not the order's)."""
    if user.role not in ENTRY_ROLES:
        raise Forbidden(N_("您的角色无权录入退货。"))
    order = require_order(user, order_id)
    line = db.session.get(OrderLine, line_id)
    if line is None or line.order_id != order.id:
        raise NotFound(N_("没有这个订单行，或您无权查看。"))
    return line


def returnable_qty(line: OrderLine) -> int:
    """Units of `line` not returned yet."""
    return line.qty - orders.returned_qty(line.id)


def enter_return(user: User, *, order_id: int, line_id: int, return_no: str, qty: int,
                 return_date: date | None, reason: str | None) -> ReturnLine:
    """Record a return typed by `user` on one order line (`require_line` decides who), dated
    the business today when blank and never after it; the other rules are `record_return`'s
    (DomainError / Conflict on `return_no`, `qty`, `return_date`)."""
    line = require_line(user, order_id, line_id)
    today = business_today()
    return_date = return_date or today
    check_not_future(return_date, today, "return_date")
    try:
        returned = orders.record_return(return_no=return_no, order_line_id=line.id, qty=qty, return_date=return_date,
                                        reason=(reason or "").strip() or None, commit=False)
        db.session.commit()
    except IntegrityError:  # the same number on this line, stored by another request since the check
        db.session.rollback()
        raise Conflict(N_("退货单号 %(no)s 已用于这一行。"), field="return_no", no=return_no) from None
    except DomainError:
        db.session.rollback()
        raise
    return returned
