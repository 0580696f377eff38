"""Account security use cases: login with lockout and rate limit, the password policy,
password change, "log out everywhere", role changes. Each commits once and records an audit
event for what changes an account.

Lockout (per user name, existing or not, so it reveals nothing): LOGIN_MAX_FAILURES failed
attempts within LOGIN_LOCKOUT_MINUTES since the last success lock the name until the oldest of
those failures leaves the window. Rate limit (per client address): LOGIN_IP_MAX_FAILURES
failures in the same window answer 429. Counts live in the `login_attempt` table, so they hold
across gunicorn workers and restarts.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from channel.domain import passwords
from channel.domain.errors import DomainError, N_, NotFound
from channel.domain.text import has_control_characters
from channel.services import audit
from channel.services.tree import seller_by_code
from models import db, utcnow
from models.ops import LoginAttempt, LoginSession
from models.tree import CHANNEL_AGENT, CHANNEL_DIRECT
from models.users import ROLE_AGENT, ROLE_SALES_REP, ROLES, SELLER_ROLES, User


class LockedOut(DomainError):
    status = 429


def _window_start():
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])


def failures_for(username: str) -> int:
    """Failed attempts for `username` in the window, after its last success."""
    since = _window_start()
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.username == username, LoginAttempt.succeeded.is_(True),
                                                LoginAttempt.at >= since))
    if last_success is not None:
        since = last_success
    return db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.username == username, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)) or 0


def failures_from(address: str | None) -> int:
    if not address:
        return 0
    return db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.address == address, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= _window_start())) or 0


def login(username: str, password: str, address: str | None) -> User:
    """The user for these credentials. Raises LockedOut (429) when the name is locked or the
    address has failed too often, DomainError (400, field password) on wrong credentials.
    Every attempt is recorded (one commit)."""
    username = (username or "").strip()[:64]
    config = current_app.config
    if failures_from(address) >= config["LOGIN_IP_MAX_FAILURES"]:
        raise LockedOut(N_("登录失败次数过多，请 %(minutes)s 分钟后再试。"), field="password",
                        minutes=config["LOGIN_LOCKOUT_MINUTES"])
    if failures_for(username) >= config["LOGIN_MAX_FAILURES"]:
        raise LockedOut(N_("登录失败次数过多，请 %(minutes)s 分钟后再试。"), field="password",
                        minutes=config["LOGIN_LOCKOUT_MINUTES"])
    user = db.session.scalar(select(User).where(User.username == username))
    ok = user is not None and user.active and user.check_password(password)
    db.session.add(LoginAttempt(username=username, address=address, succeeded=ok))
    # the attempt just added is counted (autoflush): audit the failure that locks the name
    if not ok and user is not None and failures_for(username) == config["LOGIN_MAX_FAILURES"]:
        audit.record(None, "user.locked", "user", user.id, {"address": address})
    db.session.commit()
    if not ok:
        raise DomainError(N_("用户名或密码不正确。"), field="password")
    return user


def start_session(user_id: int) -> str:
    """A new login session of the user; returns its id (kept in the signed session cookie).
    The user's sessions ended more than a day ago are forgotten on the way."""
    session_id = secrets.token_urlsafe(32)
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user_id,
                                                  LoginSession.ended_at < utcnow() - timedelta(days=1)))
    db.session.add(LoginSession(id=session_id, user_id=user_id))
    db.session.commit()
    return session_id


def session_is_live(session_id: str | None, user_id: int) -> bool:
    """True while the login session `session_id` of the user has not ended (logout)."""
    if not session_id or not isinstance(session_id, str):
        return False
    row = db.session.get(LoginSession, session_id)
    return row is not None and row.user_id == user_id and row.ended_at is None


def end_session(session_id: str | None) -> None:
    """Logout: the session ends on the server, so its cookie, even copied, no longer logs in."""
    row = db.session.get(LoginSession, session_id) if isinstance(session_id, str) and session_id else None
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        db.session.commit()


def forget_old_attempts(older_than_days: int = 30) -> int:
    """Delete login attempts older than the given days (a housekeeping job). Returns the count."""
    result = db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - timedelta(days=older_than_days)))
    db.session.commit()
    return result.rowcount or 0


def check_password_policy(password: str, username: str) -> None:
    """Raise DomainError (field new_password) naming the first rule `password` breaks."""
    found = passwords.problems(password, username, current_app.config["PASSWORD_MIN_LENGTH"])
    if found:
        message, params = found[0]
        raise DomainError(message, field="new_password", **params)


