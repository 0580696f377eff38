"""Customers entered by people (the New / Edit customer pages): who may file a customer under
which seller (`access.may_file_customers_under`), 撞单 prevention before anything is saved, and
the audit of every change. The rules of the record itself (a name, a city or district, a known
owner, a valid credit code that no other customer has) are `orders.add_customer` /
`orders.update_customer`'s, shared with the imports.

Duplicates: a credit code already on another customer is refused, naming that customer only
to a user who may see it. A customer whose name and phone look like a stored one's (the
registrations' matcher, `conflicts.similar_customers`) is saved only with `save_anyway`;
the refusal lists the look-alikes the user may see and counts those it may not.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from channel.domain.customers import normalize_name, normalize_phone
from channel.domain.errors import Conflict, DomainError, N_
from channel.services import conflicts as detection
from channel.services import orders
from channel.services.access import (CUSTOMER_FILERS, can_see_seller, may_file_customers_under,
                                     require_customer_editor, require_role)
from channel.services.audit import record
from channel.services.tree import seller_by_code
from models import db
from models.sales import Customer
from models.territory import COUNTRY_ID, Territory
from models.tree import Seller
from models.users import User


@dataclass
class CustomerFields:
    """What a person types. `owner_code` empty: the user's own seller (new customer) or the
    current owner (edit). Blank optional texts are stored as None."""

    name: str
    district_id: int | None
    owner_code: str | None = None
    credit_code: str | None = None
    phone: str | None = None
    contact_name: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class LookAlike:
    """A stored customer like the one being saved (plain values: the session was rolled back)."""

    id: int
    name: str
    phone: str | None
    district: str
    owner_code: str
    score: int  # 0..100, domain.conflicts.match_score


class LikelyDuplicates(Conflict):
    """Nothing saved: stored customers look like this one. `shown`: those the user may see,
    best first; `hidden`: how many more there are that it may not see."""

    def __init__(self, shown: list[LookAlike], hidden: int):
        super().__init__(N_("这个客户可能已经登记过：请核对页面上方的相似客户；确认不是同一客户后，勾选“仍然保存”再提交。"),
                         field="save_anyway")
        self.shown, self.hidden = shown, hidden


def may_add_customers(user: User) -> bool:
    return user.role in CUSTOMER_FILERS


def may_edit_customer(user: User, customer: Customer) -> bool:
    """Whether the Edit link is offered on a customer page `user` already sees."""
    return user.role in CUSTOMER_FILERS and may_file_customers_under(user, customer.owner_seller_id)


def default_owner_code(user: User) -> str:
    return user.seller.code if user.seller_id else ""


def add_customer(user: User, fields: CustomerFields, *, save_anyway: bool = False) -> Customer:
    """A new customer filed by `user` (one commit, audited as customers.add). Forbidden for a
    role that files no customers; DomainError on 'owner' (see `_owner`) and the fields of
    orders.add_customer; LikelyDuplicates unless `save_anyway`."""
    require_role(user, *CUSTOMER_FILERS)
    owner = _owner(user, fields.owner_code, current=None)
    try:
        customer = orders.add_customer(owner_seller_id=owner.id, commit=False, **_record_values(fields))
        db.session.flush()
    except orders.CreditCodeTaken as taken:
        raise _as_seen_by(user, taken) from None
    _refuse_look_alikes(user, customer, save_anyway)
    record(user.id, "customers.add", "customer", customer.id, {"owner": owner.code, "name": customer.name})
    db.session.commit()
    return customer


def edit_customer(user: User, customer_id: int, fields: CustomerFields, *, save_anyway: bool = False) -> dict:
    """Change customer `customer_id` (one commit). NotFound / Forbidden as
    access.require_customer_editor decides; a new owner is a transfer, allowed only to a seller
    `user` may file customers under, audited as customers.transfer (other changes as
    customers.edit). The look-alike check runs when the name, phone or credit code changes.
    Returns {field: (old, new)} of what changed."""
    customer = require_customer_editor(user, customer_id)
    old_owner = customer.owner
    owner = _owner(user, fields.owner_code, current=old_owner)
    try:
        changed = orders.update_customer(customer, owner_seller_id=owner.id, commit=False, **_record_values(fields))
        db.session.flush()
    except orders.CreditCodeTaken as taken:
        db.session.rollback()
        raise _as_seen_by(user, taken) from None
    except DomainError:
        db.session.rollback()
        raise
    if not changed:
        return changed
    if changed.keys() & {"name", "phone", "credit_code"}:
        _refuse_look_alikes(user, customer, save_anyway)
    detail = {key: [old, new] for key, (old, new) in changed.items()}
    if "owner_seller_id" in changed:
        detail["owner_seller_id"] = [old_owner.code, owner.code]
    record(user.id, "customers.transfer" if "owner_seller_id" in changed else "customers.edit", "customer",
           customer.id, detail)
    db.session.commit()
    return changed


def divisions_under(parent_id: int) -> list[tuple[int, str, int]]:
    """The divisions directly under `parent_id` (COUNTRY_ID: the provinces) as (code, name,
    level), by code: the province → city → district chooser's options."""
    return [tuple(row) for row in db.session.execute(
        select(Territory.id, Territory.name, Territory.level).where(Territory.parent_id == parent_id)
        .order_by(Territory.id))]


