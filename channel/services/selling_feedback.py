"""Feedback to product and support requests from agents: recorded by sellers, answered by
product managers (feedback) or channel managers (support); the answer shows to the seller."""
from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from channel.domain import selling as rules
from channel.domain.errors import DomainError, N_
from channel.services import audit
from channel.services.access import require_customer, require_owned, require_role, require_seller, scope_by_seller
from models import db, utcnow
from models.catalog import Product
from models.sales import Customer
from models.selling import SUPPORT_STATUSES, Feedback, SupportRequest
from models.territory import Territory
from models.tree import Seller
from models.users import ROLE_ADMIN, ROLE_MANAGER, ROLE_PRODUCT, User

PRODUCT_TEAM = (ROLE_PRODUCT, ROLE_ADMIN)
SUPPORT_TEAM = (ROLE_MANAGER, ROLE_ADMIN)


def record_feedback(user: User, *, seller_id: int, product_id: int, body: str, customer_id: int | None = None,
                    is_request: bool = False) -> Feedback:
    require_seller(user, seller_id)
    if db.session.get(Product, product_id) is None:
        raise DomainError(N_("没有这个产品。"), field="product_id")
    if customer_id is not None:
        require_customer(user, customer_id)
    if not body.strip():
        raise DomainError(N_("请填写内容。"), field="body")
    item = Feedback(seller_id=seller_id, product_id=product_id, customer_id=customer_id, is_request=is_request,
                    body=body.strip(), created_by_id=user.id)
    db.session.add(item)
    db.session.commit()
    return item


def _province_of_feedback():
    """(joins, expression) of an item's province: the customer's, else the seller's home
    territory's; None when neither is known. `joins` takes a SELECT that has Feedback and Seller."""
    customer_place, seller_place = aliased(Territory), aliased(Territory)

    def joins(query):
        return (query.outerjoin(Customer, Customer.id == Feedback.customer_id)
                .outerjoin(customer_place, customer_place.id == Customer.district_id)
                .outerjoin(seller_place, seller_place.id == Seller.home_territory_id))

    return joins, func.coalesce(customer_place.province_id, seller_place.province_id)


def feedback_query(user: User, *, customer_id: int | None = None, product_id: int | None = None,
                   status: str | None = None, is_request: bool | None = None, channel: str | None = None,
                   province_id: int | None = None):
    """SELECT of the feedback of the sellers `user` may see, newest first, filtered (the feedback
    pages and their export): `is_request` True for feature requests, False for other feedback;
    `channel` the seller's; `province_id` the province as feedback_by_product counts it."""
    query = scope_by_seller(select(Feedback), user, Feedback.seller_id)
    if customer_id is not None:
        query = query.where(Feedback.customer_id == customer_id)
    if product_id is not None:
        query = query.where(Feedback.product_id == product_id)
    if status:
        query = query.where(Feedback.status == status)
    if is_request is not None:
        query = query.where(Feedback.is_request.is_(is_request))
    if channel is not None or province_id is not None:
        query = query.join(Seller, Seller.id == Feedback.seller_id)
        if channel is not None:
            query = query.where(Seller.channel == channel)
        if province_id is not None:
            joins, province = _province_of_feedback()
            query = joins(query).where(province == province_id)
    return query.order_by(Feedback.id.desc())


def feedback_list(user: User, *, customer_id: int | None = None, product_id: int | None = None,
                  status: str | None = None, size: int = 200, **filters) -> list[Feedback]:
    """The first `size` items of feedback_query (the same filters)."""
    return list(db.session.scalars(feedback_query(user, customer_id=customer_id, product_id=product_id,
                                                  status=status, **filters).limit(size)))