def change_password(user_id: int, current_password: str, new_password: str, address: str | None = None) -> User:
    """Set a new password after checking the current one and the policy; every other session
    of the user ends (its session version moves on). Raises DomainError with field
    current_password / new_password. A wrong current password counts as a failed login of the
    user's name (the same lockout: someone holding a session cannot guess the password), and
    while the name is locked the change is refused (LockedOut)."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(N_("没有这个用户。"))
    config = current_app.config
    if failures_for(user.username) >= config["LOGIN_MAX_FAILURES"]:
        raise LockedOut(N_("密码输错次数过多，请 %(minutes)s 分钟后再试。"), field="current_password",
                        minutes=config["LOGIN_LOCKOUT_MINUTES"])
    if not user.check_password(current_password):
        db.session.add(LoginAttempt(username=user.username, address=address, succeeded=False))
        if failures_for(user.username) == config["LOGIN_MAX_FAILURES"]:
            audit.record(user.id, "user.locked", "user", user.id, {"address": address, "during": "password_change"})
        db.session.commit()
        raise DomainError(N_("当前密码不正确。"), field="current_password")
    if current_password == new_password:
        raise DomainError(N_("新密码不能与当前密码相同。"), field="new_password")
    check_password_policy(new_password, user.username)
    user.set_password(new_password)
    user.session_version += 1
    audit.record(user.id, "user.password_change", "user", user.id)
    db.session.commit()
    return user


def reset_password(actor_id: int | None, username: str, new_password: str) -> User:
    """An administrator sets someone's password (policy applies); their sessions end."""
    user = _by_username(username)
    check_password_policy(new_password, user.username)
    user.set_password(new_password)
    user.session_version += 1
    audit.record(actor_id, "user.password_reset", "user", user.id)
    db.session.commit()
    return user


def log_out_everywhere(user_id: int, actor_id: int | None = None) -> User:
    """End every session of the user (this one included) by moving its session version on."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(N_("没有这个用户。"))
    user.session_version += 1
    audit.record(actor_id if actor_id is not None else user_id, "user.logout_everywhere", "user", user.id)
    db.session.commit()
    return user


def _role_and_seller(role: str, seller_code: str | None) -> int | None:
    """The seller id a user of `role` is bound to; DomainError for an unknown role or seller."""
    if role not in ROLES:
        raise DomainError(N_("没有这个角色：%(role)s。"), field="role", role=role)
    if role not in SELLER_ROLES:
        return None
    if not seller_code:
        raise DomainError(N_("代理和销售代表用户必须绑定一个销售方。"), field="seller")
    if has_control_characters(seller_code):
        raise DomainError(N_("不能包含控制字符。"), field="seller")
    seller = seller_by_code(seller_code)
    if seller is None:
        raise DomainError(N_("没有编码为 %(code)s 的销售方。"), field="seller", code=seller_code)
    if role == ROLE_AGENT and seller.channel != CHANNEL_AGENT:
        raise DomainError(N_("代理用户只能绑定代理渠道的销售方（%(code)s 属于直销团队）。"), field="seller", code=seller.code)
    if role == ROLE_SALES_REP and seller.channel != CHANNEL_DIRECT:
        raise DomainError(N_("销售代表用户只能绑定直销团队的销售方（%(code)s 是代理）。"), field="seller", code=seller.code)
    return seller.id


USERNAME_MAX = 64  # user.username is VARCHAR(64); the login form allows as much
DISPLAY_NAME_MAX = 100  # user.display_name is VARCHAR(100)


def create_account(actor_id: int | None, username: str, password: str, role: str, seller_code: str | None = None,
                   display_name: str | None = None) -> User:
    """A new user (password policy applies), audited as 'user.create'."""
    from channel.services.users import create_user

    if not username or username != username.strip():
        raise DomainError(N_("用户名不能为空，也不能以空格开头或结尾。"), field="username")
    if len(username) > USERNAME_MAX:
        raise DomainError(N_("用户名太长（最多 %(n)s 个字符）。"), field="username", n=USERNAME_MAX)
    if display_name is not None and len(display_name) > DISPLAY_NAME_MAX:
        raise DomainError(N_("显示名称太长（最多 %(n)s 个字符）。"), field="display_name", n=DISPLAY_NAME_MAX)
    for field, text in (("username", username), ("display_name", display_name)):
        if has_control_characters(text):  # channel.domain.text: a NUL is a 500 on PostgreSQL
            raise DomainError(N_("不能包含控制字符。"), field=field)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise DomainError(N_("用户名 %(username)s 已被使用。"), field="username", username=username)
    seller_id = _role_and_seller(role, seller_code)
    check_password_policy(password, username)
    user = create_user(username, password, role, display_name=display_name, seller_id=seller_id, commit=False)
    db.session.flush()
    audit.record(actor_id, "user.create", "user", user.id, {"role": role, "seller_id": seller_id})
    db.session.commit()
    return user


def set_role(actor_id: int | None, username: str, role: str, seller_code: str | None = None) -> User:
    """Change a user's role (and bound seller, for agent and sales-rep users). Their sessions
    end so the new rights apply at once. Audited with the old and new role."""
    user = _by_username(username)
    if actor_id is not None and actor_id == user.id:
        raise DomainError(N_("您不能修改自己的角色或停用自己。"), field="role")
    seller_id = _role_and_seller(role, seller_code)
    before = {"role": user.role, "seller_id": user.seller_id}
    user.role, user.seller_id = role, seller_id
    user.session_version += 1
    audit.record(actor_id, "user.role_change", "user", user.id,
                 {"before": before, "after": {"role": role, "seller_id": seller_id}})
    db.session.commit()
    return user


def set_active(actor_id: int | None, username: str, active: bool) -> User:
    """Deactivate (every session ends, login refused) or reactivate a user. Audited."""
    user = _by_username(username)
    if actor_id is not None and actor_id == user.id:
        raise DomainError(N_("您不能修改自己的角色或停用自己。"), field="active")
    user.active = active
    user.session_version += 1
    audit.record(actor_id, "user.activate" if active else "user.deactivate", "user", user.id)
    db.session.commit()
    return user


def _by_username(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(N_("没有这个用户：%(username)s。"), username=username)
    return user
