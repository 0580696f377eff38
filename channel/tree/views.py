"""The pyramid, the two trees, and seller pages (agents and direct sellers alike)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from channel.permissions import ANY_USER, allow

from channel import charts
from channel.domain.errors import DomainError
from channel.domain.money import format_fen
from channel.domain.paging import decode_id_cursor
from channel.domain.periods import Month
from channel.i18n import error_text, level_name
from channel.services import reports, sellers, tree
from channel.services.access import require_seller
from channel.services.clock import business_today
from channel.tree.forms import DeactivateForm, GrantForm, MoveForm
from models.tree import CHANNEL_AGENT, CHANNEL_DIRECT
from models.users import MANAGING_ROLES

bp = Blueprint("tree", __name__)

EDITORS = MANAGING_ROLES  # who moves, deactivates and grants (and onboards: services.onboarding)


def _channel_arg() -> str:
    channel = request.args.get("channel", CHANNEL_AGENT)
    if channel not in (CHANNEL_AGENT, CHANNEL_DIRECT):
        abort(404)
    return channel


@bp.route("/pyramid")
@allow(ANY_USER)
def pyramid():
    channel = _channel_arg()
    month = Month.of(business_today())
    counts = sellers.level_counts(current_user, channel)
    sales = reports.sales_by_level(current_user, month, channel=channel)
    from flask import current_app

    names = current_app.config["AGENT_LEVELS" if channel == CHANNEL_AGENT else "DIRECT_LEVELS"]
    levels = [
        {"level": i, "name": level_name(channel, i), "count": counts.get(i, 0), "sales_fen": sales.get(i, 0)}
        for i in range(1, len(names) + 1)
    ]
    focus_path: list[int] = []
    focus = request.args.get("focus", type=decode_id_cursor)
    if focus:
        focus_path = sellers.path_to(current_user, focus)
    return render_template(
        "tree/pyramid.html",
        channel=channel,
        levels=levels,
        pyramid=charts.pyramid_bands([(f"{lv['name']} · {lv['count']:,}", format_fen(lv["sales_fen"])) for lv in levels]),
        month=month,
        roots=sellers.tree_roots(current_user, channel),
        focus_path=focus_path,
        focus=focus,
        results=sellers.search(current_user, request.args.get("q", ""), channel=channel),
        q=request.args.get("q", ""),
    )


@bp.route("/tree/<int:seller_id>/children")
@allow(ANY_USER)
def children(seller_id: int):
    """HTML fragment: one page of a node's children, loaded when the node is expanded."""
    nodes, cursor = sellers.tree_children(current_user, seller_id, request.args.get("after"))
    focus_path = [int(x) for x in request.args.get("path", "").split(",") if x.isdecimal()]  # not isdigit(): "²"
    return render_template(
        "tree/_children.html", nodes=nodes, parent_id=seller_id, cursor=cursor, focus_path=focus_path
    )


@bp.route("/sellers/<int:seller_id>")
@allow(ANY_USER)
def seller(seller_id: int):
    page = sellers.seller_page(current_user, seller_id)
    can_edit = current_user.role in EDITORS
    return render_template(
        "tree/seller.html",
        page=page,
        can_edit=can_edit,
        move_form=MoveForm(prefix="move"),
        grant_form=GrantForm(prefix="grant"),
        deactivate_form=DeactivateForm(prefix="deactivate"),
    )


def _rerender(seller_id: int, **forms):
    page = sellers.seller_page(current_user, seller_id)
    context = dict(
        page=page,
        can_edit=True,
        move_form=MoveForm(prefix="move", formdata=None),
        grant_form=GrantForm(prefix="grant", formdata=None),
        deactivate_form=DeactivateForm(prefix="deactivate", formdata=None),
    )
    context.update(forms)
    return render_template("tree/seller.html", **context), 400


@bp.route("/sellers/<int:seller_id>/move", methods=["POST"])
@allow(*EDITORS)
def move(seller_id: int):
    require_seller(current_user, seller_id)
    form = MoveForm(prefix="move")
    if form.validate_on_submit():
        parent_id = None
        if form.parent_code.data:
            parent = sellers.by_code(form.parent_code.data)
            if parent is None:
                form.parent_code.errors.append(_("没有编码为 %(code)s 的销售方。", code=form.parent_code.data))
                return _rerender(seller_id, move_form=form)
            parent_id = parent.id
        try:
            tree.move_seller(
                seller_id, parent_id, form.effective_on.data, moved_by_id=current_user.id, reason=form.reason.data
            )
        except DomainError as error:
            _field_error(form, error, "parent_code")
            return _rerender(seller_id, move_form=form)
        flash(_("已调整上级。"), "success")
        return redirect(url_for("tree.seller", seller_id=seller_id))
    return _rerender(seller_id, move_form=form)


@bp.route("/sellers/<int:seller_id>/deactivate", methods=["POST"])
@allow(*EDITORS)
def deactivate(seller_id: int):
    require_seller(current_user, seller_id)
    form = DeactivateForm(prefix="deactivate")
    if form.validate_on_submit():
        try:
            tree.deactivate_seller(seller_id, form.effective_on.data, moved_by_id=current_user.id)
        except DomainError as error:
            _field_error(form, error, "effective_on")
            return _rerender(seller_id, deactivate_form=form)
        flash(_("已停用；其直接下级已移到它的上级之下。"), "success")
        return redirect(url_for("tree.seller", seller_id=seller_id))
    return _rerender(seller_id, deactivate_form=form)


@bp.route("/sellers/<int:seller_id>/grants", methods=["POST"])
@allow(*EDITORS)
def grant(seller_id: int):
    require_seller(current_user, seller_id)
    form = GrantForm(prefix="grant")
    if form.validate_on_submit():
        try:
            tree.grant_territory(
                seller_id,
                int(form.territory_code.data),
                exclusive=form.exclusive.data,
                valid_from=form.valid_from.data,
                valid_to=form.valid_to.data,
                granted_by_id=current_user.id,
            )
        except DomainError as error:
            _field_error(form, error, "territory_code")
            return _rerender(seller_id, grant_form=form)
        flash(_("已授权区域。"), "success")
        return redirect(url_for("tree.seller", seller_id=seller_id))
    return _rerender(seller_id, grant_form=form)


def _field_error(form, error: DomainError, default_field: str) -> None:
    mapping = {"parent": "parent_code", "territory": "territory_code"}
    name = mapping.get(error.field or "", error.field or default_field)
    field = getattr(form, name, None) or getattr(form, default_field)
    field.errors = list(field.errors) + [error_text(error)]


