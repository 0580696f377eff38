"""Recording products, customers, orders and returns: the one place where they are created
(forms, imports, the API and the demo's tests all come through here)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from channel.domain.customers import clean_credit_code, normalize_name
from channel.domain.errors import Conflict, DomainError, N_
from channel.domain.orders import check_order_date, check_order_total, check_seller_selling, line_amount_fen
from channel.domain.tree import CodeBook, code_key, code_spellings
from models import db
from models.catalog import PRICE_FLOOR, PRICE_SELL_IN, Product, ProductPrice
from models.sales import KIND_SELL_IN, KIND_SELL_OUT, Customer, OrderLine, ReturnLine, SalesOrder
from models.territory import Territory
from models.tree import Seller


def add_product(*, sku: str, name: str, category: str, cost_fen: int, retail_price_fen: int,
                floor_price_fen: int | None = None, sell_in_prices: dict[int, int] | None = None,
                valid_from: date = date(2000, 1, 1), has_unit_codes: bool = False, commit: bool = True) -> Product:
    if cost_fen < 0 or retail_price_fen < 0:
        raise DomainError(N_("价格和成本不能为负数。"), field="cost_fen")
    product = Product(sku=sku, name=name, category=category, cost_fen=cost_fen, retail_price_fen=retail_price_fen,
                      has_unit_codes=has_unit_codes)
    db.session.add(product)
    db.session.flush()
    if floor_price_fen is not None:
        db.session.add(ProductPrice(product_id=product.id, kind=PRICE_FLOOR, level=None, price_fen=floor_price_fen, valid_from=valid_from))
    for level, price in (sell_in_prices or {}).items():
        db.session.add(ProductPrice(product_id=product.id, kind=PRICE_SELL_IN, level=level, price_fen=price, valid_from=valid_from))
    if commit:
        db.session.commit()
    return product


def product_by_sku(sku: str | None) -> Product | None:
    """The product whose SKU is `sku` (see `_by_code`); None when empty or unknown."""
    sku = (sku or "").strip()
    return _by_code(Product.sku, sku, Product) if sku else None


def customer_id_by_code(code: str) -> int | None:
    """The id of the customer whose code is `code` (see `_by_code`); None when empty or unknown.
    Who may see it is the caller's rule."""
    code = code.strip()
    return _by_code(Customer.code, code, Customer.id) if code else None


def _by_code(code_column, code: str, selected):
    """`selected` of the row whose `code_column` is `code` by the one code rule
    (channel.domain.tree.code_key: any letter case; the exact spelling wins), or None: the unique
    index answers the usual spellings, a scan by upper case only a code stored in mixed case."""
    book = CodeBook(db.session.execute(select(code_column, selected).where(code_column.in_(code_spellings(code)))).all())
    if not book:
        book = CodeBook(db.session.execute(select(code_column, selected).where(
            func.upper(code_column) == code_key(code))).all())
    spelling = book.spelling(code)
    return book[spelling] if spelling is not None else None


def price_on(product_id: int, kind: str, on: date, level: int | None = None) -> int | None:
    """The price of `kind` (and agent `level`) in force on `on`, or None if none is set."""
    query = select(ProductPrice.price_fen).where(
        ProductPrice.product_id == product_id, ProductPrice.kind == kind, ProductPrice.valid_from <= on
    )
    query = query.where(ProductPrice.level.is_(None) if level is None else ProductPrice.level == level)
    return db.session.scalar(query.order_by(ProductPrice.valid_from.desc()).limit(1))


class CreditCodeTaken(Conflict):
    """The credit code is already another customer's (`customer`): one company, one customer
    record (撞单 prevention). The message names that customer; a page shows it only to a user who
    may see it (channel.services.customers)."""

    def __init__(self, customer: Customer, field: str = "credit_code"):
        super().__init__(N_("统一社会信用代码 %(code)s 已登记为客户 %(name)s（归属 %(owner)s）。"), field=field,
                         code=customer.credit_code, name=customer.name, owner=customer.owner.code)
        self.customer = customer


def add_customer(*, name: str, owner_seller_id: int, district_id: int, credit_code: str | None = None,
                 phone: str | None = None, contact_name: str | None = None, address: str | None = None,
                 code: str | None = None, commit: bool = True) -> Customer:
    """A new customer. DomainError on 'name' (empty), 'district_id' (not a city or district),
    'owner_seller_id' (unknown seller), 'credit_code' (bad check digit); CreditCodeTaken when
    another customer already has the credit code."""
    credit_code = _checked_customer(name, owner_seller_id, district_id, credit_code)
    customer = Customer(
        code=code, name=name.strip(), name_norm=normalize_name(name), credit_code=credit_code,
        phone=phone, contact_name=contact_name, address=address, district_id=district_id, owner_seller_id=owner_seller_id,
    )
    db.session.add(customer)
    if commit:
        db.session.commit()
    return customer


