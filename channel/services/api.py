"""The JSON API's resources: what each list returns, how it is filtered and who sees what.

`API_RESOURCES` is a registry: a `Resource` names its URL segment, its scoped query (access
rules come from `channel.services.access` and the list queries from `channel.services.listing`,
so the API shows exactly what the UI shows), its filters, how one row becomes JSON and the JSON
schema of that row (used by the OpenAPI document). Every list is keyset-paginated on `id`
ascending: `?after=<next_cursor>&limit=<1..200>`.

To add a resource after merging a feature: build a `Resource` and call `register(...)`; the
routes, the OpenAPI document and its page follow.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, select

from channel.domain.errors import DomainError, N_, NotFound
from channel.domain.money import MAX_AMOUNT_FEN
from channel.domain.orders import MAX_LINES, MAX_UNIT_PRICE_FEN
from channel.domain.paging import MAX_ID
from channel.domain.periods import iso_date
from channel.domain.text import has_control_characters
from channel.services import listing
from channel.services.access import scope_returns, scope_sellers
from channel.services.tree import seller_by_code
from models import db
from models.catalog import Product
from models.sales import Customer, OrderLine, ReturnLine, SalesOrder
from models.territory import Territory
from models.tree import CHANNEL_AGENT, CHANNEL_DIRECT, Seller
from models.users import User

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


# ---------------------------------------------------------------------------------- parameters

def clean_text(value: str | None, name: str, max_len: int = 200) -> str | None:
    if value is None or value == "":
        return None
    if has_control_characters(value) or len(value) > max_len:
        raise DomainError(N_("参数 %(name)s 无效。"), field=name, name=name)
    return value


def parse_int(value: str | None, name: str, low: int = 1, high: int = MAX_ID) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise DomainError(N_("参数 %(name)s 必须是整数。"), field=name, name=name) from None
    if not low <= number <= high:
        raise DomainError(N_("参数 %(name)s 超出范围（%(low)s–%(high)s）。"), field=name, name=name, low=low, high=high)
    return number


def parse_date(value: str | None, name: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return iso_date(value)
    except ValueError:
        return _bad_date(name)


def _bad_date(name: str):
    raise DomainError(N_("参数 %(name)s 必须是日期（YYYY-MM-DD）。"), field=name, name=name)


@dataclass(frozen=True)
class Filter:
    name: str
    type: str  # 'integer' | 'string' | 'date'
    description: str
    enum: tuple[str, ...] | None = None
    low: int = 1  # smallest accepted integer

    def parse(self, args) -> object:
        raw = args.get(self.name)
        if self.type == "integer":
            return parse_int(raw, self.name, low=self.low, high=99 if self.name == "level" else MAX_ID)
        if self.type == "date":
            return parse_date(raw, self.name)
        value = clean_text(raw, self.name)
        if value is not None and self.enum and value not in self.enum:
            raise DomainError(N_("参数 %(name)s 应为 %(allowed)s 之一。"), field=self.name, name=self.name,
                              allowed=", ".join(self.enum))
        return value


@dataclass
class Resource:
    name: str  # URL segment under /api/v1
    model: type
    summary: str
    query: Callable[[User, dict], Select]  # scoped SELECT of `model`, filters applied
    serialize: Callable[[object, User], dict]
    schema: dict  # JSON schema (OpenAPI) of one serialized row
    filters: tuple[Filter, ...] = ()
    tag: str = ""
    detail_serialize: Callable[[object, User], dict] | None = None
    detail_schema: dict | None = None
    seller_tree: bool = False  # adds /{id}/children, /{id}/subtree, /{id}/uplines
    roles: tuple[str, ...] | None = None  # roles allowed (others 403); None: every user (scoped)

    def parse_filters(self, args) -> dict:
        """The filters' values; a date range ending before it starts is refused on `date_to`, as
        the pages say it beside the field (`channel.web.not_before`), not answered as an empty list."""
        values = {f.name: f.parse(args) for f in self.filters}
        start, end = values.get("date_from"), values.get("date_to")
        if start and end and end < start:
            raise DomainError(N_("参数 %(name)s 不能早于 %(start)s。"), field="date_to", name="date_to", start="date_from")
        return values


API_RESOURCES: dict[str, Resource] = {}


def register(resource: Resource) -> Resource:
    API_RESOURCES[resource.name] = resource
    return resource


def page(resource: Resource, user: User, args) -> dict:
    """One page of `resource` as {"data": [...], "next_cursor": str | None}."""
    filters = resource.parse_filters(args)
    after = parse_int(args.get("after"), "after", low=0)
    limit = parse_int(args.get("limit"), "limit", high=MAX_LIMIT) or DEFAULT_LIMIT
    return keyset(resource.query(user, filters), resource.model, after, limit, lambda row: resource.serialize(row, user))


def keyset(query: Select, model, after: int | None, limit: int, serialize) -> dict:
    if after:
        query = query.where(model.id > after)
    rows = list(db.session.scalars(query.order_by(model.id).limit(limit + 1)))
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return {"data": [serialize(row) for row in rows[:limit]], "next_cursor": next_cursor}


def one(resource: Resource, user: User, row_id: int) -> dict:
    """The row `row_id` if `user` may see it; NotFound otherwise (existence not revealed)."""
    row = db.session.scalar(resource.query(user, {}).where(resource.model.id == row_id)) if row_id <= MAX_ID else None
    if row is None:
        raise NotFound(N_("没有这个对象，或您无权查看。"))
    return (resource.detail_serialize or resource.serialize)(row, user)


# ------------------------------------------------------------------------------------- schemas

def _obj(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties, "required": required or list(properties)}


INT = {"type": "integer"}
NINT = {"type": "integer", "nullable": True}
STR = {"type": "string"}
NSTR = {"type": "string", "nullable": True}
DATE = {"type": "string", "format": "date"}
NDATE = {"type": "string", "format": "date", "nullable": True}
BOOL = {"type": "boolean"}


# -------------------------------------------------------------------------------------- sellers

SELLER_SCHEMA = _obj({
    "id": INT, "code": STR, "name": STR, "channel": {"type": "string", "enum": ["agent", "direct"]}, "level": INT,
    "parent_id": NINT, "active": BOOL, "joined_on": DATE, "home_territory_id": NINT, "payee_type": STR,
})


def seller_json(seller: Seller, user: User | None = None) -> dict:
    return {
        "id": seller.id, "code": seller.code, "name": seller.name, "channel": seller.channel, "level": seller.level,
        "parent_id": seller.parent_id, "active": seller.active, "joined_on": seller.joined_on.isoformat(),
        "home_territory_id": seller.home_territory_id, "payee_type": seller.payee_type,
    }


def _seller_query(channel: str):
    def query(user: User, f: dict) -> Select:
        q = scope_sellers(select(Seller).where(Seller.channel == channel), user)
        if f.get("level"):
            q = q.where(Seller.level == f["level"])
        if f.get("parent_id"):
            q = q.where(Seller.parent_id == f["parent_id"])
        if f.get("code"):
            q = q.where(listing.text_like(Seller.code, f["code"]))
        if f.get("active") is not None:
            q = q.where(Seller.active.is_(f["active"] == "true"))
        return q
    return query


SELLER_FILTERS = (
    Filter("level", "integer", "Level, 1 = top of the channel", low=0),
    Filter("parent_id", "integer", "Direct children of this seller"),
    Filter("code", "string", "Code prefix"),
    Filter("active", "string", "true or false", enum=("true", "false")),
)


def tree_children(resource: Resource, user: User, seller_id: int, args) -> dict:
    one(resource, user, seller_id)
    after = parse_int(args.get("after"), "after", low=0)
    limit = parse_int(args.get("limit"), "limit", high=MAX_LIMIT) or DEFAULT_LIMIT
    query = scope_sellers(select(Seller).where(Seller.parent_id == seller_id), user)
    return keyset(query, Seller, after, limit, seller_json)


def tree_subtree(resource: Resource, user: User, seller_id: int, args) -> dict:
    """The seller's current downline (itself excluded), keyset-paginated on id."""
    from channel.services.tree import subtree_ids

    one(resource, user, seller_id)
    after = parse_int(args.get("after"), "after", low=0)
    limit = parse_int(args.get("limit"), "limit", high=MAX_LIMIT) or DEFAULT_LIMIT
    query = scope_sellers(select(Seller).where(Seller.id.in_(subtree_ids(seller_id, include_self=False))), user)
    return keyset(query, Seller, after, limit, seller_json)


