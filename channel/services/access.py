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
from models.users import FIELD_ROLES, MANAGING_ROLES, ROLE_AGENT, ROLE_SALES_REP, SELLER_ROLES, User


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


def scope_returns(query: Select, user: User) -> Select:
    """Return lines of the sellers `user` may see (a return belongs to its order line's seller)."""
    from models.sales import ReturnLine

    scope = seller_scope(user)
    return query if scope is None else query.where(ReturnLine.seller_id.in_(scope))


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


# --- payouts: finance and admins see every payout; a payee user sees its OWN payouts only (not
# its downline's or team's: pay is private to each payee). Other roles see none.
PAYOUT_STAFF = ("finance", "admin")


def require_payout_row(user: User, row_id: int):
    """The payout row, if `user` may see it; NotFound otherwise (also when it does not exist).
    A payee sees only its own rows of approved, exported or paid batches."""
    from channel.services.payouts import VISIBLE_TO_PAYEE_BATCHES, VISIBLE_TO_PAYEE_ROWS
    from models.payouts import PayoutRow

    row = db.session.get(PayoutRow, row_id)
    if row is not None and user.role in PAYOUT_STAFF:
        return row
    if (row is None or user.role not in SELLER_ROLES or row.payee_id != user.seller_id
            or row.status not in VISIBLE_TO_PAYEE_ROWS or row.batch.status not in VISIBLE_TO_PAYEE_BATCHES):
        raise NotFound(N_("没有这条付款记录，或您无权查看。"))
    return row


# --- selling: activities, tasks, opportunities, feedback, support requests -----------------
# Each of these objects belongs to one seller (`seller_id`); a user sees it when it may see
# that seller (an agent: its own and its downline's; a rep: its own and its team's).


def scope_by_seller(query: Select, user: User, seller_column) -> Select:
    """Restrict `query` to rows whose `seller_column` is a seller `user` may see."""
    scope = seller_scope(user)
    return query if scope is None else query.where(seller_column.in_(scope))


def require_owned(user: User, model, object_id: int, message: str = N_("没有这条记录，或您无权查看。")):
    """The `model` row (which has a seller_id) if `user` may see its seller; NotFound otherwise."""
    obj = db.session.get(model, object_id)
    if obj is None or not can_see_seller(user, obj.seller_id):
        raise NotFound(message)
    return obj


# ---- conflict cases (the conflicts feature) -------------------------------------------------
# Staff who see everything see every case; an agent or a rep sees only the cases where its own
# seller is the offender or the harmed party, and of the evidence only the details of its own
# rows (the other party's customers, prices and order numbers stay hidden).
CASE_RULERS = ("admin", "channel_manager")


def scope_cases(query: Select, user: User) -> Select:
    from models.conflicts import ConflictCase

    if user.sees_everything:
        return query
    if user.role in SELLER_ROLES and user.seller_id:
        return query.where((ConflictCase.offender_id == user.seller_id) | (ConflictCase.harmed_id == user.seller_id))
    return query.where(ConflictCase.id.is_(None))


def require_case(user: User, case_id: int):
    """The case, if `user` may see it; NotFound otherwise (also when it does not exist)."""
    from models.conflicts import ConflictCase

    found = db.session.scalar(scope_cases(select(ConflictCase).where(ConflictCase.id == case_id), user))
    if found is None:
        raise NotFound(N_("没有这个冲突案件，或您无权查看。"))
    return found


def sees_evidence_detail(user: User, owner_seller_id: int | None) -> bool:
    """Whether `user` may see the details (customer, price, order number, who scanned) of an
    evidence row belonging to `owner_seller_id`."""
    return user.sees_everything or (owner_seller_id is not None and owner_seller_id == user.seller_id)


def require_case_ruler(user: User) -> None:
    require_role(user, *CASE_RULERS)

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


# ---- code scans and payout rows in the JSON API (the exchange feature) -----------------------
# Staff who see everything see every scan; an agent or a rep sees the scans of codes shipped to
# a seller it may see (the scan's bound agent). Who scanned is for staff only (as on case pages).


def scope_scans(query: Select, user: User) -> Select:
    from models.conflicts import CodeScan

    scope = seller_scope(user)
    return query if scope is None else query.where(CodeScan.agent_id.in_(scope))


def scope_payout_rows(query: Select, user: User) -> Select:
    """Payout rows `user` may see, as `require_payout_row` decides one by one: finance and
    admins every row; a payee its own visible rows; any other role none."""
    from channel.services.payouts import VISIBLE_TO_PAYEE_BATCHES, VISIBLE_TO_PAYEE_ROWS
    from models.payouts import PayoutBatch, PayoutRow

    if user.role in PAYOUT_STAFF:
        return query
    if user.role in SELLER_ROLES and user.seller_id:
        return query.where(PayoutRow.payee_id == user.seller_id, PayoutRow.status.in_(VISIBLE_TO_PAYEE_ROWS),
                           PayoutRow.batch_id.in_(select(PayoutBatch.id).where(
                               PayoutBatch.status.in_(VISIBLE_TO_PAYEE_BATCHES))))
    return query.where(PayoutRow.id.is_(None))


# ---- import runs (the exchange feature) --------------------------------------------------------
# An administrator sees every import run; finance and channel managers the runs they started.


def scope_import_runs(query: Select, user: User) -> Select:
    from models.exchange import ImportRun
    from models.users import ROLE_ADMIN

    return query if user.role == ROLE_ADMIN else query.where(ImportRun.created_by_id == user.id)


# ---- statement inquiries (the commissions feature) -------------------------------------------
# An inquiry is seen by whoever may see its payee's statement (`seller_scope` on the payee):
# an agent its own and its downline's, a rep its own and its team's, staff every one.


def scope_inquiries(query: Select, user: User) -> Select:
    from models.commissions import StatementInquiry

    return scope_by_seller(query, user, StatementInquiry.payee_id)


def require_inquiry(user: User, inquiry_id: int):
    """The inquiry, if `user` may see its payee's statement; NotFound otherwise (also when it
    does not exist)."""
    from models.commissions import StatementInquiry

    found = db.session.scalar(scope_inquiries(select(StatementInquiry).where(StatementInquiry.id == inquiry_id), user))
    if found is None:
        raise NotFound(N_("没有这条对账疑问，或您无权查看。"))
    return found


# ---- customer records (the sales feature's New / Edit customer pages) -------------------------
# A sales rep files customers under itself only; an agent under itself or a seller of its
# downline; admins and channel managers under any seller. Other roles file none. Editing a
# customer takes the same right over its current owner (and, for a transfer, over the new one).
CUSTOMER_FILERS = FIELD_ROLES


def may_file_customers_under(user: User, seller_id: int) -> bool:
    if user.role in MANAGING_ROLES:
        return True
    if user.role == ROLE_SALES_REP:
        return seller_id == user.seller_id
    return user.role == ROLE_AGENT and can_see_seller(user, seller_id)


def require_customer_editor(user: User, customer_id: int) -> Customer:
    """The customer, if `user` may edit it: NotFound when it may not see it (or there is none),
    Forbidden when it sees it but may not file customers under its owner (finance, a director
    looking at a rep's customer)."""
    customer = require_customer(user, customer_id)
    if not may_file_customers_under(user, customer.owner_seller_id):
        raise Forbidden(N_("您无权编辑这个客户。"))
    return customer
