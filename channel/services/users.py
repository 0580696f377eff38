"""Use cases about users."""
from __future__ import annotations

from sqlalchemy import select

from channel.domain.errors import N_, NotFound
from models import db
from models.users import User


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def create_user(username: str, password: str, role: str, *, display_name: str | None = None,
                seller_id: int | None = None, commit: bool = True) -> User:
    user = User(username=username, display_name=display_name or username, role=role, seller_id=seller_id)
    user.set_password(password)
    db.session.add(user)
    if commit:
        db.session.commit()
    return user


def users_query():
    """SELECT of every user by username (the administrators' user list and its export; who may
    read it is the caller's rule)."""
    return select(User).order_by(User.username)


def require_user(user_id: int) -> User:
    """The user `user_id` (any role, active or not: the administrators' users page acts on it);
    NotFound (404) when there is none."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(N_("没有这个用户。"))
    return user
