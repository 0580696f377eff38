"""Every registered route × every role (and anonymous), with the expectation read from the
route's own `@allow` declaration: allowed roles pass the role gate (no 403, no login page),
other roles get 403, anonymous users the login page. A route without a declaration fails here.

This checks role-level access; object-level access (an agent and another branch's order) is
tested object by object in test_access.py and the features' own tests. URL parameters are
filled with ids of objects the role may see; a parameter name unknown here gets a harmless
sample value (the role gate answers before any object is looked up).
"""
from __future__ import annotations

import pytest
from flask import url_for
from werkzeug.routing import IntegerConverter

from channel.permissions import PUBLIC
from models.users import ROLES
from tests.ops_fixtures import add_job, add_product_manager

# Endpoints that are not views of ours: they need no declaration.
UNDECLARED_OK = {"static", "bootstrap.static"}
# One user of each role in tests/world.py (the product manager is added here).
USER_OF_ROLE = {"admin": "admin", "channel_manager": "manager", "finance": "finance", "agent": "agent_gd",
                "sales_rep": "rep1", "product_manager": "pm"}


def _params(rule, world, job_ids, role) -> dict:
    own = {"agent": (world.GD, world.cust_ns, world.order_ns), "sales_rep": (world.REP1, world.cust_rep1, world.order_rep1)}
    seller, customer, order = own.get(role, (world.NS, world.cust_ns, world.order_ns))
    known = {"seller_id": seller.id, "customer_id": customer.id, "order_id": order.id, "code": "zh",
             "job_id": job_ids.get(role, 1), "user_id": world.user_finance2.id, "fmt": "csv"}
    values = {}
    for name in rule.arguments:
        if name in (rule.defaults or {}):
            continue  # fixed by the rule itself (e.g. /cases.csv sets fmt)
        if name in known:
            values[name] = known[name]
        else:
            converter = rule._converters.get(name)
            values[name] = 1 if isinstance(converter, IntegerConverter) else "x"
    return values


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in UNDECLARED_OK:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_declares_who_may_use_it(app):
    missing = [rule.rule for rule in app.url_map.iter_rules()
               if rule.endpoint not in UNDECLARED_OK and getattr(app.view_functions[rule.endpoint], "allowed_roles", None) is None]
    assert missing == [], f"routes without @allow(...): {missing}"


def test_the_matrix_fails_for_a_route_without_a_declaration(app):
    @app.route("/undeclared-for-test")
    def undeclared():
        return "x"

    missing = [r.rule for r in app.url_map.iter_rules()
               if r.endpoint not in UNDECLARED_OK and getattr(app.view_functions[r.endpoint], "allowed_roles", None) is None]
    assert missing == ["/undeclared-for-test"]


def _request(client, method, path):
    return client.open(path, method=method, data={}, headers={"Accept": "text/html"})


@pytest.mark.parametrize("role", [None, *ROLES], ids=["anonymous", *ROLES])
def test_each_role_meets_the_declared_gate_on_every_route(app, world, role):
    add_product_manager()
    from sqlalchemy import select

    from models import db
    from models.users import User

    job_ids = {}
    for r, username in USER_OF_ROLE.items():
        job_ids[r] = add_job(db.session.scalar(select(User).where(User.username == username))).id
    failures = []
    for rule, method in _routes(app):
        declared = app.view_functions[rule.endpoint].allowed_roles
        with app.test_request_context():
            path = url_for(rule.endpoint, **_params(rule, world, job_ids, role))
        client = app.test_client()
        if role is not None:
            response = client.post("/login", data={"username": USER_OF_ROLE[role], "password": "secret-pass"})
            assert response.status_code == 302, f"login as {role}"
        response = _request(client, method, path)
        status, location = response.status_code, response.headers.get("Location", "")
        response.close()  # a streamed export holds its database session until closed
        # the role gate sends anonymous users to the login page with ?next= (a logout lands there without)
        to_login = status == 302 and "/login?next=" in location
        if declared == PUBLIC:
            ok = status not in (401, 403) and not to_login
            expected = "public"
        elif role is None and rule.rule.startswith("/api/"):
            ok, expected = status == 401, "401 (JSON API)"
        elif role is None:
            ok, expected = to_login, "login page"
        elif role in declared:
            ok, expected = status not in (401, 403, 500) and not to_login, "allowed"
        else:
            ok, expected = status == 403, "403"
        if not ok:
            failures.append(f"{method} {path} ({rule.endpoint}) as {role or 'anonymous'}: expected {expected}, got {status} {location}")
    assert failures == []
