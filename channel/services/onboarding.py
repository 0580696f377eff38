"""Onboarding on the pages: a new agent or direct seller (with a first territory grant, in one
transaction), and the edit of a seller's details — everything but its place in the tree, which
moves and deactivations change (channel.services.tree).

The tree rules stay in `tree.add_seller` and `tree.grant_territory` (the recruitment approval
calls them too); this module adds what a person typing on a form needs checked first.
"""
from __future__ import annotations

from datetime import date

from channel.domain.customers import clean_credit_code
from channel.domain.errors import DomainError, N_
from channel.domain.text import has_control_characters
from channel.domain.tree import check_not_ahead
from channel.services import audit, tree
from channel.services.access import can_see_seller, require_role, require_seller
from channel.services.clock import business_today
from models import db
from models.territory import Territory
from models.tree import CHANNEL_DIRECT, CHANNELS, PAYEE_COMPANY, PAYEE_EMPLOYEE, PAYEE_TYPES, Seller
from models.users import MANAGING_ROLES, User

EDITORS = MANAGING_ROLES  # who adds sellers and edits their details (and moves them: tree.views)
# The seller columns a person edits here, with their VARCHAR sizes (None: not free text).
DETAILS = {"name": 200, "payee_type": None, "credit_code": None, "contact_name": 64, "phone": 32,
           "home_territory_id": None, "bank_name": 100, "bank_account": 64}


def _clean_details(details: dict) -> dict:
    """The details with text trimmed (empty → None), the credit code checked and upper-cased,
    the payee type and home territory known. Raises DomainError on the field at fault."""
    unknown = set(details) - set(DETAILS)
    if unknown:
        raise ValueError(f"not seller details: {sorted(unknown)}")
    clean = {}
    for field, value in details.items():
        if isinstance(value, str):
            value = value.strip() or None
        size = DETAILS[field]
        if size is not None and value is not None and len(value) > size:
            raise DomainError(N_("太长了（最多 %(n)s 个字符）。"), field=field, n=size)
        if isinstance(value, str) and has_control_characters(value):
            raise DomainError(N_("不能包含控制字符。"), field=field)
        clean[field] = value
    if "name" in clean and not clean["name"]:
        raise DomainError(N_("请填写名称。"), field="name")
    if clean.get("payee_type") is not None and clean["payee_type"] not in PAYEE_TYPES:
        raise DomainError(N_("没有这个收款类型。"), field="payee_type")
    if "credit_code" in clean:
        clean["credit_code"] = clean_credit_code(clean["credit_code"])
    territory_id = clean.get("home_territory_id")
    if territory_id is not None and db.session.get(Territory, territory_id) is None:
        raise DomainError(N_("没有这个行政区划。"), field="home_territory_id")
    return clean


def onboard_seller(user: User, *, code: str, channel: str, level: int, upline_code: str | None, joined_on: date,
                   territory_id: int | None = None, exclusive: bool = True, **details) -> Seller:
    """A new seller of `channel` at `level` under the seller coded `upline_code` (None: a
    top-level seller), from `joined_on` (not after today in Beijing), with its closure rows and,
    when `territory_id` is given, a grant of that territory from the same day; one commit, or
    nothing at all. `details` are seller columns of DETAILS; the payee type defaults by channel
    (employee for direct sellers, company for agents). Raises Forbidden for other roles than
    EDITORS, DomainError naming the field: code (taken), level, parent (unknown, inactive, of
    another channel, not of a higher level), joined_on, territory (unknown, an exclusive
    grant overlapping another's: Conflict), or a detail."""
    require_role(user, *EDITORS)
    if channel not in CHANNELS:
        raise DomainError(N_("请选择渠道和层级。"), field="level")
    check_not_ahead(joined_on, business_today())
    code = (code or "").strip()
    if not code:
        raise DomainError(N_("请填写编码。"), field="code")
    if has_control_characters(code):
        raise DomainError(N_("不能包含控制字符。"), field="code")
    parent_id = None
    if upline_code and upline_code.strip():
        if has_control_characters(upline_code):
            raise DomainError(N_("不能包含控制字符。"), field="parent")
        upline = tree.seller_by_code(upline_code)
        if upline is None or not can_see_seller(user, upline.id):  # out of sight: as if unknown
            raise DomainError(N_("没有编码为 %(code)s 的销售方。"), field="parent", code=upline_code.strip())
        parent_id = upline.id
    clean = _clean_details(details)
    if not clean.get("payee_type"):
        clean["payee_type"] = PAYEE_EMPLOYEE if channel == CHANNEL_DIRECT else PAYEE_COMPANY
    try:
        seller = tree.add_seller(code=code, channel=channel, level=level, parent_id=parent_id, joined_on=joined_on,
                                 added_by_id=user.id, commit=False, **clean)
        if territory_id is not None:
            tree.grant_territory(seller.id, territory_id, exclusive=exclusive, valid_from=joined_on,
                                 granted_by_id=user.id, commit=False)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return seller


def edit_seller_details(user: User, seller_id: int, **details) -> Seller:
    """Change a seller's details (DETAILS: name, payee type, credit code, contact, home
    territory, bank); its place in the tree is not one of them. Audited as 'tree.edit' with
    each changed field's before and after; nothing changed, nothing recorded. Raises Forbidden
    for other roles than EDITORS, NotFound for a seller out of the user's sight, DomainError on
    the field at fault."""
    require_role(user, *EDITORS)
    seller = require_seller(user, seller_id)
    clean = _clean_details(details)
    if "payee_type" in clean and clean["payee_type"] is None:
        raise DomainError(N_("没有这个收款类型。"), field="payee_type")
    changes = {field: {"before": getattr(seller, field), "after": value}
               for field, value in clean.items() if getattr(seller, field) != value}
    if changes:
        for field, change in changes.items():
            setattr(seller, field, change["after"])
        audit.record(user.id, "tree.edit", "seller", seller.id, {"changes": changes})
        db.session.commit()
    return seller

