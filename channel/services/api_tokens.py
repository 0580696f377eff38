"""Personal API tokens: created (the secret is shown once), checked, revoked.

A token is `qd_` + 40 url-safe random characters. Only its SHA-256 is stored (a fast hash is
right here: the secret is long and random, unlike a password), so a stolen database yields no
usable token. The owner's role and seller decide what a token sees, exactly as in the UI.
"""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from channel.domain.errors import DomainError, N_, NotFound
from channel.services import audit
from models import db, utcnow
from models.exchange import ApiToken
from models.users import User

PREFIX = "qd_"


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str, actor_id: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns (row, secret). The secret cannot be recovered later."""
    name = (name or "").strip()
    if not name:
        raise DomainError(N_("请给令牌起个名字。"), field="name")
    if len(name) > 100:
        raise DomainError(N_("名字太长（最多 %(n)s 个字符）。"), field="name", n=100)
    secret = PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:10], token_hash=hash_token(secret))
    db.session.add(token)
    db.session.flush()
    audit.record(actor_id if actor_id is not None else user.id, "api_token.create", "api_token", token.id,
                 {"user_id": user.id, "name": name})
    db.session.commit()
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke_token(user: User, token_id: int, actor_id: int | None = None) -> ApiToken:
    """Revoke one of `user`'s tokens (NotFound for another user's token)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(N_("没有这个令牌。"))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(actor_id if actor_id is not None else user.id, "api_token.revoke", "api_token", token.id,
                     {"user_id": user.id})
        db.session.commit()
    return token


def user_for_token(secret: str) -> User | None:
    """The active user owning the live token `secret`, or None. Marks the token as used."""
    if not secret or not secret.startswith(PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now  # at most once a minute: no write per request
        db.session.commit()
    return user