def tree_uplines(resource: Resource, user: User, seller_id: int, args) -> dict:
    """The seller's uplines in force on `on` (today when absent), nearest first, with their
    distance. An agent user sees only the uplines inside its own scope (its own seller and
    below): the company above it is not revealed."""
    from channel.services.access import can_see_seller
    from channel.services.tree import upline_chain

    one(resource, user, seller_id)
    on = parse_date(args.get("on"), "on")
    chain = [(s, d) for s, d in upline_chain(seller_id, on=on) if can_see_seller(user, s.id)]
    return {"data": [dict(seller_json(s), distance=d) for s, d in chain], "next_cursor": None}


# ------------------------------------------------------------------------------ other resources

TERRITORY_SCHEMA = _obj({"id": INT, "name": STR, "level": INT, "parent_id": NINT, "province_id": NINT, "city_id": NINT})


def territory_json(t: Territory, user=None) -> dict:
    return {"id": t.id, "name": t.name, "level": t.level, "parent_id": t.parent_id, "province_id": t.province_id,
            "city_id": t.city_id}


def territory_query(user: User, f: dict) -> Select:
    q = select(Territory)
    if f.get("level") is not None:
        q = q.where(Territory.level == f["level"])
    if f.get("parent_id"):
        q = q.where(Territory.parent_id == f["parent_id"])
    return q