def update_customer(customer: Customer, *, name: str, owner_seller_id: int, district_id: int,
                    credit_code: str | None = None, phone: str | None = None, contact_name: str | None = None,
                    address: str | None = None, commit: bool = True) -> dict[str, tuple]:
    """Change a customer's fields, by the rules of `add_customer`; a credit code is checked
    against the other customers only when it changes (two customers stored with one code before
    the rule existed can still have their phone corrected). Returns {field: (old, new)} of what
    changed (empty: nothing did)."""
    credit_code = clean_credit_code(credit_code)
    _checked_customer(name, owner_seller_id, district_id, None if credit_code == customer.credit_code else credit_code,
                      exclude_id=customer.id)
    values = {"name": name.strip(), "name_norm": normalize_name(name), "credit_code": credit_code, "phone": phone,
              "contact_name": contact_name, "address": address, "district_id": district_id,
              "owner_seller_id": owner_seller_id}
    changed = {key: (getattr(customer, key), value) for key, value in values.items() if getattr(customer, key) != value}
    for key, (_old, value) in changed.items():
        setattr(customer, key, value)
    changed.pop("name_norm", None)
    if commit:
        db.session.commit()
    return changed


def _checked_customer(name: str, owner_seller_id: int, district_id: int, credit_code: str | None,
                      exclude_id: int | None = None) -> str | None:
    """The rules of a customer record (add_customer); returns the cleaned credit code."""
    if not name or not name.strip():
        raise DomainError(N_("客户名称不能为空。"), field="name")
    _require_district(district_id, "district_id", N_("客户所在地必须是一个市或区县的行政区划代码。"))
    if db.session.get(Seller, owner_seller_id) is None:
        raise DomainError(N_("没有这个销售方。"), field="owner_seller_id")
    code = clean_credit_code(credit_code)
    if code is not None:
        holder = db.session.scalar(select(Customer).where(Customer.credit_code == code, Customer.id != (exclude_id or 0))
                                   .order_by(Customer.id).limit(1))
        if holder is not None:
            raise CreditCodeTaken(holder)
    return code


def _require_district(district_id: int, field: str, message: str = N_("发货区域必须是一个市或区县的行政区划代码。")) -> Territory:
    """The city or district `district_id`; DomainError(`message`) on `field` otherwise."""
    territory = db.session.get(Territory, district_id)
    if territory is None or territory.level < 2:
        raise DomainError(message, field=field)
    return territory


@dataclass(frozen=True)
class LineInput:
    product_id: int
    qty: int
    unit_price_fen: int


def record_order(*, order_no: str, kind: str, seller_id: int, order_date: date, ship_to_district_id: int,
                 lines: list[LineInput], customer_id: int | None = None, external_id: str | None = None,
                 commit: bool = True) -> SalesOrder:
    """Record an order with its lines. Amounts are qty × unit price, in fen; a line's amount and
    the order's total are at most MAX_AMOUNT_FEN (DomainError on `lines[i]` / `lines`). An order
    whose `external_id` (the ERP's id) is already stored is returned as it is (idempotent push)."""
    return store_order(order_no=order_no, kind=kind, seller_id=seller_id, order_date=order_date,
                       ship_to_district_id=ship_to_district_id, lines=lines, customer_id=customer_id,
                       external_id=external_id, commit=commit)[0]


