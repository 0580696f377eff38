"""Who may see what — the one place where access is decided.

Every view, export, API endpoint and CLI listing that shows sellers, customers or orders goes
through these functions. Admins, channel managers, finance and product managers see
everything; an agent user sees its agent and that agent's downline; a sales-rep user sees its
direct seller and (for a manager or director) its team. Anything else is refused: objects
outside the scope answer 404 (their existence is not revealed), and roles without a right
answer 403.
"""
from __future__ import annotations

from sqlalchemy import Select, select

from channel.domain.errors import Forbidden, N_, NotFound
from models import db
from models.sales import Customer, SalesOrder
from models.tree import Seller
from models.users import SELLER_ROLES, User


def seller_scope(user: User):
    """None when `user` sees every seller, else a SELECT of the seller ids it may see."""
    if user.role in SELLER_ROLES:
        from channel.services.tree import subtree_ids

        return subtree_ids(user.seller_id)
    if user.sees_everything:
        return None
    return select(Seller.id).where(Seller.id.is_(None))  # sees nobody


def scope_sellers(query: Select, user: User) -> Select:
    scope = seller_scope(user)
    return query if scope is None else query.where(Seller.id.in_(scope))


def scope_customers(query: Select, user: User) -> Select:
    scope = seller_scope(user)
    return query if scope is None else query.where(Customer.owner_seller_id.in_(scope))


def scope_orders(query: Select, user: User) -> Select:
    scope = seller_scope(user)
    return query if scope is None else query.where(SalesOrder.seller_id.in_(scope))


def can_see_seller(user: User, seller_id: int) -> bool:
    scope = seller_scope(user)
    if scope is None:
        return True
    return db.session.scalar(select(Seller.id).where(Seller.id == seller_id, Seller.id.in_(scope))) is not None


def require_seller(user: User, seller_id: int) -> Seller:
    """The seller, if `user` may see it; NotFound otherwise (also when it does not exist)."""
    seller = db.session.get(Seller, seller_id)
    if seller is None or not can_see_seller(user, seller_id):
        raise NotFound(N_("没有这个销售方，或您无权查看。"))
    return seller


def require_customer(user: User, customer_id: int) -> Customer:
    customer = db.session.get(Customer, customer_id)
    if customer is None or not can_see_seller(user, customer.owner_seller_id):
        raise NotFound(N_("没有这个客户，或您无权查看。"))
    return customer


def require_order(user: User, order_id: int) -> SalesOrder:
    order = db.session.get(SalesOrder, order_id)
    if order is None or not can_see_seller(user, order.seller_id):
        raise NotFound(N_("没有这个订单，或您无权查看。"))
    return order


def require_role(user: User, *roles: str) -> None:
    """Refuse (Forbidden) unless `user` has one of `roles`."""
    if user.role not in roles:
        raise Forbidden(N_("您的角色无权执行此操作。"))


def scope_jobs(query: Select, user: User) -> Select:
    """Background jobs: an administrator sees every job, anyone else the jobs they started."""
    from models.ops import Job
    from models.users import ROLE_ADMIN

    return query if user.role == ROLE_ADMIN else query.where(Job.created_by_id == user.id)


def require_job(user: User, job_id: int):
    from models.ops import Job

    job = db.session.get(Job, job_id)
    if job is None or db.session.scalar(scope_jobs(select(Job.id).where(Job.id == job_id), user)) is None:
        raise NotFound(N_("没有这个任务，或您无权查看。"))
    return job
