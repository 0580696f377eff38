"""Translation helpers at the edge: locale choice and translating domain errors."""
from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_babel import get_locale, get_translations, gettext, pgettext
from flask_login import current_user

from channel.domain.errors import N_, DomainError, InContext, Label
from channel.domain.payouts_tax import BUILT_IN_NAME, NOTE_SEPARATOR, split_tax_note


def select_locale() -> str:
    """The user's choice (session, then profile), else Chinese."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    if request and request.args.get("lang") in languages:
        return request.args["lang"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def error_text(error: DomainError) -> str:
    """The domain error's message, translated into the request's language (so are its Label
    parameters; a message marked with a context by NC_ is looked up in it)."""
    params = {k: gettext(v) if isinstance(v, Label) else v for k, v in error.params.items()}
    if isinstance(error.message, InContext):
        return pgettext(error.message.context, error.message, **params)
    return gettext(error.message, **params)


def translate(message: str) -> str:
    """A marked message id (N_, or NC_ with its context) in the request's language: column
    headers of exports, labels kept in tables."""
    if isinstance(message, InContext):
        return request_translations().upgettext(message.context, message)
    return request_translations().ugettext(message)


ROLE_NAMES = {"admin": N_("管理员"), "channel_manager": N_("渠道经理"), "finance": N_("财务"), "agent": N_("代理商"),
              "sales_rep": N_("销售代表"), "product_manager": N_("产品经理")}


def code_label(labels: dict[str, str], code: str | None) -> str:
    """A stored code (a status, a role, an event) as people read it: its message id in `labels`
    translated into the request's language; an unknown code as it is."""
    if code in labels:
        return request_translations().ugettext(labels[code])
    return code or ""


def role_name(role: str) -> str:
    """A user role as people read it, in the request's language (unknown roles as they are)."""
    return code_label(ROLE_NAMES, role)


def user_role_name(user) -> str:
    """What the top bar calls a user: a user bound to a seller by that seller's level (a director
    is 销售总监, a provincial agent 省代, not the role 销售代表 / 代理商 they share), others by role."""
    seller = user.seller if user.seller_id else None
    return level_name(seller.channel, seller.level) if seller is not None else role_name(user.role)


def withholding_note(note: str | None) -> str:
    """A payout row's stored tax note as people read it: the built-in withholding table's name
    in the request's language (a name the customer configured as configured), then the formula."""
    if not note:
        return ""
    name, formula = split_tax_note(note)
    if name is None:
        return formula
    if name == BUILT_IN_NAME:
        name = request_translations().ugettext(name)
    return f"{name}{NOTE_SEPARATOR}{formula}"


def level_name(channel: str, level: int) -> str:
    key = "AGENT_LEVELS" if channel == "agent" else "DIRECT_LEVELS"
    names = current_app.config[key]
    if 1 <= level <= len(names):
        return request_translations().ugettext(names[level - 1])
    return str(level)


def request_translations():
    """Flask-Babel's translations for the request's locale, looked up once per request and locale.
    (Its own lookup formats the locale's identifier on every call: ~40 µs, paid by each of the
    ~80 `_()` of a list page.) A locale changed mid-request (flask_babel.refresh) is followed."""
    locale = get_locale()
    cached = g.get("_translations")
    if cached is None or cached[0] is not locale:
        cached = g._translations = (locale, get_translations())
    return cached[1]


def install_template_gettext(app: Flask) -> None:
    """Templates' `_()` / `ngettext()` through `request_translations` (same texts, same escaping:
    jinja's new-style gettext wraps these callables as it wraps Flask-Babel's)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