CUSTOMER_SCHEMA = _obj({
    "id": INT, "code": NSTR, "name": STR, "credit_code": NSTR, "contact_name": NSTR, "phone": NSTR, "address": NSTR,
    "district_id": INT, "owner_seller_id": INT,
})


def customer_json(c: Customer, user=None) -> dict:
    return {"id": c.id, "code": c.code, "name": c.name, "credit_code": c.credit_code, "contact_name": c.contact_name,
            "phone": c.phone, "address": c.address, "district_id": c.district_id, "owner_seller_id": c.owner_seller_id}


def _listing_filters(f: dict) -> listing.Filters:
    return listing.Filters(territory_id=f.get("territory_id"), channel=f.get("channel"), seller_id=f.get("seller_id"),
                           kind=f.get("kind"), date_from=f.get("date_from"), date_to=f.get("date_to"), text=f.get("q"))


def customer_query(user: User, f: dict) -> Select:
    return listing.customer_query(user, _listing_filters(f))


PRODUCT_SCHEMA = _obj({
    "id": INT, "sku": STR, "name": STR, "category": STR, "unit": STR, "retail_price_fen": INT,
    "cost_fen": NINT, "has_unit_codes": BOOL, "active": BOOL,
})


def product_json(p: Product, user: User | None = None) -> dict:
    """Cost is shown only to roles that see the whole company."""
    return {"id": p.id, "sku": p.sku, "name": p.name, "category": p.category, "unit": p.unit,
            "retail_price_fen": p.retail_price_fen, "cost_fen": p.cost_fen if user is not None and user.sees_everything else None,
            "has_unit_codes": p.has_unit_codes, "active": p.active}


def product_query(user: User, f: dict) -> Select:
    q = select(Product)
    if f.get("category"):
        q = q.where(Product.category == f["category"])
    if f.get("sku"):
        q = q.where(Product.sku == f["sku"])
    return q


LINE_SCHEMA = _obj({"id": INT, "line_no": INT, "product_id": INT, "qty": INT, "unit_price_fen": INT, "amount_fen": INT})
ORDER_SCHEMA = _obj({
    "id": INT, "order_no": STR, "external_id": NSTR, "kind": {"type": "string", "enum": ["sell_in", "sell_out"]},
    "channel": STR, "seller_id": INT, "customer_id": NINT, "ship_to_district_id": INT, "order_date": DATE, "total_fen": INT,
})
ORDER_DETAIL_SCHEMA = {**ORDER_SCHEMA, "properties": {**ORDER_SCHEMA["properties"], "lines": {"type": "array", "items": LINE_SCHEMA}},
                       "required": ORDER_SCHEMA["required"] + ["lines"]}


def order_json(o: SalesOrder, user=None) -> dict:
    return {"id": o.id, "order_no": o.order_no, "external_id": o.external_id, "kind": o.kind, "channel": o.channel,
            "seller_id": o.seller_id, "customer_id": o.customer_id, "ship_to_district_id": o.ship_to_district_id,
            "order_date": o.order_date.isoformat(), "total_fen": o.total_fen}


def order_detail_json(o: SalesOrder, user=None) -> dict:
    lines = db.session.scalars(select(OrderLine).where(OrderLine.order_id == o.id).order_by(OrderLine.line_no))
    return dict(order_json(o), lines=[{"id": l.id, "line_no": l.line_no, "product_id": l.product_id, "qty": l.qty,
                                       "unit_price_fen": l.unit_price_fen, "amount_fen": l.amount_fen} for l in lines])


def order_query(user: User, f: dict) -> Select:
    return listing.order_query(user, _listing_filters(f))


