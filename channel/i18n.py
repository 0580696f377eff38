"""Translation helpers at the edge: locale choice and translating domain errors."""
from __future__ import annotations

from flask import current_app, request, session
from flask_babel import gettext
from flask_login import current_user

from channel.domain.errors import DomainError


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
    """The domain error's message, translated into the request's language."""
    return gettext(error.message, **error.params)


def level_name(channel: str, level: int) -> str:
    key = "AGENT_LEVELS" if channel == "agent" else "DIRECT_LEVELS"
    names = current_app.config[key]
    if 1 <= level <= len(names):
        return gettext(names[level - 1])
    return str(level)
