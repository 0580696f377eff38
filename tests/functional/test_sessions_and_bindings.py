"""QA of session 12 on accounts: logging out ends the session on the server (a copied cookie
no longer works), guessing the current password on the password form meets the login lockout,
and agent / sales-rep users are bound to sellers of their own channel only."""
import pytest
from sqlalchemy import func, select

from channel.domain.errors import DomainError
from channel.services import security
from models import db
from models.ops import LoginAttempt, LoginSession
from models.users import User


def test_a_session_cookie_replayed_after_logout_is_refused(app, client, auth, world):
    auth.login("finance")
    copied = client.get_cookie("session").value
    assert client.get("/payouts").status_code == 200
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/payouts")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LoginSession).where(
        LoginSession.ended_at.is_(None))) == 0


def test_logging_out_on_one_device_leaves_the_other_logged_in(app, world):
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        assert device.post("/login", data={"username": "finance", "password": "secret-pass"}).status_code == 302
    laptop.post("/logout")
    assert laptop.get("/payouts").status_code == 302
    assert phone.get("/payouts").status_code == 200


def test_guessing_the_current_password_meets_the_login_lockout(app, client, auth, world):
    auth.login("finance")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for n in range(limit):
        response = client.post("/account/password", data={"current_password": f"guess-{n}",
                                                          "new_password": "Another-pass-2026", "confirm": "Another-pass-2026"})
        assert response.status_code == 400 and "当前密码不正确" in response.get_data(as_text=True)
    # the name is now locked: even the right current password is refused, and so is a login
    response = client.post("/account/password", data={"current_password": "secret-pass",
                                                      "new_password": "Another-pass-2026", "confirm": "Another-pass-2026"})
    assert response.status_code == 429 and "密码输错次数过多" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "finance")).check_password("secret-pass")
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.username == "finance", LoginAttempt.succeeded.is_(False))) == limit
    other = app.test_client()
    assert other.post("/login", data={"username": "finance", "password": "secret-pass"}).status_code == 429


@pytest.mark.parametrize("role, seller", [("agent", "REP1"), ("sales_rep", "GD")])
def test_a_user_is_bound_to_a_seller_of_its_roles_channel(world, role, seller):
    with pytest.raises(DomainError) as refused:
        security.create_account(None, "qaagent", "Another-pass-2026", role, seller)
    assert refused.value.field == "seller"
    with pytest.raises(DomainError):
        security.set_role(None, "finance", role, seller)
    assert db.session.scalar(select(User.role).where(User.username == "finance")) == "finance"
    assert db.session.scalar(select(User.id).where(User.username == "qaagent")) is None


def test_a_user_of_the_right_channel_is_bound(world):
    assert security.create_account(None, "qaagent", "Another-pass-2026", "agent", "gd").seller_id == world.GD.id
    assert security.create_account(None, "qarep", "Another-pass-2026", "sales_rep", "REP1").seller_id == world.REP1.id