RETURN_SCHEMA = _obj({"id": INT, "return_no": STR, "order_line_id": INT, "qty": INT, "amount_fen": INT, "return_date": DATE,
                      "reason": NSTR, "seller_id": INT})


def return_json(r: ReturnLine, user=None) -> dict:
    return {"id": r.id, "return_no": r.return_no, "order_line_id": r.order_line_id, "qty": r.qty, "amount_fen": r.amount_fen,
            "return_date": r.return_date.isoformat(), "reason": r.reason, "seller_id": r.seller_id}


def return_query(user: User, f: dict) -> Select:
    q = scope_returns(select(ReturnLine), user)
    if f.get("date_from"):
        q = q.where(ReturnLine.return_date >= f["date_from"])
    if f.get("date_to"):
        q = q.where(ReturnLine.return_date <= f["date_to"])
    if f.get("return_no"):
        q = q.where(ReturnLine.return_no == f["return_no"])
    return q


LIST_FILTERS = (
    Filter("territory_id", "integer", "Inside this territory (adcode)"),
    Filter("channel", "string", "agent or direct", enum=(CHANNEL_AGENT, CHANNEL_DIRECT)),
    Filter("seller_id", "integer", "Of this seller's downline (itself included)"),
    Filter("q", "string", "Text search (customers: name, credit code or phone; orders: order number prefix)"),
)

register(Resource("agents", Seller, "Agents (the pyramid)", _seller_query(CHANNEL_AGENT), seller_json, SELLER_SCHEMA,
                  SELLER_FILTERS, tag="sellers", seller_tree=True))
register(Resource("direct_sellers", Seller, "Direct sellers (the sales team)", _seller_query(CHANNEL_DIRECT), seller_json,
                  SELLER_SCHEMA, SELLER_FILTERS, tag="sellers", seller_tree=True))
register(Resource("territories", Territory, "Administrative divisions (GB/T 2260)", territory_query, territory_json,
                  TERRITORY_SCHEMA, (Filter("level", "integer", "0 country, 1 province, 2 city, 3 district", low=0),
                                     Filter("parent_id", "integer", "Children of this division")), tag="reference"))
register(Resource("customers", Customer, "Customers", customer_query, customer_json, CUSTOMER_SCHEMA, LIST_FILTERS, tag="sales"))
register(Resource("products", Product, "Products", product_query, product_json, PRODUCT_SCHEMA,
                  (Filter("category", "string", "Category"), Filter("sku", "string", "SKU")), tag="reference"))
register(Resource("orders", SalesOrder, "Orders (sell-in and sell-out)", order_query, order_json, ORDER_SCHEMA,
                  LIST_FILTERS + (Filter("kind", "string", "sell_in or sell_out", enum=("sell_in", "sell_out")),
                                  Filter("date_from", "date", "Order date from (inclusive)"),
                                  Filter("date_to", "date", "Order date to (inclusive)")),
                  tag="sales", detail_serialize=order_detail_json, detail_schema=ORDER_DETAIL_SCHEMA))
register(Resource("returns", ReturnLine, "Returns", return_query, return_json, RETURN_SCHEMA,
                  (Filter("date_from", "date", "Return date from (inclusive)"), Filter("date_to", "date", "Return date to (inclusive)"),
                   Filter("return_no", "string", "Return number")), tag="sales"))


# ---------------------------------------------------------------------------------- order push

ORDER_PUSH_SCHEMA = {
    "type": "object",
    "required": ["order_no", "kind", "seller_code", "ship_to_district_id", "order_date", "lines"],
    "properties": {
        "order_no": {"type": "string", "minLength": 1, "maxLength": 40},
        "external_id": {"type": "string", "minLength": 1, "maxLength": 64, "description": "The ERP's order id: a second push with the same id returns the stored order"},
        "kind": {"type": "string", "enum": ["sell_in", "sell_out"]},
        "seller_code": {"type": "string", "minLength": 1, "maxLength": 32},
        "customer_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "ship_to_district_id": {"type": "integer", "minimum": 100000, "maximum": 999999},
        "order_date": {"type": "string", "format": "date", "description": "YYYY-MM-DD, in the years 1900–2999"},
        "lines": {"type": "array", "minItems": 1, "maxItems": MAX_LINES, "items": {
            "type": "object", "required": ["sku", "qty", "unit_price_fen"],
            "properties": {"sku": {"type": "string", "minLength": 1, "maxLength": 32},
                           "qty": {"type": "integer", "minimum": 1, "maximum": 1_000_000_000},
                           "unit_price_fen": {"type": "integer", "minimum": 0, "maximum": MAX_UNIT_PRICE_FEN}},
            "description": f"A line's amount (qty × unit_price_fen) and the order's total are at most {MAX_AMOUNT_FEN} fen"}},
    },
}


