"""Route-level access, declared next to each route and enforced by the same decorator.

    @bp.route("/payouts")
    @allow(ROLE_FINANCE, ROLE_ADMIN)       # these roles; others get 403, anonymous users the login page
    def payouts(): ...

    @allow(ANY_USER)   every logged-in user (object-level rules then apply in the services)
    @allow(PUBLIC)     no login needed (login page, health check, static API docs)

The access-matrix test walks every registered route and fails when one has no declaration.
Object-level rules (an agent sees only its downline) live in channel/services/access.py.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from extensions import login_manager
from models.users import ROLES

ANY_USER = "*"
PUBLIC = "public"


def allow(*roles: str):
    unknown = set(roles) - set(ROLES) - {ANY_USER, PUBLIC}
    if unknown or not roles:
        raise ValueError(f"unknown roles in @allow: {sorted(unknown)}")

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if PUBLIC not in roles:
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                if ANY_USER not in roles and current_user.role not in roles:
                    abort(403)
            return view(*args, **kwargs)

        if PUBLIC in roles:
            wrapper.allowed_roles = PUBLIC
        elif ANY_USER in roles:
            wrapper.allowed_roles = frozenset(ROLES)
        else:
            wrapper.allowed_roles = frozenset(roles)
        return wrapper

    return decorate