def chosen_divisions(district_id: int | None) -> list[int]:
    """The province, city and district codes the chooser shows for a stored district (those
    that exist), top first."""
    territory = db.session.get(Territory, district_id) if district_id else None
    if territory is None:
        return []
    chain = [territory.province_id, territory.city_id, territory.id]
    return [code for i, code in enumerate(chain) if code and code != COUNTRY_ID and code not in chain[:i]]


# ---- the rules of this page ------------------------------------------------------------------

def _owner(user: User, code: str | None, current: Seller | None) -> Seller:
    """The seller named by `code` (empty: `current`, else the user's own). DomainError on
    'owner': an unknown code and one outside what `user` sees answer alike; a seller it sees but
    may not file customers under (a rep: any but itself) is refused in words; a new owner must
    be active (a transfer to, or a new customer of, a deactivated seller)."""
    code = (code or "").strip()
    if not code:
        seller = current or (user.seller if user.seller_id else None)
        if seller is None:
            raise DomainError(N_("请填写归属销售方编码。"), field="owner")
    else:
        seller = seller_by_code(code)
        if seller is None or not can_see_seller(user, seller.id):
            raise DomainError(N_("没有编码为 %(code)s 的销售方。"), field="owner", code=code)
    if seller is current:
        return seller
    if not may_file_customers_under(user, seller.id):
        raise DomainError(N_("您不能把客户归给 %(code)s：销售代表只能登记自己的客户。"), field="owner", code=seller.code)
    if not seller.active:
        raise DomainError(N_("销售方 %(code)s 已停用，不能再归属客户。"), field="owner", code=seller.code)
    return seller


def _record_values(fields: CustomerFields) -> dict:
    def blank(text: str | None) -> str | None:
        return (text or "").strip() or None

    return {"name": fields.name or "", "district_id": fields.district_id or 0, "credit_code": blank(fields.credit_code),
            "phone": blank(fields.phone), "contact_name": blank(fields.contact_name), "address": blank(fields.address)}


def _as_seen_by(user: User, taken: orders.CreditCodeTaken) -> DomainError:
    """The refusal of a taken credit code as `user` may read it: the holder named (`taken`, its
    `customer` for a link) when it may see it, else only that it exists and whom to ask."""
    if can_see_seller(user, taken.customer.owner_seller_id):
        return taken
    return Conflict(N_("统一社会信用代码 %(code)s 已登记为另一个客户（不在您的查看范围内）：请联系渠道经理核实归属。"),
                    field="credit_code", code=taken.params["code"])


def _refuse_look_alikes(user: User, customer: Customer, save_anyway: bool) -> None:
    """LikelyDuplicates (the session rolled back: nothing saved) when stored customers look like
    `customer` and the user has not confirmed."""
    if save_anyway:
        return
    province_id = db.session.get(Territory, customer.district_id).province_id
    found = detection.similar_customers(normalize_name(customer.name), normalize_phone(customer.phone),
                                        customer.credit_code, province_id, exclude_id=customer.id)
    if not found:
        return
    shown, hidden = [], 0
    for customer_id, score, _reason in found:
        other = db.session.get(Customer, customer_id)
        if can_see_seller(user, other.owner_seller_id):
            shown.append(LookAlike(other.id, other.name, other.phone, other.district.name, other.owner.code, score))
        else:
            hidden += 1
    db.session.rollback()
    raise LikelyDuplicates(shown, hidden)

