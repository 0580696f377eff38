"""User accounts on /users (administrators): a new login and a password reset, on the ops
blueprint. Thin over channel.services.security (the same use cases as `flask users create`
and `flask users reset-password`); each is audited there."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from channel.domain.errors import DomainError
from channel.i18n import error_text
from channel.ops.forms import NewUserForm, ResetPasswordForm
from channel.ops.views import bp, users_page
from channel.permissions import allow
from channel.services import security
from channel.services.users import require_user
from models.users import ROLE_ADMIN

# The service's field names → the new user form's (the others are the same).
FORM_FIELD = {"new_password": "password"}


@bp.route("/users/new", methods=["POST"])
@allow(ROLE_ADMIN)
def user_create():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = security.create_account(current_user.id, form.username.data, form.password.data, form.role.data,
                                           form.seller.data or None, display_name=form.display_name.data or None)
        except DomainError as error:
            name = FORM_FIELD.get(error.field or "", error.field or "username")
            field = form[name] if name in form else form.username
            field.errors = list(field.errors) + [error_text(error)]
        else:
            flash(_("已创建用户 %(username)s。", username=user.username), "success")
            return redirect(url_for("ops.users"))
    return users_page(new_user_form=form)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@allow(ROLE_ADMIN)
def user_password_reset(user_id: int):
    user = require_user(user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return users_page(reset_refused={"user_id": user.id, "reason": form.new_password.errors[0]})
    try:
        security.reset_password(current_user.id, user.username, form.new_password.data)
    except DomainError as error:
        return users_page(reset_refused={"user_id": user.id, "reason": error_text(error)})
    flash(_("%(username)s 的密码已重置；其登录已失效。", username=user.username), "success")
    return redirect(url_for("ops.users"))