def store_order(*, order_no: str, kind: str, seller_id: int, order_date: date, ship_to_district_id: int,
                lines: list[LineInput], customer_id: int | None = None, external_id: str | None = None,
                commit: bool = True) -> tuple[SalesOrder, bool]:
    """`record_order`, returning (order, created): created is False when the order stored under
    `external_id` was returned (a caller that checked first may have lost a race to another push)."""
    if external_id:
        existing = db.session.scalar(select(SalesOrder).where(SalesOrder.external_id == external_id))
        if existing is not None:
            return existing, False
    if kind not in (KIND_SELL_IN, KIND_SELL_OUT):
        raise DomainError(N_("订单类型必须是 sell_in 或 sell_out。"), field="kind")
    seller = db.session.get(Seller, seller_id)
    if seller is None:
        raise DomainError(N_("没有这个销售方。"), field="seller_id")
    if kind == KIND_SELL_IN and seller.channel != "agent":
        raise DomainError(N_("进货单的买方必须是代理。"), field="seller_id")
    check_seller_selling(seller.code, seller.deactivated_on, order_date)
    if kind == KIND_SELL_OUT and customer_id is None:
        raise DomainError(N_("销售出库单必须有客户。"), field="customer_id")
    if customer_id is not None and db.session.get(Customer, customer_id) is None:
        raise DomainError(N_("没有这个客户。"), field="customer_id")
    _require_district(ship_to_district_id, "ship_to_district_id")
    check_order_date(order_date)
    if not lines:
        raise DomainError(N_("订单至少要有一行。"), field="lines")
    same_no = db.session.scalar(select(SalesOrder).where(SalesOrder.order_no == order_no))
    if same_no is not None and external_id and same_no.external_id == external_id:
        return same_no, False  # the same push, stored by a concurrent request since the check above
    if same_no is not None:
        raise Conflict(N_("订单号 %(no)s 已存在。"), field="order_no", no=order_no)
    order = SalesOrder(order_no=order_no, external_id=external_id, kind=kind, channel=seller.channel,
                       seller_id=seller_id, customer_id=customer_id, ship_to_district_id=ship_to_district_id,
                       order_date=order_date, total_fen=0)
    db.session.add(order)
    db.session.flush()
    total = 0
    for number, line in enumerate(lines, start=1):
        product = db.session.get(Product, line.product_id)
        if product is None:
            raise DomainError(N_("第 %(n)s 行：没有这个产品。"), field=f"lines[{number - 1}]", n=number)
        if line.qty <= 0:
            raise DomainError(N_("第 %(n)s 行：数量必须大于 0。"), field=f"lines[{number - 1}]", n=number)
        if line.unit_price_fen < 0:
            raise DomainError(N_("第 %(n)s 行：单价不能为负数。"), field=f"lines[{number - 1}]", n=number)
        amount = line_amount_fen(line.qty, line.unit_price_fen, number, field=f"lines[{number - 1}]")
        total += amount
        db.session.add(OrderLine(
            order_id=order.id, line_no=number, product_id=product.id, qty=line.qty, unit_price_fen=line.unit_price_fen,
            unit_cost_fen=product.cost_fen, amount_fen=amount, kind=kind, seller_id=seller_id, order_date=order_date,
            ship_to_district_id=ship_to_district_id,
        ))
    check_order_total(total)
    order.total_fen = total
    if commit:
        db.session.commit()
    return order, True


def record_return(*, return_no: str, order_line_id: int, qty: int, return_date: date,
                  reason: str | None = None, commit: bool = True) -> ReturnLine:
    """Return `qty` units of an order line, refunded at the line's unit price. The total
    returned can never exceed what was sold, nor be dated before the sale; a return number is
    used once per line (Conflict on `return_no`: the table's unique key, said before it fails)."""
    line = db.session.get(OrderLine, order_line_id)
    if line is None:
        raise DomainError(N_("没有这个订单行。"), field="order_line_id")
    if qty <= 0:
        raise DomainError(N_("退货数量必须大于 0。"), field="qty")
    if return_date < line.order_date:
        raise DomainError(N_("退货日期不能早于销售日期。"), field="return_date")
    if db.session.scalar(select(ReturnLine.id).where(ReturnLine.return_no == return_no,
                                                     ReturnLine.order_line_id == order_line_id)) is not None:
        raise Conflict(N_("退货单号 %(no)s 已用于这一行。"), field="return_no", no=return_no)
    already = returned_qty(order_line_id)
    if already + qty > line.qty:
        raise DomainError(N_("退货数量超过了可退数量（还可退 %(left)s）。"), field="qty", left=line.qty - already)
    returned = ReturnLine(return_no=return_no, order_line_id=order_line_id, qty=qty, amount_fen=qty * line.unit_price_fen,
                          return_date=return_date, reason=reason, seller_id=line.seller_id)
    db.session.add(returned)
    if commit:
        db.session.commit()
    return returned


def returned_qty(order_line_id: int) -> int:
    """Units of the order line returned so far (what is left to return is its qty minus this)."""
    return db.session.scalar(
        select(func.coalesce(func.sum(ReturnLine.qty), 0)).where(ReturnLine.order_line_id == order_line_id)
    )


def returns_of_order(order_id: int) -> list[ReturnLine]:
    """Every return against the order's lines, oldest first (with its line, for the line number
    and product). Who may read the order is the caller's rule (`access.require_order`): a
    return is its order line's seller's, so it is visible with the order."""
    return list(db.session.scalars(
        select(ReturnLine).join(OrderLine, ReturnLine.order_line_id == OrderLine.id)
        .where(OrderLine.order_id == order_id)
        .order_by(ReturnLine.return_date, ReturnLine.id)
    ))


def returned_by_line(returns: list[ReturnLine]) -> dict[int, int]:
    """{order line id: units returned} of `returns` (an order's, `returns_of_order`): the order
    page offers 录入退货 on a line while this is below its qty (as `returned_qty`, for many lines)."""
    returned: dict[int, int] = {}
    for item in returns:
        returned[item.order_line_id] = returned.get(item.order_line_id, 0) + item.qty
    return returned
