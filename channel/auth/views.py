"""Login (with lockout), logout, the account page (password change, log out everywhere) and
the language switch."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from channel.permissions import ANY_USER, PUBLIC, allow

from channel.auth.forms import ChangePasswordForm, ConfirmForm, LoginForm
from channel.auth.session import SESSION_KEY, safe_next
from channel.domain.errors import DomainError
from channel.i18n import error_text
from channel.services import security

bp = Blueprint("auth", __name__)

NAV: list[tuple[str, str, tuple[str, ...] | None]] = [("auth.account", "账户", None)]


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    status = 200 if request.method == "GET" else 400
    if form.validate_on_submit():
        try:
            user = security.login(form.username.data, form.password.data, request.remote_addr)
        except DomainError as error:
            form.password.errors.append(error_text(error))
            status = error.status
        else:
            login_user(user)
            session[SESSION_KEY] = security.start_session(user.id)  # ended on logout (auth.session)
            session.permanent = True  # ends after PERMANENT_SESSION_LIFETIME without a request
            return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@allow(ANY_USER)
def logout():
    security.end_session(session.pop(SESSION_KEY, None))
    logout_user()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@allow(ANY_USER)
def account():
    return render_template("auth/account.html", form=ChangePasswordForm(), confirm=ConfirmForm())


@bp.route("/account/password", methods=["POST"])
@allow(ANY_USER)
def change_password():
    form = ChangePasswordForm()
    status = 400
    if form.validate_on_submit():
        try:
            user = security.change_password(current_user.id, form.current_password.data, form.new_password.data,
                                            request.remote_addr)
        except DomainError as error:
            field = getattr(form, error.field or "new_password", form.new_password)
            field.errors = list(field.errors) + [error_text(error)]
            status = error.status  # 429 while the name is locked, as on the login page
        else:
            login_user(user)  # this session carries the new version; every other one has ended
            session.permanent = True
            flash(_("密码已修改；您在其他设备上的登录已失效。"), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, confirm=ConfirmForm()), status


@bp.route("/account/logout-everywhere", methods=["POST"])
@allow(ANY_USER)
def logout_everywhere():
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.account"))
    security.log_out_everywhere(current_user.id)
    security.end_session(session.pop(SESSION_KEY, None))
    logout_user()
    flash(_("您已在所有设备上退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
@allow(PUBLIC)
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
    return redirect(safe_next(request.form.get("next")) or url_for("dashboard.index"))
