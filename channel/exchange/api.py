"""The JSON API under /api/v1 (a blueprint nested in the exchange blueprint).

Authentication: `Authorization: Bearer <token>` (a personal token; CSRF does not apply, since a
browser never sends it by itself), or the browser session (then writes need the CSRF token, like
any form). Every route goes through the same services and access rules as the HTML pages.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import WWWAuthenticate

from channel.permissions import ANY_USER, PUBLIC, allow
from channel.services import api as resources
from extensions import csrf, login_manager
from models import db
from models.users import ROLE_ADMIN, ROLE_AGENT, ROLE_MANAGER, ROLE_SALES_REP

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # re-checked in `authenticate` for session-authenticated writes


def _rate_key() -> str:
    user = getattr(g, "api_user", None)
    return f"user:{user.id}" if user is not None else get_remote_address()


limiter = Limiter(key_func=_rate_key, default_limits=[])  # storage: RATELIMIT_STORAGE_URI, default memory://
rate_limited = limiter.limit(lambda: current_app.config.get("API_RATE_LIMIT", "300 per minute"))


def load_token_user(req):
    """Flask-Login request loader: a Bearer token authenticates /api/ requests only."""
    if not req.path.startswith("/api/"):
        return None
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    from channel.services.api_tokens import user_for_token

    user = user_for_token(header[7:].strip())
    if user is not None:
        g.api_user = user
    return user


@bp.record_once
def _setup(state) -> None:
    state.app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")  # one process; set Redis for several
    limiter.init_app(state.app)
    login_manager.request_loader(load_token_user)


PUBLIC_ENDPOINTS = {"exchange.api.openapi", "exchange.api.docs"}


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        if request.headers.get("Authorization", "").startswith("Bearer "):  # sent, but no live token
            abort(401, description=_("API 令牌无效或已被吊销（或其用户已停用）：请在“API 令牌”页面创建一个新令牌。"),
                  www_authenticate=WWWAuthenticate("bearer", {"error": "invalid_token"}))
        abort(401, description=_("请在 Authorization 头中发送 API 令牌：Bearer <令牌>。"),
              www_authenticate=WWWAuthenticate("bearer"))
    if getattr(g, "api_user", None) is None and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()  # a cookie-authenticated write needs the CSRF token
    return None


@bp.after_request
def no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.route("/openapi.json")
@allow(PUBLIC)
def openapi():
    from channel.exchange.openapi import build_spec

    return jsonify(build_spec(url_for("exchange.api.openapi").rsplit("/", 1)[0]))


@bp.route("/docs")
@allow(PUBLIC)
def docs():
    from channel.exchange.openapi import build_spec

    return render_template("exchange/api_docs.html", spec=build_spec(url_for("exchange.api.openapi").rsplit("/", 1)[0]))


def _make_views(resource: resources.Resource) -> None:
    name = resource.name
    roles = resource.roles or (ANY_USER,)

    @rate_limited
    @allow(*roles)
    def list_view():
        return jsonify(resources.page(resource, current_user, request.args))

    @rate_limited
    @allow(*roles)
    def detail_view(id: int):
        return jsonify(resources.one(resource, current_user, id))

    list_view.__name__ = f"list_{name}"
    detail_view.__name__ = f"get_{name}"
    bp.add_url_rule(f"/{name}", endpoint=f"list_{name}", view_func=list_view, methods=["GET"])
    bp.add_url_rule(f"/{name}/<int:id>", endpoint=f"get_{name}", view_func=detail_view, methods=["GET"])
    if resource.seller_tree:
        for what, fn in (("children", resources.tree_children), ("subtree", resources.tree_subtree),
                         ("uplines", resources.tree_uplines)):
            def tree_view(id: int, fn=fn):
                return jsonify(fn(resource, current_user, id, request.args))

            tree_view.__name__ = f"{name}_{what}"
            view = rate_limited(allow(ANY_USER)(tree_view))
            bp.add_url_rule(f"/{name}/<int:id>/{what}", endpoint=f"{name}_{what}", view_func=view, methods=["GET"])


for _resource in list(resources.API_RESOURCES.values()):
    _make_views(_resource)


@bp.route("/orders", methods=["POST"])
@rate_limited
@allow(ROLE_ADMIN, ROLE_MANAGER, ROLE_AGENT, ROLE_SALES_REP)
def push_order():
    """Push one order (JSON body, see the OrderPush schema): 201 when stored now, 200 with the
    stored order when its external_id was pushed before."""
    from channel.services.imports import after_order_lines
    from models.sales import OrderLine

    body = request.get_json(silent=True)
    try:
        order, created = resources.push_order(current_user, body)
    except IntegrityError:
        # two pushes of one external_id raced: the other one stored it
        db.session.rollback()
        order, created = resources.push_order(current_user, body)
    if created:
        from sqlalchemy import select

        after_order_lines(select(OrderLine.id).where(OrderLine.order_id == order.id))
    return jsonify(resources.order_detail_json(order)), 201 if created else 200


@bp.route("/statements/<int:payee_id>")
@rate_limited
@allow(ANY_USER)
def statement(payee_id: int):
    """One payee's commission statement for `?period=YYYY-MM`, with its lines (the statement
    page's data; a payee outside the user's scope answers 404)."""
    from channel.services.api_features import statement_json

    return jsonify(statement_json(current_user, payee_id, request.args))


@bp.route("/code_scans", methods=["POST"])
@rate_limited
@allow(ROLE_ADMIN, ROLE_MANAGER)
def push_scans():
    """Record scans from scanners (JSON body, see the ScanPush schema): 201 when any scan is
    new, 200 when every one was stored before (idempotent by code + district + time)."""
    from channel.services.api_features import push_scans as push

    result, created = push(current_user, request.get_json(silent=True))
    return jsonify(result), 201 if created else 200