def set_feedback_status(user: User, feedback_id: int, *, status: str, reply: str | None) -> Feedback:
    """A product manager's answer: planned / done / declined, and a reply the seller sees."""
    require_role(user, *PRODUCT_TEAM)
    rules.check_pm_status(status)
    item = require_owned(user, Feedback, feedback_id)
    item.status = status
    item.reply = (reply or "").strip() or None
    item.replied_by_id = user.id
    item.replied_at = utcnow()
    audit.record(user.id, "selling.feedback_status", "product_feedback", item.id, {"status": status})
    db.session.commit()
    return item


def feedback_by_product(user: User) -> list[dict]:
    """Per product: the total and counts by status, by kind ("request" for feature requests,
    "feedback" otherwise), by province (of the customer, else of the seller's home territory:
    (province id or None, name or None, n), most first) and by channel; one GROUP BY. Each count
    is the number of items feedback_query returns for the product and that one filter."""
    joins, province_expr = _province_of_feedback()
    province = province_expr.label("province_id")
    query = joins(
        select(Feedback.product_id, Feedback.status, Feedback.is_request, province, Seller.channel, func.count())
        .join(Seller, Seller.id == Feedback.seller_id)
    ).group_by(Feedback.product_id, Feedback.status, Feedback.is_request, province, Seller.channel)
    query = scope_by_seller(query, user, Feedback.seller_id)
    products: dict[int, dict] = {}
    province_ids = set()
    for product_id, status, is_request, province_id, channel, n in db.session.execute(query):
        entry = products.setdefault(product_id, {"total": 0, "status": {}, "kinds": {}, "places": {}, "channels": {}})
        entry["total"] += n
        entry["status"][status] = entry["status"].get(status, 0) + n
        kind = "request" if is_request else "feedback"
        entry["kinds"][kind] = entry["kinds"].get(kind, 0) + n
        entry["places"][province_id] = entry["places"].get(province_id, 0) + n
        entry["channels"][channel] = entry["channels"].get(channel, 0) + n
        province_ids.add(province_id)
    names = dict(db.session.execute(select(Territory.id, Territory.name).where(
        Territory.id.in_([p for p in province_ids if p is not None]))).all()) if province_ids else {}
    catalog = {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(list(products))))} if products else {}
    out = []
    for product_id, entry in sorted(products.items(), key=lambda item: -item[1]["total"]):
        entry["product"] = catalog[product_id]
        entry["places"] = sorted(((pid, names.get(pid), n) for pid, n in entry["places"].items()), key=lambda x: -x[2])
        out.append(entry)
    return out


# --- support requests ----------------------------------------------------------------------


def open_support_request(user: User, *, seller_id: int, subject: str, body: str) -> SupportRequest:
    require_seller(user, seller_id)
    if not subject.strip() or not body.strip():
        raise DomainError(N_("请填写标题和内容。"), field="subject")
    item = SupportRequest(seller_id=seller_id, subject=subject.strip(), body=body.strip(), created_by_id=user.id)
    db.session.add(item)
    db.session.commit()
    return item


def support_query(user: User, *, status: str | None = None):
    """SELECT of the support requests of sellers the user may see, open ones first, newest first."""
    query = scope_by_seller(select(SupportRequest), user, SupportRequest.seller_id)
    if status:
        query = query.where(SupportRequest.status == status)
    order = case((SupportRequest.status == "open", 0), else_=1)
    return query.order_by(order, SupportRequest.id.desc())


def support_requests(user: User, *, status: str | None = None, size: int = 200) -> list[SupportRequest]:
    return list(db.session.scalars(support_query(user, status=status).limit(size)))


def answer_support_request(user: User, request_id: int, *, answer: str, status: str = "answered") -> SupportRequest:
    require_role(user, *SUPPORT_TEAM)
    if status not in SUPPORT_STATUSES:
        raise DomainError(N_("未知的状态。"), field="status")
    item = require_owned(user, SupportRequest, request_id)
    item.answer = answer.strip() or None
    item.status = status
    item.answered_by_id = user.id
    item.answered_at = utcnow()
    db.session.commit()
    return item
