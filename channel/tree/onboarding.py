"""Onboarding pages on the tree blueprint: a new agent or direct seller (新增销售方) and the
edit of a seller's details. Thin over channel.services.onboarding."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from channel.domain.errors import DomainError
from channel.i18n import error_text
from channel.permissions import allow
from channel.services import onboarding
from channel.services.access import require_seller
from channel.services.tree import levels_of
from channel.tree.forms import NewSellerForm, SellerDetailsForm
from channel.tree.views import bp
from models.tree import CHANNELS


def _can_onboard() -> bool:
    return current_user.is_authenticated and current_user.role in onboarding.EDITORS


def _level_count(channel: str) -> int:
    return len(levels_of(channel))


bp.add_app_template_global(_can_onboard, "can_onboard")  # the pyramid's 新增销售方 button
bp.add_app_template_global(_level_count, "level_count")  # a seller page offers a downline above the last level

# The service's field names → the forms' (the others are the same).
FORM_FIELD = {"level": "channel_level", "parent": "upline_code", "effective_on": "joined_on",
              "valid_from": "joined_on", "territory": "territory_code", "home_territory_id": "home_territory_code"}


def _show_error(form, error: DomainError, default_field: str) -> None:
    """The domain error beside its field (`default_field` when it names none): the page stays,
    with everything typed."""
    name = FORM_FIELD.get(error.field or "", error.field or default_field)
    field = form[name] if name in form else form[default_field]
    field.errors = list(field.errors) + [error_text(error)]


@bp.route("/sellers/new", methods=["GET", "POST"])
@allow(*onboarding.EDITORS)
def new_seller():
    """?channel=agent|direct preselects the channel's second level (or its first); ?upline=<id>
    (from a seller's page) fills the upline and the level right below it."""
    form = NewSellerForm()
    upline = None
    if request.method == "GET":
        upline_id = request.args.get("upline", type=int)
        if upline_id is not None:
            upline = require_seller(current_user, upline_id)
            form.upline_code.data = upline.code
            form.channel_level.data = f"{upline.channel}:{upline.level + 1}"
        else:
            channel = request.args.get("channel", "agent")
            if channel not in CHANNELS:
                abort(404)
            form.channel_level.data = f"{channel}:1"
        return render_template("tree/new_seller.html", form=form, upline=upline)
    if form.validate_on_submit():
        channel, level = form.channel_and_level()
        try:
            seller = onboarding.onboard_seller(
                current_user, code=form.code.data, channel=channel, level=level, upline_code=form.upline_code.data,
                joined_on=form.joined_on.data,
                territory_id=int(form.territory_code.data) if form.territory_code.data else None,
                exclusive=form.exclusive.data, **form.details())
        except DomainError as error:
            if error.status == 403:
                raise
            _show_error(form, error, "code")
        else:
            flash(_("已新增 %(name)s（%(code)s）。", name=seller.name, code=seller.code), "success")
            return redirect(url_for("tree.seller", seller_id=seller.id))
    return render_template("tree/new_seller.html", form=form, upline=None), 400


@bp.route("/sellers/<int:seller_id>/edit", methods=["GET", "POST"])
@allow(*onboarding.EDITORS)
def edit_seller(seller_id: int):
    seller = require_seller(current_user, seller_id)
    form = SellerDetailsForm(obj=seller)
    if request.method == "GET":
        form.home_territory_code.data = str(seller.home_territory_id or "")
        return render_template("tree/edit_seller.html", form=form, seller=seller)
    if form.validate_on_submit():
        try:
            onboarding.edit_seller_details(current_user, seller_id, **form.details())
        except DomainError as error:
            if error.status in (403, 404):
                raise
            _show_error(form, error, "name")
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("tree.seller", seller_id=seller_id))
    return render_template("tree/edit_seller.html", form=form, seller=seller), 400