def _field(body: dict, name: str, kind: type, required: bool = True, max_len: int = 64, low: int = 0, high: int = MAX_ID):
    value = body.get(name)
    if value is None:
        if required:
            raise DomainError(N_("缺少字段 %(name)s。"), field=name, name=name)
        return None
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise DomainError(N_("字段 %(name)s 必须是 %(low)s 到 %(high)s 之间的整数。"), field=name, name=name, low=low, high=high)
        return value
    if not isinstance(value, str) or not value.strip() or len(value) > max_len or has_control_characters(value):
        raise DomainError(N_("字段 %(name)s 必须是不超过 %(n)s 个字符的文字。"), field=name, name=name, n=max_len)
    return value.strip()


def push_order(user: User, body) -> tuple[SalesOrder, bool]:
    """Record an order pushed by an ERP; returns (order, created). A push whose `external_id`
    is already stored returns the stored order unchanged (idempotent). The seller and the
    customer must be inside `user`'s scope (NotFound otherwise); rules are `record_order`'s."""
    from channel.services.access import require_customer, require_seller
    from channel.services.orders import LineInput, product_by_sku, store_order

    if not isinstance(body, dict):
        raise DomainError(N_("请求体必须是 JSON 对象。"), field="body")
    order_no = _field(body, "order_no", str, max_len=40)
    external_id = _field(body, "external_id", str, required=False, max_len=64)
    kind = _field(body, "kind", str, max_len=10)
    if kind not in ("sell_in", "sell_out"):
        raise DomainError(N_("订单类型必须是 sell_in 或 sell_out。"), field="kind")
    seller_code = _field(body, "seller_code", str, max_len=32)
    customer_id = _field(body, "customer_id", int, required=False, low=1)
    ship_to = _field(body, "ship_to_district_id", int, low=100000, high=999999)
    raw_date = _field(body, "order_date", str, max_len=10)
    try:
        order_date = iso_date(raw_date)
    except ValueError:
        raise DomainError(N_("字段 %(name)s 必须是日期（YYYY-MM-DD）。"), field="order_date", name="order_date") from None
    raw_lines = body.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise DomainError(N_("订单至少要有一行。"), field="lines")
    if len(raw_lines) > MAX_LINES:
        raise DomainError(N_("一个订单最多 %(max)s 行。"), field="lines", max=MAX_LINES)
    if external_id:
        existing = db.session.scalar(select(SalesOrder).where(SalesOrder.external_id == external_id))
        if existing is not None:
            require_seller(user, existing.seller_id)
            return existing, False
    seller = seller_by_code(seller_code)
    if seller is None:
        raise DomainError(N_("销售方编码 %(code)s 不存在。"), field="seller_code", code=seller_code)
    try:
        require_seller(user, seller.id)
    except NotFound as error:
        error.field = "seller_code"
        raise
    if customer_id is not None:
        try:
            require_customer(user, customer_id)
        except NotFound as error:
            error.field = "customer_id"
            raise
    lines = []
    for index, raw in enumerate(raw_lines):
        if not isinstance(raw, dict):
            raise DomainError(N_("订单行必须是 JSON 对象。"), field=f"lines[{index}]")
        try:
            sku = _field(raw, "sku", str, max_len=32)
            qty = _field(raw, "qty", int, low=1, high=1_000_000_000)
            price = _field(raw, "unit_price_fen", int, low=0, high=MAX_UNIT_PRICE_FEN)
        except DomainError as error:
            error.field = f"lines[{index}].{error.field}"
            raise
        product = product_by_sku(sku)
        if product is None:
            raise DomainError(N_("SKU %(sku)s 不存在。"), field=f"lines[{index}].sku", sku=sku)
        lines.append(LineInput(product_id=product.id, qty=qty, unit_price_fen=price))
    order, created = store_order(order_no=order_no, kind=kind, seller_id=seller.id, order_date=order_date,
                                 ship_to_district_id=ship_to, lines=lines, customer_id=customer_id, external_id=external_id)
    if not created:  # another push of this external_id was stored since the check above
        require_seller(user, order.seller_id)
    return order, created


# Resources of the features merged after the exchange (statements, conflict cases, code scans,
# payouts): registered here so that they exist before the API blueprint builds its routes.
from channel.services import api_features  # noqa: E402,F401
