"""Login sessions: a session carries the user's id and session version, so bumping the
version (log out everywhere, password change) ends every other session; and the id of its own
login (`SESSION_KEY`, a row of login_session), so that logging out ends this one on the server:
a copy of the cookie replayed after logout is refused."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import session

from models import db
from models.users import User

SESSION_KEY = "login_session"


def load_user(token: str) -> User | None:
    try:
        user_id, version = (int(part) for part in token.split(":", 1))
    except (ValueError, AttributeError):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    from channel.services.security import session_is_live

    if not session_is_live(session.get(SESSION_KEY), user.id):
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target
